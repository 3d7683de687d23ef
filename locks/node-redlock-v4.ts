// `node-redlock-v4`: the npm `redlock` package at the version npm's `latest` tag gives (4.2.0,
// installed as the alias `redlock-v4` beside the 5.0.0-beta.2 that `node-redlock` runs), on the 5
// independent masters as its README says — `new Redlock([clients…], options)`, `lock(resource,
// ttl)`, `lock.unlock()`, `lock.extend(ttl)` — WITHOUT fixing its behaviour (as node-redlock.ts).
//
// What it does (node_modules/redlock-v4/redlock.js; research/locks.md §1.3–1.4):
//   - an attempt runs the ACQUIRE script on every master and waits for ALL of them to answer (v5
//     decides at the quorum), so one slow master slows every attempt: a paused one costs each
//     attempt the ioredis command timeout (1 s here);
//   - a failed attempt unlocks every master before the next (v5 keeps its partial keys), so it
//     does not block on its own keys under contention;
//   - the lock counts only if a majority voted for it and its `expiration` (wall clock: start of
//     that attempt + ttl − (1 % of ttl + 2 ms)) has not passed;
//   - a failed `extend` attempt runs `unlock` with the same value, which deletes the keys still
//     held on the masters that did extend: the lock is gone after one failed attempt, and the
//     retries of the extend can never succeed (research/locks.md §1.4 #6);
//   - `lockWithOptions(r, ttl, { retryCount: 0 })` is ignored: it reads `options.retryCount ||
//     this.retryCount` (§1.4 #7). The instance is made with retryCount 0, so 0 does mean one
//     attempt here, and every other count is the wait budget spent as retries (below);
//   - a master's error is not returned: it is emitted as 'clientError', and the attempt counts that
//     master as a vote against. LockError says only "Exceeded N attempts" / "Unable to fully
//     release": which votes were "held by someone else" and which were errors it does not tell.
//   - Date.now() for validity, so a client clock jump moves it (§1.4 #11); no fencing token.
//
// Settings a user passes: the 5 ioredis connections of redis-connection.ts (no offline queue, 1 s
// command timeout: without one a dead master hangs every attempt, since each waits for all);
// driftFactor 0.01 (its default); retryCount 0 on the instance; retryDelay 20 ms and retryJitter
// 10 ms (its defaults are 200 and 100; 20 as node-redlock's and etcd3-lock's, so the polling locks
// are compared at one cadence); per acquire retryCount = ⌊wait ÷ retryDelay⌋ (it counts retries,
// not time, and each attempt's round trips come on top).
//
// Mapping of its results (errors = the 'clientError's emitted while the call ran; with calls in
// flight at once they may include another call's, which can only make an answer less definite):
//   lock resolves                          → a lease; validity = its `expiration` on the monotonic clock
//   LockError, no errors                   → busy (every master answered; no majority)
//   LockError, errors all definite (never sent, or refused by Redis: redis-connection.ts) → unavailable
//   LockError with an error that may have taken effect (a timeout, a connection dropped mid-command),
//   or any other rejection                 → unknown
//   unlock resolves → released; LockError, no errors → not-held; with errors → unknown (a key may
//     remain on a master that did not answer)
//   extend resolves → extended; LockError with no errors or definite ones → not-held / unavailable
//     (either way its failed attempt has deleted our keys wherever it could); otherwise unknown
import type { Redis } from 'ioredis';
import Redlock from 'redlock-v4';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import {
  LockUnknownError,
  tuning,
  type AcquireOptions,
  type AcquireOutcome,
  type ExtendOutcome,
  type Lease,
  type LockClient,
  type LockClientContext,
  type ReleaseOutcome,
} from './lock-client.ts';
import { installedPackage } from './package-version.ts';
import { RedisConnections, classifyRedisError, connectQuietly, lockKey, lockRedis } from './redis-connection.ts';
import type { LockSpec } from './spec.ts';

const never = new AbortController().signal;

/** Wall-clock expiration (ms since epoch) → host monotonic deadline. */
function toMonotonic(expirationEpochMs: number): number {
  return monoMs() + (expirationEpochMs - Date.now());
}

/** What the errors a call saw mean: none, only ones that had no effect, or one that may have. */
export function errorsVerdict(errors: readonly unknown[]): 'none' | 'definite' | 'unknown' {
  if (errors.length === 0) return 'none';
  return errors.every((e) => classifyRedisError(e) !== 'unknown') ? 'definite' : 'unknown';
}

const summary = (errors: readonly unknown[]): string => [...new Set(errors.map(errorMessage))].slice(0, 3).join('; ');

export class NodeRedlockV4 extends RedisConnections implements LockClient {
  readonly name = 'node-redlock-v4';
  private readonly locks = new Map<string, Redlock.Lock>();
  /** The errors of the calls in flight: each call collects every 'clientError' emitted while it runs. */
  private readonly collectors = new Set<unknown[]>();

  private constructor(
    clients: readonly Redis[],
    private readonly redlock: Redlock,
    private readonly retryDelayMs: number,
  ) {
    super(clients);
    redlock.on('clientError', (err: unknown) => {
      for (const c of this.collectors) c.push(err);
    });
  }

  static async create(ctx: LockClientContext): Promise<NodeRedlockV4> {
    const clients = ctx.redis.map((e) => lockRedis(e, { commandTimeoutMs: tuning(ctx, 'nodeTimeoutMs', 1000) }));
    await Promise.all(clients.map((c) => connectQuietly(c, 2000)));
    const retryDelay = tuning(ctx, 'retryDelayMs', 20);
    const redlock = new Redlock(clients, { driftFactor: 0.01, retryCount: 0, retryDelay, retryJitter: Math.round(retryDelay / 2) });
    return new NodeRedlockV4(clients, redlock, retryDelay);
  }

  /** Runs `fn`, returning its result or rejection together with the clientErrors emitted meanwhile. */
  private async observed<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T; errors: unknown[] } | { ok: false; error: unknown; errors: unknown[] }> {
    const errors: unknown[] = [];
    this.collectors.add(errors);
    try {
      return { ok: true, value: await fn(), errors };
    } catch (error) {
      return { ok: false, error, errors };
    } finally {
      this.collectors.delete(errors);
    }
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const acquiredAtMs = monoMs();
    const retryCount = Math.max(0, Math.floor(opts.waitMs / this.retryDelayMs));
    const r = await this.observed(() => this.redlock.lockWithOptions(lockKey(key), opts.ttlMs, { retryCount, retryDelay: this.retryDelayMs }));
    if (r.ok) {
      const lock = r.value;
      this.locks.set(lock.value, lock);
      const lease: Lease = { key, owner: lock.value, acquiredAtMs, validUntilMs: toMonotonic(lock.expiration), token: undefined, lost: never };
      return { acquired: true, lease };
    }
    if (r.error instanceof Redlock.LockError) {
      const v = errorsVerdict(r.errors);
      if (v === 'none') return { acquired: false, reason: 'busy' };
      if (v === 'definite') return { acquired: false, reason: 'unavailable', detail: summary(r.errors) };
      throw new LockUnknownError('acquire', `node-redlock-v4: ${summary(r.errors)}`, { cause: r.error });
    }
    throw new LockUnknownError('acquire', `node-redlock-v4: ${errorMessage(r.error)}`, { cause: r.error });
  }

  async release(lease: Lease): Promise<ReleaseOutcome> {
    const lock = this.locks.get(lease.owner);
    if (!lock) return 'not-held';
    this.locks.delete(lease.owner);
    const r = await this.observed(() => lock.unlock());
    if (r.ok) return 'released';
    if (r.error instanceof Redlock.LockError && r.errors.length === 0) return 'not-held';
    throw new LockUnknownError('release', `node-redlock-v4: ${r.errors.length > 0 ? summary(r.errors) : errorMessage(r.error)}`, { cause: r.error });
  }

  async extend(lease: Lease, ttlMs: number): Promise<ExtendOutcome> {
    const lock = this.locks.get(lease.owner);
    if (!lock) return { extended: false, reason: 'not-held' };
    const r = await this.observed(() => lock.extend(ttlMs));
    if (r.ok) return { extended: true, lease: { ...lease, validUntilMs: toMonotonic(r.value.expiration) } };
    if (r.error instanceof Redlock.LockError) {
      const v = errorsVerdict(r.errors);
      if (v === 'none') return { extended: false, reason: 'not-held' };
      if (v === 'definite') return { extended: false, reason: 'unavailable' };
      throw new LockUnknownError('extend', `node-redlock-v4: ${summary(r.errors)}`, { cause: r.error });
    }
    throw new LockUnknownError('extend', `node-redlock-v4: ${errorMessage(r.error)}`, { cause: r.error });
  }
}

export const createNodeRedlockV4 = (ctx: LockClientContext): Promise<LockClient> => NodeRedlockV4.create(ctx);

// The Redlock protocol on the 5 masters: the ACQUIRE script everywhere, then the RELEASE script
// everywhere — 2 round trips at the majority's pace; it waits for every master, so the floor (at the
// fastest majority) is a bound it cannot quite reach. A waiter's retry is granted one round trip after a release.
export const nodeRedlockV4Spec: LockSpec = {
  name: 'node-redlock-v4',
  model: { system: 'redis', lease: 'ttl', family: 'fan-out', nodes: 'all', partitionSide: 'client', fencingTokens: false },
  floor: { roundTrips: 2, writes: 0, over: 'quorum', handoff: { roundTrips: 1, writes: 0 } },
  colour: '#7b4173',
  sources: ['locks/node-redlock-v4.ts', 'locks/redis-connection.ts'],
  package: installedPackage('redlock-v4'),
  create: createNodeRedlockV4,
};
