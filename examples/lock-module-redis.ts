// An example of a user's own lock client for `--lock-module`: a plain single-Redis lock with
// SET NX PX and a compare-and-delete release. It uses only what lockbench passes in `ctx` (the
// Redis endpoints of this client's own proxied links), so lockbench's faults apply to it.
// Run it with: npm run chaos -- --lock-module examples/lock-module-redis.ts
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

// What this lock runs on (see README.md, "Testing your own lock client"): lockbench's faults then
// strike redis-1, the one node it uses, and its grants expire after the TTL.
export const system = 'redis';
export const lease = 'ttl';
export const nodes = 'first';
export const family = 'single';

interface Endpoint { host: string; port: number }
interface Ctx { clientId: number; redis: Endpoint[]; zookeeper: Endpoint[] }

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export async function createLockClient(ctx: Ctx) {
  const endpoint = ctx.redis[0];
  if (!endpoint) throw new Error('needs a Redis node');
  const redis = new Redis({ ...endpoint, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1000 });
  redis.on('error', () => undefined);
  await redis.connect();
  const never = new AbortController().signal;

  return {
    name: 'example-setnx',
    // Resolve { acquired: true, lease } or { acquired: false, reason: 'busy' | 'unavailable' };
    // throw when you cannot tell whether you got the lock.
    async acquire(key: string, opts: { ttlMs: number; waitMs: number }) {
      const deadline = performance.now() + opts.waitMs;
      const owner = randomBytes(16).toString('hex');
      for (;;) {
        const sentAt = Number(process.hrtime.bigint()) / 1e6;
        if ((await redis.set(`example:${key}`, owner, 'PX', opts.ttlMs, 'NX')) === 'OK') {
          // validUntilMs and acquiredAtMs are on the host monotonic clock (process.hrtime), in ms.
          return { acquired: true as const, lease: { key, owner, acquiredAtMs: sentAt, validUntilMs: sentAt + opts.ttlMs, token: undefined, lost: never } };
        }
        if (performance.now() >= deadline) return { acquired: false as const, reason: 'busy' as const };
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
      }
    },
    // Resolve 'released' or 'not-held' (it had expired or was taken over).
    async release(lease: { key: string; owner: string }) {
      return (await redis.eval(RELEASE, 1, `example:${lease.key}`, lease.owner)) === 1 ? ('released' as const) : ('not-held' as const);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
