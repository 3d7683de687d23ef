// Redis as lockbench runs it: independent masters (no replication, no cluster bus), so the
// cluster is ready when every node answers PING, and every node is a master.
import { HarnessError } from '../../../core/errors.ts';
import { waitFor } from '../../../core/wait.ts';
import type { SystemDriver } from '../driver.ts';
import { MAX_REDIS, redisArgs, redisDurability, redisPersistenceModes, validateRedisConfig, type RedisConfig } from './config.ts';
import { redisAnchor } from './anchor.ts';
import { redisNodeCounters } from './counters.ts';
import { redisPing } from './probes.ts';

const READY_TIMEOUT_MS = 30_000;
const answers = async (host: string, port: number, timeoutMs = 1000): Promise<boolean> => (await redisPing(host, port, timeoutMs)).state === 'answered';

export const redisDriver = {
  name: 'redis',
  nodePrefix: 'redis',
  maxNodes: MAX_REDIS,
  internalPort: 6379,
  describeNodes: (n) => `${n} Redis master${n === 1 ? '' : 's'}`,
  config: {
    options: [
      { flag: 'redis-nodes', field: 'redisNodes', type: 'number', describe: `independent Redis masters (1-${MAX_REDIS})` },
      {
        flag: 'redis-persistence',
        field: 'redisPersistence',
        type: 'string',
        choices: redisPersistenceModes,
        describe: 'Redis persistence: none, AOF fsync everysec, or AOF fsync always [default: from --durability: memory none, disk always]',
        fromDurability: true,
      },
    ],
    validate: validateRedisConfig,
    nodeCount: (c) => c.redisNodes,
    describe: (c) => `redis persistence ${c.redisPersistence}`,
    durability: redisDurability,
  },
  image: { name: 'redis', inputs: [{ from: 'clusters/systems/redis/image', as: 'redis' }, { from: 'clusters/images/skew', as: 'skew' }] },
  container: (_node, _nodes, c) => ({ cmd: redisArgs(c.redisPersistence), env: [], memoryBytes: 256 * 1024 * 1024 }),
  probe: redisPing,
  role: async (host, port) => ((await answers(host, port)) ? 'master' : 'unreachable'),
  passesTraffic: answers,
  async waitReady(nodes, o) {
    await Promise.all(
      nodes.map((n) =>
        waitFor(() => answers(o.host, n.directPort), {
          what: `${n.name} to answer PING on ${o.host}:${n.directPort}`,
          timeoutMs: Math.min(o.timeoutMs, READY_TIMEOUT_MS),
          ...(o.signal ? { signal: o.signal } : {}),
        }),
      ),
    );
  },
  faults: { serving: (host, port) => answers(host, port) },
  floor: {
    label: 'Redis',
    roundTrip: 'PING',
    pair: 'raw SET NX PX + compare-and-delete pairs',
    unit: 'connections',
    dataNoun: 'Redis keys',
    roundTripWarmup: 50,
    warmup: {},
    everyNode: { resultField: 'mastersRttP50Ms', figureField: 'mastersRttMs' },
    figureFields: { roundTrip: 'redisRttMs', pairsPerSec: 'redisPairsPerSec' },
    // The single-Redis lock's path: every connection on redis-1, over the link its client would use.
    pairTarget: (endpoints) => {
      const first = endpoints[0];
      if (!first) throw new HarnessError('INTERNAL', 'no Redis node to drive raw pairs on');
      return first.port;
    },
    measurementTag: (runTag, label) => `lockbench:floor:${runTag}:${label}`,
    // Raw pair keys expire (PX); nothing else is left by the floor.
    floorLeftovers: () => [],
    ops: async () => (await import('./floor-ops.ts')).redisFloorOps,
  },
  anchor: redisAnchor,
  counters: redisNodeCounters,
} satisfies SystemDriver<RedisConfig, 'redis'>;
