// `sentinel`: a lock on the Redis primary of the Sentinel topology, as users write it: SET key
// owner NX PX ttl on whichever node the Sentinels name as primary, compare-and-delete to release,
// compare-and-PEXPIRE to extend. No fencing token (users of this pattern have none).
// `sentinel-wait` (sentinel-wait-lock.ts) is the same client with WAIT after each grant.
//   acquire  SET NX PX; with `replicaAcks` > 0, then WAIT <replicaAcks> <waitTimeoutMs>: a grant
//            counts only if that many replicas acknowledged it; otherwise it is withdrawn
//            (compare-and-delete) and the attempt retried, and a withdrawal that fails is unknown
//   busy     SET answered nil → retry after a random delay until the wait budget ends
// Validity: ttl − drift from the moment the SET was sent (monotonic clock).
// Outcomes: replies are definite; a command that never left (no primary known, reconnecting) is
// "unavailable"; READONLY (the node was demoted) is a definite "not set" and the client reconnects
// through the Sentinels; a timeout or a connection dropped mid-command is unknown.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { monoMs, sleep } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { RELEASE_LUA, RedisConnections, classifyRedisError, connectQuietly, driftMs, extendLease, lockKey, releaseLease, within } from './redis-connection.ts';
import { sentinelRedis } from './sentinel-connection.ts';
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

const never = new AbortController().signal;

export interface SentinelLockOptions {
  readonly name: string;
  /** Replicas that must acknowledge a grant (WAIT); 0: none asked. */
  readonly replicaAcks: number;
}

export class SentinelLock extends RedisConnections implements LockClient {
  readonly name: string;
  private readonly commandTimeoutMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly waitTimeoutMs: number;

  private constructor(
    private readonly redis: Redis,
    ctx: LockClientContext,
    private readonly o: SentinelLockOptions,
  ) {
    super([redis]);
    this.name = o.name;
    this.commandTimeoutMs = tuning(ctx, 'commandTimeoutMs', 1000);
    this.retryMinMs = tuning(ctx, 'retryMinMs', 2);
    this.retryMaxMs = tuning(ctx, 'retryMaxMs', 10);
    // Far above a healthy replication round trip (well under a millisecond here), far below a TTL.
    this.waitTimeoutMs = tuning(ctx, 'waitTimeoutMs', 200);
  }

  static async create(ctx: LockClientContext, o: SentinelLockOptions): Promise<SentinelLock> {
    const redis = sentinelRedis(ctx, { commandTimeoutMs: tuning(ctx, 'commandTimeoutMs', 1000) });
    await connectQuietly(redis, 3000);
    return new SentinelLock(redis, ctx, o);
  }

  /** WAIT for the replicas; true when enough acknowledged. A failed WAIT is unknown: the grant is on the primary, replicated or not. */
  private async replicated(): Promise<boolean> {
    try {
      const acked = Number(await within(this.redis.call('WAIT', String(this.o.replicaAcks), String(this.waitTimeoutMs)), this.waitTimeoutMs + this.commandTimeoutMs));
      return acked >= this.o.replicaAcks;
    } catch (err) {
      throw new LockUnknownError('acquire', `WAIT after the grant: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** Takes back a grant no replica acknowledged; a withdrawal that may not have happened leaves the outcome unknown. */
  private async withdraw(key: string, owner: string): Promise<void> {
    try {
      await within(this.redis.eval(RELEASE_LUA, 1, lockKey(key), owner), this.commandTimeoutMs);
    } catch (err) {
      throw new LockUnknownError('acquire', `withdrawing a grant no replica acknowledged: ${errorMessage(err)}`, { cause: err });
    }
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const owner = randomBytes(16).toString('hex');
    const deadline = monoMs() + opts.waitMs;
    let unreplicated = 0;
    for (;;) {
      const sentAt = monoMs();
      let set: string | null;
      try {
        set = await within(this.redis.set(lockKey(key), owner, 'PX', opts.ttlMs, 'NX'), this.commandTimeoutMs);
      } catch (err) {
        const kind = classifyRedisError(err);
        if (kind === 'unknown') throw new LockUnknownError('acquire', errorMessage(err), { cause: err });
        if (monoMs() >= deadline) return { acquired: false, reason: 'unavailable', detail: errorMessage(err) };
        await sleep(jitterMs(this.retryMinMs * 10, this.retryMaxMs * 10));
        continue;
      }
      if (set === 'OK') {
        if (this.o.replicaAcks === 0 || (await this.replicated())) {
          const lease: Lease = { key, owner, acquiredAtMs: sentAt, validUntilMs: sentAt + opts.ttlMs - driftMs(opts.ttlMs), token: undefined, lost: never };
          return { acquired: true, lease };
        }
        unreplicated += 1;
        await this.withdraw(key, owner);
        if (monoMs() >= deadline) return { acquired: false, reason: 'unavailable', detail: `${unreplicated} grant(s) withdrawn: fewer than ${this.o.replicaAcks} replica(s) acknowledged within ${this.waitTimeoutMs} ms` };
        await sleep(jitterMs(this.retryMinMs * 10, this.retryMaxMs * 10));
        continue;
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

// SET NX PX, then compare-and-delete: two round trips to the primary; the next waiter can be granted one round trip after a release.
export const sentinelLockSpec: LockSpec = {
  name: 'sentinel',
  model: { system: 'redis-sentinel', lease: 'ttl', family: 'replicated', nodes: 'first', partitionSide: 'client', fencingTokens: false },
  floor: { roundTrips: 2, writes: 0, over: 'one-node', handoff: { roundTrips: 1, writes: 0 } },
  colour: '#ff9da6',
  sources: ['locks/sentinel-lock.ts', 'locks/sentinel-connection.ts', 'locks/redis-connection.ts'],
  create: (ctx) => SentinelLock.create(ctx, { name: 'sentinel', replicaAcks: 0 }),
};
