// An ioredis connection to the current primary of the Sentinel topology, found the way ioredis
// users find it: by asking the Sentinels (ioredis' `sentinels` + `name` options). lockbench's
// additions, each needed for the lab and none changing what the client decides:
//   natMap          a Sentinel names the primary by the address the members know it by
//                   (toxiproxy:<peer port>); the client maps it onto its own link to that node
//   updateSentinels off, so the client keeps to its own links (a Sentinel reports its peers'
//                   container addresses, which would bypass the client's proxies)
// and the fail-fast settings of every lock connection (locks/redis-connection.ts lockRedis). A
// READONLY reply (the node was demoted after a failover) makes ioredis reconnect, through the
// Sentinels, as ioredis' documentation suggests for Sentinel setups (reconnectOnError).
import { Redis } from 'ioredis';
import { DATA_PREFIX, MASTER_NAME, SENTINEL_PREFIX } from '../clusters/systems/redis-sentinel/config.ts';
import type { Endpoint, LockClientContext } from './lock-client.ts';
import { failFast, quiet } from './redis-connection.ts';
import { redisAccess } from '../core/access.ts';

const SYSTEM = 'redis-sentinel';

export function sentinelLinks(ctx: LockClientContext): { readonly sentinels: Endpoint[]; readonly data: Endpoint[] } {
  const all = ctx.endpoints[SYSTEM] ?? [];
  return { sentinels: all.filter((e) => e.group === SENTINEL_PREFIX), data: all.filter((e) => e.group === DATA_PREFIX) };
}

export function sentinelRedis(ctx: LockClientContext, opts: { readonly commandTimeoutMs: number }): Redis {
  const { sentinels, data } = sentinelLinks(ctx);
  if (sentinels.length === 0 || data.length === 0) throw new Error('the Sentinel locks need the redis-sentinel system (--systems redis-sentinel)');
  const natMap = Object.fromEntries(data.filter((e) => e.announced !== undefined).map((e) => [e.announced as string, { host: e.host, port: e.port }]));
  // An external target: its master name, its data nodes' account, and keys under its namespace.
  const first = data[0];
  const access = first ? redisAccess(first) : {};
  const redis = new Redis({
    sentinels: sentinels.map((e) => ({ host: e.host, port: e.port })),
    name: first?.service ?? MASTER_NAME,
    ...access,
    role: 'master',
    natMap,
    updateSentinels: false,
    sentinelCommandTimeout: 1000,
    sentinelRetryStrategy: (times) => Math.min(100 * times, 1000),
    ...failFast(opts),
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 1 : false),
  });
  return quiet(redis);
}
