// Deliberately broken lock clients, for proving that the checkers catch a lock that does not
// exclude: acquire by GET-then-SET (two clients can both see the key free) and release by plain
// DEL (deletes whoever holds it now).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { monoMs, sleep } from '../../core/clock.ts';
import type { AcquireOptions, AcquireOutcome, Lease, LockClient, LockClientContext, ReleaseOutcome } from '../../locks/lock-client.ts';

export async function createGetThenSetLock(ctx: LockClientContext): Promise<LockClient> {
  const endpoint = ctx.redis[0];
  if (!endpoint) throw new Error('needs Redis');
  const redis = new Redis({ ...endpoint, lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  const never = new AbortController().signal;
  return {
    name: 'broken-get-then-set',
    async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
      const deadline = monoMs() + opts.waitMs;
      const owner = randomBytes(8).toString('hex');
      for (;;) {
        const sentAt = monoMs();
        if ((await redis.get(`broken:${key}`)) === null) {
          // The race window: another client can pass the GET before this SET lands.
          await sleep(1);
          await redis.set(`broken:${key}`, owner, 'PX', opts.ttlMs);
          const lease: Lease = { key, owner, acquiredAtMs: sentAt, validUntilMs: sentAt + opts.ttlMs, token: undefined, lost: never };
          return { acquired: true, lease };
        }
        if (monoMs() >= deadline) return { acquired: false, reason: 'busy' };
        await sleep(1 + Math.random() * 3);
      }
    },
    async release(lease: Lease): Promise<ReleaseOutcome> {
      return (await redis.del(`broken:${lease.key}`)) === 1 ? 'released' : 'not-held';
    },
    async close() {
      redis.disconnect();
      await Promise.resolve();
    },
    async [Symbol.asyncDispose]() {
      redis.disconnect();
      await Promise.resolve();
    },
  };
}
