// Redis's raw floor operations on ioredis: PING round trips, and SET NX PX + compare-and-delete,
// the least a single-Redis lock cycle does.
import { Redis } from 'ioredis';
import { monoMs } from '../../../core/clock.ts';
import { redisAccess, sessionAccess } from '../../../core/access.ts';
import type { FloorOps } from '../driver.ts';

// The same compare-and-delete as the lock clients' release (locks/redis-connection.ts; a unit test
// keeps the two equal): the floor must do exactly the work a cycle cannot avoid.
export const COMPARE_AND_DELETE = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/** A floor connection; against an external target, `system`'s account and every key under the run's namespace (core/access.ts). */
export function floorClient(system: string, host: string, port: number, timeoutMs = 5000): Redis {
  const access = redisAccess(sessionAccess(system));
  const c = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: false, connectTimeout: timeoutMs, commandTimeout: timeoutMs, ...access });
  c.on('error', () => undefined);
  return c;
}

const HOST = '127.0.0.1';

/** The operations on the Redis servers of `system` (redis, or the Sentinel topology's data nodes). */
export function redisFloorOpsFor(system: string): FloorOps {
  const client = (host: string, port: number, timeoutMs?: number): Redis => floorClient(system, host, port, timeoutMs);
  return {
    async roundTrips(address) {
      const { host, port } = hostPort(address);
      const c = client(host, port);
      try {
        await c.connect();
      } catch (err) {
        c.disconnect();
        throw err;
      }
      return { ops: () => c.ping(), close: () => Promise.resolve(c.disconnect()) };
    },

    async pairs(targets, scope) {
      const clients = targets.map((port) => client(HOST, Number(port)));
      try {
        await Promise.all(clients.map((c) => c.connect()));
      } catch (err) {
        for (const c of clients) c.disconnect();
        throw err;
      }
      return {
        ops: async (i, n) => {
          const c = clients[i];
          if (!c) return;
          const key = `${scope}:${i}`;
          const owner = `o${n}`;
          await c.set(key, owner, 'PX', 10_000, 'NX');
          await c.eval(COMPARE_AND_DELETE, 1, key, owner);
        },
        close: () => Promise.resolve(clients.forEach((c) => c.disconnect())),
      };
    },

    // Key globs only: a pattern starting with '/' names a path, which a Redis key space does not hold.
    async removeMatching(address, patterns, deadlineMs) {
      const { host, port } = hostPort(address);
      const c = client(host, port, 3000);
      let deleted = 0;
      try {
        await c.connect();
        for (const pattern of patterns.filter((p) => !p.startsWith('/'))) {
          let cursor = '0';
          do {
            const [next, keys] = await c.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) deleted += await c.del(...keys);
          } while (cursor !== '0' && monoMs() < deadlineMs);
        }
        return deleted;
      } finally {
        c.disconnect();
      }
    },
  };
}

export const redisFloorOps: FloorOps = redisFloorOpsFor('redis');
