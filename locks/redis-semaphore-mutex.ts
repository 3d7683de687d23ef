// `redis-semaphore`: the npm `redis-semaphore` package's `Mutex` on one Redis (redis-1), as its
// README shows it — `new Mutex(client, key, options)`, `await mutex.acquire()`, `await
// mutex.release()`, one Mutex per acquire — WITHOUT fixing its behaviour (as node-redlock.ts).
//
// What it does (node_modules/redis-semaphore/lib: Lock.js, mutex/*.js):
//   - acquire: `SET mutex:<key> <uuid> PX lockTimeout NX` until it answers OK, every `retryInterval`
//     (10 ms, its default) until `acquireTimeout` has passed on the wall clock (Date.now()); then it
//     throws TimeoutError. A command's error is not caught: it rejects the acquire;
//   - while held it refreshes on its own, every `refreshInterval` (0.8 × lockTimeout, its default):
//     compare-and-PEXPIRE in Lua. A refresh that answers 0 (the key is gone or someone else's)
//     marks the mutex not acquired, stops refreshing and calls `onLockLost(LostLockError)`; the
//     default `onLockLost` throws, which is an unhandled exception in a timer;
//   - a refresh whose command FAILS (timeout, dropped connection) is not caught either: the rejection
//     escapes its setInterval callback unhandled, which ends a Node 20 process by default. As
//     shipped: a holder whose Redis stalls for longer than the refresh interval crashes its worker;
//   - release: compare-and-delete in Lua, after stopping the refresh; its answer is discarded, so a
//     release cannot say whether the key was still ours. A mutex whose refresh saw the loss does not
//     send it at all;
//   - no fencing token; the holder's deadline is "until a refresh says otherwise": between the key
//     expiring (a holder paused past lockTimeout) and its next refresh, `isAcquired` is still true.
//
// Settings a user passes: the ioredis connection of redis-connection.ts (no offline queue, 1 s
// command timeout); lockTimeout = the TTL; acquireTimeout = the wait budget (a wait of 0 is
// `acquireAttemptsLimit: 1`, the README's try-once example: an acquireTimeout of 0 would make no
// attempt at all); its own auto-refresh as shipped; `onLockLost` = abort the lease's `lost` signal
// (the README's "lost lock handling" example, instead of the default that throws).
//
// Mapping of its results:
//   acquire resolves     → a lease with no deadline (the package keeps it alive); `lost` aborts
//                          when onLockLost is called
//   TimeoutError         → busy (every SET NX answered "not set")
//   a command's error    → unavailable when it never left or Redis refused it, otherwise unknown
//   release              → not-held when the package had already seen the loss (nothing sent);
//                          released when it resolves (it cannot tell an expired key from ours);
//                          unknown when it rejects (the key stays until lockTimeout)
// It has no extend: refreshing is the package's own.
import type { Redis } from 'ioredis';
import { Mutex, TimeoutError, type LockOptions } from 'redis-semaphore';
import { monoMs } from '../core/clock.ts';
import { WaitTimeoutError, errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';

/** How far past its own budget a call of the package may run before the harness calls its outcome unknown. */
const HARNESS_MARGIN_MS = 5000;
import {
  LockUnknownError,
  tuning,
  type AcquireOptions,
  type AcquireOutcome,
  type Lease,
  type LockClient,
  type LockClientContext,
  type ReleaseOutcome,
} from './lock-client.ts';
import { installedPackage } from './package-version.ts';
import { RedisConnections, classifyRedisError, connectQuietly, lockKey, lockRedis } from './redis-connection.ts';
import type { LockSpec } from './spec.ts';

/** What both of the package's mutexes (Mutex, RedlockMutex) offer. */
export type SemaphoreMutex = Pick<InstanceType<typeof Mutex>, 'acquire' | 'release' | 'stopRefresh' | 'isAcquired' | 'identifier'>;

/** The package's options for one acquire, from ours: lockTimeout = TTL, acquireTimeout = wait. */
export function mutexOptions(opts: AcquireOptions, onLockLost: () => void): LockOptions {
  const budget: LockOptions = opts.waitMs > 0 ? { acquireTimeout: opts.waitMs } : { acquireAttemptsLimit: 1 };
  return { lockTimeout: opts.ttlMs, ...budget, onLockLost };
}

/**
 * A lock client around one of the package's mutexes. `make` builds the mutex for a key;
 * `observe` runs a call and returns the command errors the package swallowed during it (the
 * single Mutex swallows none).
 */
export class SemaphoreMutexClient extends RedisConnections implements LockClient {
  private readonly held = new Map<string, { readonly mutex: SemaphoreMutex; readonly lost: AbortController }>();

  constructor(
    readonly name: string,
    connections: readonly Redis[],
    private readonly make: (key: string, options: LockOptions) => SemaphoreMutex,
    private readonly observe: <T>(fn: () => Promise<T>) => Promise<{ readonly result: PromiseSettledResult<T>; readonly errors: readonly unknown[] }> = async (fn) => {
      try {
        return { result: { status: 'fulfilled', value: await fn() }, errors: [] };
      } catch (reason) {
        return { result: { status: 'rejected', reason }, errors: [] };
      }
    },
    /** How many swallowed release errors make a release unknown (RedlockMutex: a majority's). */
    private readonly releaseErrorsForUnknown = 1,
  ) {
    super(connections);
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const acquiredAtMs = monoMs();
    const lost = new AbortController();
    const mutex = this.make(lockKey(key), mutexOptions(opts, () => lost.abort(new Error('redis-semaphore: onLockLost (a refresh found the key gone or taken)'))));
    // The harness's own bound (the package has none past its acquireTimeout, and a crashed node was
    // seen to keep an acquire pending until the run gave up on the worker): past it the outcome is
    // unknown, and a grant that still arrives is given back at once.
    const pending = mutex.acquire();
    const { result, errors } = await this.observe(() => withDeadline(pending, `${this.name} acquire`, opts.waitMs + HARNESS_MARGIN_MS));
    if (result.status === 'rejected' && result.reason instanceof WaitTimeoutError) {
      pending.then(() => mutex.release().catch(() => undefined), () => undefined);
    }
    if (result.status === 'fulfilled') {
      const owner = mutex.identifier;
      this.held.set(owner, { mutex, lost });
      const lease: Lease = { key, owner, acquiredAtMs, validUntilMs: undefined, token: undefined, lost: lost.signal };
      return { acquired: true, lease };
    }
    const err: unknown = result.reason;
    const seen = err instanceof TimeoutError ? errors : [err, ...errors];
    const definite = seen.every((e) => classifyRedisError(e) !== 'unknown');
    if (!definite) throw new LockUnknownError('acquire', `${this.name}: ${seen.map(errorMessage).slice(0, 3).join('; ')}`, { cause: err });
    if (seen.length === 0) return { acquired: false, reason: 'busy' };
    return { acquired: false, reason: 'unavailable', detail: errorMessage(seen[0]) };
  }

  async release(lease: Lease): Promise<ReleaseOutcome> {
    const h = this.held.get(lease.owner);
    if (!h) return 'not-held';
    this.held.delete(lease.owner);
    const wasLost = !h.mutex.isAcquired;
    const { result, errors } = await this.observe(() => withDeadline(h.mutex.release(), `${this.name} release`, HARNESS_MARGIN_MS));
    if (result.status === 'rejected') throw new LockUnknownError('release', `${this.name}: ${errorMessage(result.reason)}`, { cause: result.reason });
    if (wasLost) return 'not-held';
    if (errors.length >= this.releaseErrorsForUnknown) throw new LockUnknownError('release', `${this.name}: ${errors.map(errorMessage).slice(0, 3).join('; ')}`);
    return 'released';
  }

  override close(): Promise<void> {
    // A refresh still scheduled would run on a closed connection and reject unhandled.
    for (const h of this.held.values()) h.mutex.stopRefresh();
    this.held.clear();
    return super.close();
  }
}

export async function createRedisSemaphoreMutex(ctx: LockClientContext): Promise<LockClient> {
  const endpoint = ctx.redis[0];
  if (!endpoint) throw new Error('redis-semaphore needs at least one Redis node');
  const redis = lockRedis(endpoint, { commandTimeoutMs: tuning(ctx, 'commandTimeoutMs', 1000) });
  await connectQuietly(redis, 2000);
  return new SemaphoreMutexClient('redis-semaphore', [redis], (key, options) => new Mutex(redis, key, options));
}

// SET NX PX, then compare-and-delete: two round trips to redis-1; a waiter polling every 10 ms is
// granted at best one round trip after a release.
export const redisSemaphoreMutexSpec: LockSpec = {
  name: 'redis-semaphore',
  model: { system: 'redis', lease: 'ttl', family: 'single', nodes: 'first', partitionSide: 'client', fencingTokens: false },
  floor: { roundTrips: 2, writes: 0, over: 'one-node', handoff: { roundTrips: 1, writes: 0 } },
  colour: '#17becf',
  sources: ['locks/redis-semaphore-mutex.ts', 'locks/redis-connection.ts'],
  package: installedPackage('redis-semaphore'),
  create: createRedisSemaphoreMutex,
};
