// `redlock`: our own implementation of the Redlock algorithm as redis.io specifies it, on the
// independent masters (all Redis nodes of the cluster, 5 by default):
//   1. T1 = monotonic now; SET key owner NX PX ttl on every master in parallel, each with a short
//      timeout (so a dead master costs little);
//   2. the lock is held if a majority answered OK and validity = ttl − (now − T1) − drift > 0;
//      a lease that is already invalid when the majority answers is not a lease;
//   3. otherwise release on every master (including those that said no), wait a random delay,
//      and retry while the wait budget lasts.
// Release: compare-and-delete on every master. Extend: compare-and-PEXPIRE on every master,
// counted only with a majority within the new validity.
// No fencing token: independent masters share no counter, so no number they hand out grows with
// every grant across all of them.
// Outcomes: "busy" when no attempt could have produced a majority (OK answers plus answers we
// could not hear stay below a majority, or our cleanup was heard everywhere); otherwise, when an
// attempt failed with in-flight commands that might have set our key on a majority, the outcome is
// unknown (LockUnknownError).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { monoMs, sleep } from '../core/clock.ts';
import { EXTEND_LUA, RELEASE_LUA, RedisConnections, classifyRedisError, connectQuietly, driftMs, lockKey, lockRedis, within } from './redis-connection.ts';
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

type Vote = 'yes' | 'no' | 'unknown' | 'unreachable';

export class Redlock extends RedisConnections implements LockClient {
  readonly name = 'redlock';
  private readonly quorum: number;
  private readonly nodeTimeoutMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;

  private constructor(
    private readonly masters: readonly Redis[],
    ctx: LockClientContext,
  ) {
    super(masters);
    this.quorum = Math.floor(masters.length / 2) + 1;
    this.nodeTimeoutMs = tuning(ctx, 'nodeTimeoutMs', 50);
    this.retryMinMs = tuning(ctx, 'retryMinMs', 5);
    this.retryMaxMs = tuning(ctx, 'retryMaxMs', 30);
  }

  static async create(ctx: LockClientContext): Promise<Redlock> {
    if (ctx.redis.length < 3) throw new Error(`redlock needs at least 3 independent masters, the cluster has ${ctx.redis.length}`);
    const masters = ctx.redis.map((e) => lockRedis(e, { commandTimeoutMs: 1000 }));
    await Promise.all(masters.map((m) => connectQuietly(m, 2000)));
    return new Redlock(masters, ctx);
  }

  private async onAll(run: (m: Redis) => Promise<unknown>, timeoutMs: number): Promise<{ vote: Vote; reply?: unknown }[]> {
    return Promise.all(
      this.masters.map(async (m) => {
        try {
          return { vote: 'yes' as Vote, reply: await within(run(m), timeoutMs) };
        } catch (err) {
          const kind = classifyRedisError(err);
          return { vote: kind === 'not-sent' ? 'unreachable' : kind === 'rejected' ? 'no' : 'unknown' };
        }
      }),
    );
  }

  /** Compare-and-delete on every master; true if every master answered. */
  private async releaseEverywhere(key: string, owner: string): Promise<{ allHeard: boolean; deleted: number }> {
    const votes = await this.onAll((m) => m.eval(RELEASE_LUA, 1, lockKey(key), owner), Math.max(this.nodeTimeoutMs, 200));
    return {
      allHeard: votes.every((v) => v.vote === 'yes' || v.vote === 'unreachable'),
      deleted: votes.filter((v) => v.vote === 'yes' && v.reply === 1).length,
    };
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const deadline = monoMs() + opts.waitMs;
    let uncertain = false;
    for (;;) {
      const owner = randomBytes(16).toString('hex');
      const t1 = monoMs();
      const votes = await this.onAll((m) => m.set(lockKey(key), owner, 'PX', opts.ttlMs, 'NX'), this.nodeTimeoutMs);
      const elapsed = monoMs() - t1;
      const ok = votes.filter((v) => v.vote === 'yes' && v.reply === 'OK').length;
      const unknown = votes.filter((v) => v.vote === 'unknown').length;
      const validityMs = opts.ttlMs - elapsed - driftMs(opts.ttlMs);
      if (ok >= this.quorum && validityMs > 0) {
        return { acquired: true, lease: { key, owner, acquiredAtMs: t1, validUntilMs: t1 + opts.ttlMs - driftMs(opts.ttlMs), token: undefined, lost: never } };
      }
      const cleanup = await this.releaseEverywhere(key, owner);
      // Could this attempt have left our key on a majority without us knowing?
      if (ok + unknown >= this.quorum && !cleanup.allHeard) uncertain = true;
      if (monoMs() >= deadline) {
        if (uncertain) throw new LockUnknownError('acquire', 'an attempt timed out on enough masters that it may have set a majority');
        const reachable = votes.filter((v) => v.vote !== 'unreachable').length;
        return reachable < this.quorum
          ? { acquired: false, reason: 'unavailable', detail: `${reachable} of ${this.masters.length} masters reachable` }
          : { acquired: false, reason: 'busy' };
      }
      await sleep(Math.min(jitterMs(this.retryMinMs, this.retryMaxMs), Math.max(0, deadline - monoMs())));
    }
  }

  async release(lease: Lease): Promise<ReleaseOutcome> {
    const votes = await this.onAll((m) => m.eval(RELEASE_LUA, 1, lockKey(lease.key), lease.owner), Math.max(this.nodeTimeoutMs, 200));
    const deleted = votes.filter((v) => v.vote === 'yes' && v.reply === 1).length;
    if (votes.some((v) => v.vote === 'unknown' || v.vote === 'unreachable') && deleted < this.quorum) {
      throw new LockUnknownError('release', `deleted on ${deleted} masters; others did not answer`);
    }
    return deleted >= this.quorum ? 'released' : 'not-held';
  }

  async extend(lease: Lease, ttlMs: number): Promise<ExtendOutcome> {
    const t1 = monoMs();
    const votes = await this.onAll((m) => m.eval(EXTEND_LUA, 1, lockKey(lease.key), lease.owner, ttlMs), this.nodeTimeoutMs);
    const ok = votes.filter((v) => v.vote === 'yes' && v.reply === 1).length;
    const validUntilMs = t1 + ttlMs - driftMs(ttlMs);
    if (ok >= this.quorum && validUntilMs > monoMs()) return { extended: true, lease: { ...lease, validUntilMs } };
    if (votes.some((v) => v.vote === 'unknown')) throw new LockUnknownError('extend', `extended on ${ok} masters; others did not answer in time`);
    return { extended: false, reason: votes.filter((v) => v.vote !== 'unreachable').length < this.quorum ? 'unavailable' : 'not-held' };
  }

}

export const createRedlock = (ctx: LockClientContext): Promise<LockClient> => Redlock.create(ctx);

// Two fan-out rounds to every master, done when the fastest majority answered.
export const redlockSpec: LockSpec = {
  minNodes: 3,
  name: 'redlock',
  model: { system: 'redis', lease: 'ttl', family: 'fan-out', nodes: 'all', partitionSide: 'client', fencingTokens: false },
  floor: { roundTrips: 2, writes: 0, over: 'quorum', handoff: { roundTrips: 1, writes: 0 } },
  colour: '#f58518',
  sources: ['locks/redlock.ts', 'locks/redis-connection.ts'],
  create: createRedlock,
};
