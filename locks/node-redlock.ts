// `node-redlock`: the npm `redlock` package, the Redlock client many Node users run, wrapped
// behind our interface WITHOUT fixing its behaviour: we measure it as users get it.
//
// Version: pinned to 5.0.0-beta.2. npm's `latest` tag still points at 4.2.0 (2019, callback API,
// bluebird), but 5.0.0-beta.2 is what the project's README and TypeScript users with ioredis 5
// install: it is ESM/TypeScript-native and typed against ioredis. Its known problems are part of
// what we measure: it can return a lock whose expiration has already passed (no validity check
// after the quorum), it keeps partial keys between retries (self-blocking under contention), it
// computes expiration from the first attempt's start, and it uses the wall clock (Date.now()).
//
// Mapping of its results:
//   acquire resolves          → a lease; validity = its `expiration` moved onto the monotonic clock
//   ExecutionError where every vote against was ResourceLockedError (the key was held) → busy
//   ExecutionError with other vote errors (timeouts, dropped connections) → unknown
//   release resolves          → released; ExecutionError where every vote was "not ours" → not-held
// It has no fencing token.
import type { Redis } from 'ioredis';
import * as redlockRuntime from 'redlock';
// redlock 5.0.0-beta.2 ships types but its package.json "exports" hides them from NodeNext
// resolution, so the runtime module is typed from its declaration file directly.
import type * as RedlockTypes from '../node_modules/redlock/dist/index.js';

const redlockModule = redlockRuntime as unknown as typeof RedlockTypes;
const { ExecutionError, ResourceLockedError } = redlockModule;
const Redlock = redlockModule.default;
type Redlock = RedlockTypes.default;
type ExecutionError = RedlockTypes.ExecutionError;
type ExecutionStats = RedlockTypes.ExecutionStats;
type Lock = RedlockTypes.Lock;
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { RedisConnections, connectQuietly, lockKey, lockRedis } from './redis-connection.ts';
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
import type { LockSpec } from './spec.ts';

const never = new AbortController().signal;

/** Wall-clock expiration (ms since epoch) → host monotonic deadline. */
function toMonotonic(expirationEpochMs: number): number {
  return monoMs() + (expirationEpochMs - Date.now());
}

/** The votes against that were not "the key is held": timeouts, dropped connections, ... */
async function unexpectedVoteErrors(err: ExecutionError): Promise<Error[]> {
  const stats: ExecutionStats[] = await Promise.all(err.attempts);
  return stats.flatMap((s) => [...s.votesAgainst.values()]).filter((e) => !(e instanceof ResourceLockedError));
}

export class NodeRedlock extends RedisConnections implements LockClient {
  readonly name = 'node-redlock';
  private readonly locks = new Map<string, Lock>();
  private readonly retryDelayMs: number;

  private constructor(
    private readonly clients: readonly Redis[],
    private readonly redlock: Redlock,
    ctx: LockClientContext,
  ) {
    super(clients);
    this.retryDelayMs = tuning(ctx, 'retryDelayMs', 20);
  }

  static async create(ctx: LockClientContext): Promise<NodeRedlock> {
    // ioredis has no command timeout by default and node-redlock sets none; 1 s keeps a dead master
    // from hanging a run while staying far from the spurious timeouts a loaded machine would cause.
    const clients = ctx.redis.map((e) => lockRedis(e, { commandTimeoutMs: tuning(ctx, 'nodeTimeoutMs', 1000) }));
    await Promise.all(clients.map((c) => connectQuietly(c, 2000)));
    const retryDelay = tuning(ctx, 'retryDelayMs', 20);
    const redlock = new Redlock(clients, { driftFactor: 0.01, retryCount: 0, retryDelay, retryJitter: Math.round(retryDelay / 2) });
    return new NodeRedlock(clients, redlock, ctx);
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const acquiredAtMs = monoMs();
    // The package counts retries, not time: spend the wait budget as retries of its own delay.
    const retryCount = Math.max(0, Math.floor(opts.waitMs / this.retryDelayMs));
    try {
      const lock = await this.redlock.acquire([lockKey(key)], opts.ttlMs, { retryCount });
      this.locks.set(lock.value, lock);
      const lease: Lease = { key, owner: lock.value, acquiredAtMs, validUntilMs: toMonotonic(lock.expiration), token: undefined, lost: never };
      return { acquired: true, lease };
    } catch (err) {
      if (err instanceof ExecutionError) {
        const unexpected = await unexpectedVoteErrors(err);
        if (unexpected.length === 0) return { acquired: false, reason: 'busy' };
        throw new LockUnknownError('acquire', `node-redlock: ${unexpected.map((e) => e.message).slice(0, 3).join('; ')}`, { cause: err });
      }
      throw new LockUnknownError('acquire', `node-redlock: ${errorMessage(err)}`, { cause: err });
    }
  }

  async release(lease: Lease): Promise<ReleaseOutcome> {
    const lock = this.locks.get(lease.owner);
    if (!lock) return 'not-held';
    this.locks.delete(lease.owner);
    try {
      await this.redlock.release(lock, { retryCount: 0 });
      return 'released';
    } catch (err) {
      if (err instanceof ExecutionError) {
        if ((await unexpectedVoteErrors(err)).length === 0) return 'not-held';
      }
      throw new LockUnknownError('release', `node-redlock: ${errorMessage(err)}`, { cause: err });
    }
  }

  async extend(lease: Lease, ttlMs: number): Promise<ExtendOutcome> {
    const lock = this.locks.get(lease.owner);
    if (!lock) return { extended: false, reason: 'not-held' };
    try {
      const next = await lock.extend(ttlMs);
      this.locks.set(lease.owner, next);
      return { extended: true, lease: { ...lease, validUntilMs: toMonotonic(next.expiration) } };
    } catch (err) {
      if (err instanceof ExecutionError) {
        if ((await unexpectedVoteErrors(err)).length === 0) return { extended: false, reason: 'not-held' };
      }
      throw new LockUnknownError('extend', `node-redlock: ${errorMessage(err)}`, { cause: err });
    }
  }

}

export const createNodeRedlock = (ctx: LockClientContext): Promise<LockClient> => NodeRedlock.create(ctx);

// The same protocol as redlock, as the npm package does it.
export const nodeRedlockSpec: LockSpec = {
  name: 'node-redlock',
  model: { system: 'redis', lease: 'ttl', family: 'fan-out', nodes: 'all', partitionSide: 'client', fencingTokens: false },
  floor: { roundTrips: 2, writes: 0, over: 'quorum', handoff: { roundTrips: 1, writes: 0 } },
  colour: '#b279a2',
  sources: ['locks/node-redlock.ts', 'locks/redis-connection.ts'],
  package: installedPackage('redlock'),
  knownDefects: [
    {
      cells: 'contended',
      text:
        'a known defect of that beta: its retries keep the keys a failed attempt set, so a contender blocks on its own key ' +
        'and a later attempt needs every other master',
      ref: 'open upstream pull request mike-marcacci/node-redlock#369',
    },
  ],
  create: createNodeRedlock,
};
