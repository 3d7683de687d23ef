// ZooKeeper as lockbench runs it: one ensemble. It is ready only when it has elected exactly one
// leader and every other node follows (a lone node: standalone); a node serves once it has joined
// a quorum, which is what "serving again" means after a crash, a pause or a partition.
import { HarnessError, errorMessage } from '../../../core/errors.ts';
import { waitFor } from '../../../core/wait.ts';
import type { SystemDriver } from '../driver.ts';
import { MAX_ZK, validateZookeeperConfig, zookeeperDurability, zookeeperEnv, type ZookeeperConfig } from './config.ts';
import { zookeeperNodeCounters } from './counters.ts';
import { zkCommand, zkMode, type ZkMode } from './probes.ts';

const QUORUM_TIMEOUT_MS = 120_000;
export const ZK_CONTAINER_MEMORY_BYTES = 1536 * 1024 * 1024;

/** Exactly one leader and the rest followers; a lone node is standalone. */
export function ensembleFormed(modes: readonly ZkMode[]): boolean {
  if (modes.length === 1) return modes[0] === 'standalone';
  return modes.filter((m) => m === 'leader').length === 1 && modes.filter((m) => m === 'follower').length === modes.length - 1;
}

export const zookeeperDriver = {
  name: 'zookeeper',
  nodePrefix: 'zk',
  maxNodes: MAX_ZK,
  internalPort: 2181,
  describeNodes: (n) => `${n} ZooKeeper node${n === 1 ? '' : 's'}`,
  config: {
    options: [{ flag: 'zk-nodes', field: 'zkNodes', type: 'number', describe: `ZooKeeper ensemble size (odd, 1-${MAX_ZK})` }],
    validate: validateZookeeperConfig,
    nodeCount: (c) => c.zkNodes,
    describe: (c) => `zookeeper forceSync ${c.zkForceSync ? 'yes' : 'no'}`,
    durability: zookeeperDurability,
  },
  image: { name: 'zookeeper', inputs: [{ from: 'clusters/systems/zookeeper/image', as: 'zookeeper' }, { from: 'clusters/images/skew', as: 'skew' }] },
  // The entrypoint writes zoo.cfg from these: server.<id>=zk-<id> for every id listed, forceSync.
  // The memory limit holds the entrypoint's 1000 MiB heap with a third to spare (see its comment).
  container: (node, nodes, c) => ({ env: zookeeperEnv(node.ordinal, nodes.map((n) => n.ordinal), c), memoryBytes: ZK_CONTAINER_MEMORY_BYTES }),
  probe: (host, port, timeoutMs) => zkCommand(host, port, 'srvr', timeoutMs),
  role: (host, port) => zkMode(host, port),
  async passesTraffic(host, port, timeoutMs) {
    const r = await zkCommand(host, port, 'ruok', timeoutMs);
    return r.state === 'answered' && r.reply.includes('imok');
  },
  async waitReady(nodes, o) {
    let lastModes: ZkMode[] = [];
    await waitFor(
      async () => {
        lastModes = await Promise.all(nodes.map((n) => zkMode(o.host, n.directPort)));
        return ensembleFormed(lastModes);
      },
      {
        what: `the ZooKeeper ensemble to elect exactly one leader (modes: ${nodes.map((n) => n.name).join(', ')})`,
        timeoutMs: Math.min(o.timeoutMs, QUORUM_TIMEOUT_MS),
        intervalMs: 300,
        ...(o.signal ? { signal: o.signal } : {}),
      },
    ).catch((err: unknown) => {
      throw new HarnessError('CLUSTER_START_FAILED', `${errorMessage(err)}; last modes: ${lastModes.join(', ')}`);
    });
  },
  faults: {
    async serving(host, port) {
      const mode = await zkMode(host, port);
      return mode === 'leader' || mode === 'follower' || mode === 'standalone';
    },
  },
  floor: {
    label: 'ZooKeeper',
    roundTrip: 'exists',
    pair: 'raw ZooKeeper create + delete pairs',
    unit: 'sessions',
    dataNoun: 'znodes',
    roundTripWarmup: 20,
    warmup: { maxConnections: 4, maxMs: 500 },
    quorumWrite: { resultField: 'writeMs', figureField: 'zkWriteMs', dir: (runTag, label) => `/lockbench/floor/${runTag}/${label}` },
    figureFields: { roundTrip: 'zkRttMs', pairsPerSec: 'zkPairsPerSec' },
    // The lock recipe's path: a session on the whole ensemble over the links its client would use.
    pairTarget: (endpoints) => endpoints.map((e) => `${e.host}:${e.port}`).join(','),
    measurementTag: (runTag, label) => `${runTag}-${label}`,
    // bench/drive.ts puts the raw pairs' directories under /lockbench/floor/<tag>/.
    floorLeftovers: (runTag) => [`/lockbench/floor/${runTag}`],
    ops: async () => (await import('./floor-ops.ts')).zookeeperFloorOps,
  },
  counters: zookeeperNodeCounters,
} satisfies SystemDriver<ZookeeperConfig, 'zookeeper'>;
