// `redis`: a lock on a single Redis instance (redis-1), as redis.io describes it.
//   acquire  one Lua script: SET key owner NX PX ttl, and on success INCR a per-key fence counter
//            whose value is the fencing token; busy → retry after a random delay until the budget ends
//   release  compare-and-delete in Lua (a plain DEL could delete another client's grant)
//   extend   compare-and-PEXPIRE in Lua
// Validity: ttl − drift counted from the moment the acquire was sent (monotonic clock).
// Outcomes: a script answer (token or 0) is definite; a command that never left this process
// (node unreachable) is "unavailable"; a timeout or a connection dropped mid-command is unknown
// (LockUnknownError): the SET may have happened.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { monoMs, sleep } from '../core/clock.ts';
import {
  ACQUIRE_WITH_TOKEN_LUA,
  RedisConnections,
  classifyRedisError,
  connectQuietly,
  driftMs,
  extendLease,
  fenceKey,
  lockKey,
  lockRedis,
  releaseLease,
  within,
} from './redis-connection.ts';
import {
  LockUnknownError,
  jitterMs,
  tuning,
  type AcquireOptions,
  type AcquireOutcome,
  type ExtendOutcome,
  type Lease,
  type LockClient,
  type LockClientContext,
  type ReleaseOutcome,
} from './lock-client.ts';
import type { LockSpec } from './spec.ts';
import { errorMessage } from '../core/errors.ts';

const never = new AbortController().signal;

export class RedisLock extends RedisConnections implements LockClient {
  readonly name = 'redis';
  private readonly commandTimeoutMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;

  private constructor(
    private readonly redis: Redis,
    ctx: LockClientContext,
  ) {
    super([redis]);
    this.commandTimeoutMs = tuning(ctx, 'commandTimeoutMs', 1000);
    this.retryMinMs = tuning(ctx, 'retryMinMs', 2);
    this.retryMaxMs = tuning(ctx, 'retryMaxMs', 10);
  }

  static async create(ctx: LockClientContext): Promise<RedisLock> {
    const endpoint = ctx.redis[0];
    if (!endpoint) throw new Error('the redis lock needs at least one Redis node');
    const redis = lockRedis(endpoint, { commandTimeoutMs: tuning(ctx, 'commandTimeoutMs', 1000) });
    await connectQuietly(redis, 2000);
    return new RedisLock(redis, ctx);
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const owner = randomBytes(16).toString('hex');
    const deadline = monoMs() + opts.waitMs;
    for (;;) {
      const sentAt = monoMs();
      let token: number;
      try {
        token = (await within(this.redis.eval(ACQUIRE_WITH_TOKEN_LUA, 2, lockKey(key), fenceKey(key), owner, opts.ttlMs), this.commandTimeoutMs)) as number;
      } catch (err) {
        const kind = classifyRedisError(err);
        if (kind === 'unknown') throw new LockUnknownError('acquire', errorMessage(err), { cause: err });
        if (monoMs() >= deadline) return { acquired: false, reason: 'unavailable', detail: errorMessage(err) };
        await sleep(jitterMs(this.retryMinMs * 10, this.retryMaxMs * 10));
        continue;
      }
      if (token > 0) {
        const lease: Lease = { key, owner, acquiredAtMs: sentAt, validUntilMs: sentAt + opts.ttlMs - driftMs(opts.ttlMs), token: BigInt(token), lost: never };
        return { acquired: true, lease };
      }
      if (monoMs() >= deadline) return { acquired: false, reason: 'busy' };
      await sleep(Math.min(jitterMs(this.retryMinMs, this.retryMaxMs), Math.max(0, deadline - monoMs())));
    }
  }

  release(lease: Lease): Promise<ReleaseOutcome> {
    return releaseLease(this.redis, lease, this.commandTimeoutMs);
  }

  extend(lease: Lease, ttlMs: number): Promise<ExtendOutcome> {
    return extendLease(this.redis, lease, ttlMs, this.commandTimeoutMs);
  }
}

export const createRedisLock = (ctx: LockClientContext): Promise<LockClient> => RedisLock.create(ctx);

// SET NX PX, then compare-and-delete: two round trips to redis-1; the next waiter can be granted one round trip after a release.
export const redisLockSpec: LockSpec = {
  name: 'redis',
  model: { system: 'redis', lease: 'ttl', family: 'single', nodes: 'first', partitionSide: 'client', fencingTokens: true },
  floor: { roundTrips: 2, writes: 0, over: 'one-node', handoff: { roundTrips: 1, writes: 0 } },
  colour: '#e45756',
  sources: ['locks/redis-lock.ts', 'locks/redis-connection.ts'],
  create: createRedisLock,
};
