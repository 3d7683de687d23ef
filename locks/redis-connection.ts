// ioredis connections set up for locks, and the one place that decides what an ioredis error
// means for a lock operation:
//   not-sent  the command never left this process (offline, connection refused): definitely no effect
//   rejected  Redis answered with an error: the script did not run to completion, no effect
//   unknown   the command may have reached Redis (timeout, connection dropped while in flight)
import { Redis, type RedisOptions } from 'ioredis';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';
import { redisAccess } from '../core/access.ts';
import { LockUnknownError, type Endpoint, type ExtendOutcome, type Lease, type ReleaseOutcome } from './lock-client.ts';

export type RedisErrorKind = 'not-sent' | 'rejected' | 'unknown';

export function classifyRedisError(err: unknown): RedisErrorKind {
  if (!(err instanceof Error)) return 'unknown';
  if (err.name === 'ReplyError') return 'rejected';
  // With the offline queue off, ioredis rejects before writing anything while disconnected.
  if (err.message.includes("Stream isn't writeable")) return 'not-sent';
  // Timeouts and "Connection is closed." for commands already written: they may have run.
  return 'unknown';
}

export interface LockRedisOptions {
  /** ioredis' own safety-net timeout; per-call deadlines are tighter where the algorithm needs it. */
  readonly commandTimeoutMs: number;
}

/**
 * A connection that fails fast instead of queueing (no offline queue, no retried or re-sent
 * commands: a SET NX re-sent after we gave up would leave an orphan lock), and that keeps trying
 * to reconnect in the background so a restarted node is used again.
 */
export function lockRedis(endpoint: Endpoint, opts: LockRedisOptions): Redis {
  return quiet(new Redis({ host: endpoint.host, port: endpoint.port, ...failFast(opts), ...redisAccess(endpoint) }));
}

/** The fail-fast settings of every lock connection (see lockRedis), for clients built otherwise (through Sentinels). */
export function failFast(opts: LockRedisOptions): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableAutoPipelining: false,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * times, 500),
  };
}

/** Connection errors surface through command outcomes; without a listener ioredis would log them. */
export function quiet(redis: Redis): Redis {
  redis.on('error', () => undefined);
  return redis;
}

/** Compare-and-delete of a lease's key: released or not-held; any failure is unknown (the grant stays until its TTL). */
export async function releaseLease(redis: Redis, lease: Lease, timeoutMs: number): Promise<ReleaseOutcome> {
  try {
    const n = (await within(redis.eval(RELEASE_LUA, 1, lockKey(lease.key), lease.owner), timeoutMs)) as number;
    return n === 1 ? 'released' : 'not-held';
  } catch (err) {
    throw new LockUnknownError('release', errorMessage(err), { cause: err });
  }
}

/** Compare-and-PEXPIRE of a lease's key, its validity counted from when it was sent (monotonic clock). */
export async function extendLease(redis: Redis, lease: Lease, ttlMs: number, timeoutMs: number): Promise<ExtendOutcome> {
  const sentAt = monoMs();
  try {
    const n = (await within(redis.eval(EXTEND_LUA, 1, lockKey(lease.key), lease.owner, ttlMs), timeoutMs)) as number;
    if (n !== 1) return { extended: false, reason: 'not-held' };
    return { extended: true, lease: { ...lease, validUntilMs: sentAt + ttlMs - driftMs(ttlMs) } };
  } catch (err) {
    if (classifyRedisError(err) === 'not-sent') return { extended: false, reason: 'unavailable' };
    throw new LockUnknownError('extend', errorMessage(err), { cause: err });
  }
}

/** Starts connecting and waits up to `timeoutMs` for the connection; a node that is down is not an error. */
export async function connectQuietly(redis: Redis, timeoutMs: number): Promise<void> {
  try {
    await withDeadline(redis.connect(), `connect to ${redis.options.host ?? '?'}:${redis.options.port ?? '?'}`, timeoutMs);
  } catch {
    // ioredis keeps retrying in the background; operations report the node as unavailable meanwhile.
  }
}

/** Rejects with a timeout error if `p` has not settled within `ms`; the command may still run. */
export function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return withDeadline(p, 'redis command', ms);
}

export const ACQUIRE_WITH_TOKEN_LUA = `
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('incr', KEYS[2])
end
return 0`;

export const RELEASE_LUA = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

export const EXTEND_LUA = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`;

/** Redis TTLs have 1 ms precision; clocks drift. The usual allowance: 1% of the TTL plus 2 ms. */
export function driftMs(ttlMs: number): number {
  return Math.round(ttlMs * 0.01) + 2;
}

export const lockKey = (key: string): string => `lockbench:lock:${key}`;
export const fenceKey = (key: string): string => `lockbench:fence:${key}`;

/**
 * What every lock client built on ioredis connections shares: closing drops each connection
 * (no QUIT round trip: a node may be down or partitioned when a run ends).
 */
export abstract class RedisConnections implements AsyncDisposable {
  protected constructor(private readonly connections: readonly Redis[]) {}

  close(): Promise<void> {
    for (const c of this.connections) c.disconnect();
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
