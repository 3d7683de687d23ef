// Redis as most teams deploy it for locks: one primary, asynchronous replicas and Sentinels that
// promote a replica when the primary is down (config.ts states every setting). Members reach each
// other through their peer proxies (topology.ts), so a replication link can be slowed or cut
// while clients still reach the primary; clients reach every node through their own slot's links
// like everywhere else, and find the primary by asking the Sentinels.
//
// Ready means settled (topology-view.ts judge) with rs-1 as primary: when a fault has left another
// node primary, waitReady asks the Sentinels for a failover, which promotes rs-1 (replica-priority
// 1), so every floor, fault and run starts from the same shape.
import { HarnessError } from '../../../core/errors.ts';
import { waitFor } from '../../../core/wait.ts';
import { monoMs } from '../../../core/clock.ts';
import { TOXIPROXY_HOST, type NodePlan } from '../../node-plan.ts';
import type { ReadyOptions, SystemDriver } from '../driver.ts';
import { redisNodeCounters } from '../redis/counters.ts';
import { redisPing } from '../redis/probes.ts';
import {
  DATA_PORT,
  DATA_PREFIX,
  DOWN_AFTER_MS,
  FAILOVER_TIMEOUT_MS,
  MAX_SENTINEL_REPLICAS,
  MAX_SENTINELS,
  SENTINEL_PORT,
  SENTINEL_PREFIX,
  dataNodeArgs,
  quorumOf,
  sentinelConf,
  sentinelDurability,
  validateSentinelConfig,
  type SentinelConfig,
} from './config.ts';
import { requestFailover, roleName } from './probes.ts';
import { dataNodesOf, judge, observe, rolesOf, sentinelNodesOf, sentinelsPrimary } from './topology-view.ts';

const READY_TIMEOUT_MS = 60_000;
/** A failback that has not moved the primary by then is asked for again (a Sentinel may refuse while another failover settles). */
const FAILBACK_RETRY_MS = 2 * FAILOVER_TIMEOUT_MS;
const answers = async (host: string, port: number, timeoutMs = 1000): Promise<boolean> => (await redisPing(host, port, timeoutMs)).state === 'answered';

function peerAddress(n: NodePlan): { host: string; port: number } {
  if (!n.peerProxy) throw new HarnessError('INTERNAL', `${n.name} has no peer proxy (the Sentinel topology needs peerLinks)`);
  return { host: TOXIPROXY_HOST, port: n.peerProxy.port };
}

/**
 * Settled with the first data node as primary, failing back once the topology is settled elsewhere;
 * with `anyPrimary` (a heal, or checkOnly), settled with whichever node is primary.
 */
async function settle(nodes: readonly NodePlan[], o: ReadyOptions & { readonly anyPrimary?: boolean }): Promise<void> {
  const first = dataNodesOf(nodes)[0];
  if (!first) throw new HarnessError('INTERNAL', 'the Sentinel topology has no data nodes');
  let last = 'not asked yet';
  let failbackAt: number | undefined;
  await waitFor(
    async () => {
      const j = judge(await observe(nodes, o.host));
      if (!j.settled) {
        last = j.why;
        return false;
      }
      if (j.primary.name === first.name || o.anyPrimary === true || o.checkOnly === true) return true;
      last = `${j.primary.name} is primary; asked the Sentinels to fail back to ${first.name}`;
      if (failbackAt === undefined || monoMs() - failbackAt > FAILBACK_RETRY_MS) {
        const sentinel = sentinelNodesOf(nodes)[0];
        if (sentinel) await requestFailover(o.host, sentinel.directPort).catch((err: unknown) => (last = `failback refused: ${(err as Error).message}`));
        failbackAt = monoMs();
      }
      return false;
    },
    {
      what: `the Sentinel topology to settle${o.anyPrimary === true || o.checkOnly === true ? '' : ` with ${first.name} as primary`}`,
      timeoutMs: Math.min(o.timeoutMs, READY_TIMEOUT_MS),
      intervalMs: 250,
      ...(o.signal ? { signal: o.signal } : {}),
    },
  ).catch((err: unknown) => {
    throw new HarnessError('WAIT_TIMEOUT', `${(err as Error).message} (last seen: ${last})`, { cause: err });
  });
}

export const sentinelDriver = {
  name: 'redis-sentinel',
  nodePrefix: DATA_PREFIX,
  maxNodes: MAX_SENTINEL_REPLICAS + 1 + MAX_SENTINELS,
  internalPort: DATA_PORT,
  groups: (c) => [
    { prefix: DATA_PREFIX, count: c.sentinelReplicas + 1, internalPort: DATA_PORT },
    { prefix: SENTINEL_PREFIX, count: c.sentinels, internalPort: SENTINEL_PORT },
  ],
  peerLinks: true,
  describeNodes: (n) => `a Redis primary with replicas and Sentinels (${n} nodes)`,
  config: {
    options: [
      { flag: 'sentinel-replicas', field: 'sentinelReplicas', type: 'number', describe: `Sentinel topology: replicas of the primary (1-${MAX_SENTINEL_REPLICAS})` },
      { flag: 'sentinels', field: 'sentinels', type: 'number', describe: `Sentinel topology: Sentinels (odd, 1-${MAX_SENTINELS}); quorum is a majority` },
      {
        flag: 'sentinel-persistence',
        field: 'sentinelPersistence',
        type: 'string',
        choices: ['none', 'everysec', 'always'],
        describe: 'Sentinel topology: persistence of primary and replicas [default: from --durability: memory none, disk always]',
        fromDurability: true,
      },
    ],
    validate: validateSentinelConfig,
    nodeCount: (c) => c.sentinelReplicas + 1 + c.sentinels,
    describe: (c) => `sentinel ${c.sentinelReplicas} replicas, ${c.sentinels} sentinels (quorum ${quorumOf(c.sentinels)}, down after ${DOWN_AFTER_MS} ms), persistence ${c.sentinelPersistence}`,
    durability: sentinelDurability,
  },
  image: { name: 'redis-sentinel', inputs: [{ from: 'clusters/systems/redis-sentinel/image', as: 'sentinel' }, { from: 'clusters/images/skew', as: 'skew' }] },
  container: (node, nodes, c) => {
    const first = dataNodesOf(nodes)[0];
    if (!first) throw new HarnessError('INTERNAL', 'the Sentinel topology has no data nodes');
    if (node.group === SENTINEL_PREFIX) {
      return { cmd: ['sentinel-entry'], env: [`SENTINEL_CONF=${sentinelConf({ primary: peerAddress(first), quorum: quorumOf(c.sentinels) })}`], memoryBytes: 128 * 1024 * 1024 };
    }
    return {
      cmd: dataNodeArgs({ ordinal: node.ordinal, announce: peerAddress(node), primary: node.ordinal === 1 ? undefined : peerAddress(first), persistence: c.sentinelPersistence }),
      env: [],
      memoryBytes: 256 * 1024 * 1024,
    };
  },
  probe: redisPing,
  async role(host, port) {
    const r = await roleName(host, port);
    return r === 'master' ? 'primary' : r === 'slave' ? 'replica' : (r ?? 'unreachable');
  },
  roles: async (nodes, host) => rolesOf(await observe(nodes, host)),
  passesTraffic: answers,
  waitReady: (nodes, o) => settle(nodes, o),
  faults: { serving: (host, port) => answers(host, port) },
  failover: {
    dataNodes: dataNodesOf,
    deciders: sentinelNodesOf,
    primary: async (nodes, host) => sentinelsPrimary(await observe(nodes, host))?.name,
    settle: (nodes, o) => settle(nodes, { ...o, anyPrimary: true }),
  },
  floor: {
    label: 'Redis primary (Sentinel)',
    roundTrip: 'PING',
    pair: 'raw SET NX PX + compare-and-delete pairs on the primary',
    unit: 'connections',
    dataNoun: 'Redis keys',
    roundTripWarmup: 50,
    warmup: {},
    quorumWrite: { resultField: 'writeMs', figureField: 'sentinelWriteMs', dir: (runTag, label) => `lockbench:floor:${runTag}:${label}`, word: 'SET + WAIT 1' },
    figureFields: { roundTrip: 'sentinelRttMs', pairsPerSec: 'sentinelPairsPerSec' },
    measuredNodes: (nodes) => dataNodesOf(nodes).slice(0, 1),
    // The Sentinel locks' path: every connection on the primary (rs-1 when ready), over the link its client would use.
    pairTarget: (endpoints) => {
      const first = endpoints[0];
      if (!first) throw new HarnessError('INTERNAL', 'no Sentinel-topology node to drive raw pairs on');
      return first.port;
    },
    measurementTag: (runTag, label) => `lockbench:floor:${runTag}:${label}`,
    floorLeftovers: () => [],
    ops: async () => (await import('./floor-ops.ts')).sentinelFloorOps,
  },
  counters: redisNodeCounters,
} satisfies SystemDriver<SentinelConfig, 'redis-sentinel'>;

