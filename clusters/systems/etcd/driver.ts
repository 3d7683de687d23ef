// etcd as lockbench runs it: one Raft cluster of members etcd-1..N. It is ready when every member
// is healthy (has a leader and serves its log) and they agree on exactly one leader; a member
// serves again after a crash, a pause or a partition once /health says so.
import { HarnessError, errorMessage } from '../../../core/errors.ts';
import { waitFor } from '../../../core/wait.ts';
import type { SystemDriver } from '../driver.ts';
import { MAX_ETCD, etcdDurability, etcdEnv, validateEtcdConfig, type EtcdConfig } from './config.ts';
import { etcdNodeCounters } from './counters.ts';
import { etcdHealthy, etcdRole, etcdStatus, etcdVersion, etcdWallClockMs, roleOf, type EtcdStatus } from './probes.ts';

const READY_TIMEOUT_MS = 60_000;
// etcd's own guidance is 2 GiB of memory for a small production member; the lab gives each member
// 512 MiB (its resident memory during the default bench stays far below that; bench.json's server
// usage shows it), so 3 members fit the 2-core, 24 GiB lab machine beside the others.
export const ETCD_CONTAINER_MEMORY_BYTES = 512 * 1024 * 1024;

/** Every member answers, all name the same leader, and exactly one of them is it. */
export function clusterFormed(statuses: readonly (EtcdStatus | undefined)[]): boolean {
  if (statuses.length === 0 || statuses.some((s) => s === undefined)) return false;
  const roles = statuses.map(roleOf);
  const leaders = new Set(statuses.map((s) => s?.leaderId));
  return leaders.size === 1 && roles.filter((r) => r === 'leader').length === 1 && roles.filter((r) => r === 'follower').length === statuses.length - 1;
}

export const etcdDriver = {
  name: 'etcd',
  nodePrefix: 'etcd',
  maxNodes: MAX_ETCD,
  internalPort: 2379,
  describeNodes: (n) => `${n} etcd member${n === 1 ? '' : 's'}`,
  config: {
    options: [{ flag: 'etcd-nodes', field: 'etcdNodes', type: 'number', describe: `etcd cluster size (odd, 1-${MAX_ETCD})` }],
    validate: validateEtcdConfig,
    nodeCount: (c) => c.etcdNodes,
    describe: () => 'etcd WAL fsync as shipped',
    durability: etcdDurability,
  },
  image: { name: 'etcd', inputs: [{ from: 'clusters/systems/etcd/image', as: 'etcd' }, { from: 'clusters/images/skew', as: 'skew' }] },
  container: (node, nodes) => ({ env: etcdEnv(node.ordinal, nodes.map((n) => n.ordinal)), memoryBytes: ETCD_CONTAINER_MEMORY_BYTES }),
  probe: (host, port, timeoutMs) => etcdVersion(host, port, timeoutMs),
  role: (host, port) => etcdRole(host, port),
  async passesTraffic(host, port, timeoutMs) {
    return (await etcdVersion(host, port, timeoutMs)).state === 'answered';
  },
  async waitReady(nodes, o) {
    let last: string[] = [];
    await waitFor(
      async () => {
        const statuses = await Promise.all(nodes.map((n) => etcdStatus(o.host, n.directPort)));
        last = statuses.map((s, i) => `${nodes[i]?.name ?? '?'} ${roleOf(s)}`);
        if (!clusterFormed(statuses)) return false;
        return (await Promise.all(nodes.map((n) => etcdHealthy(o.host, n.directPort)))).every(Boolean);
      },
      {
        what: `the etcd members to agree on exactly one leader and report healthy (${nodes.map((n) => n.name).join(', ')})`,
        timeoutMs: Math.min(o.timeoutMs, READY_TIMEOUT_MS),
        intervalMs: 300,
        ...(o.signal ? { signal: o.signal } : {}),
      },
    ).catch((err: unknown) => {
      throw new HarnessError('CLUSTER_START_FAILED', `${errorMessage(err)}; last roles: ${last.join(', ')}`);
    });
  },
  faults: {
    serving: (host, port) => etcdHealthy(host, port),
    async wallClock(host, port, timeoutMs) {
      const ms = await etcdWallClockMs(host, port, timeoutMs);
      return ms === undefined ? undefined : { ms, resolutionMs: 1000 };
    },
  },
  floor: {
    label: 'etcd',
    roundTrip: 'serializable get',
    pair: 'raw etcd put + delete pairs',
    unit: 'connections',
    dataNoun: 'etcd keys',
    roundTripWarmup: 50,
    warmup: { maxMs: 500 },
    quorumWrite: { resultField: 'writeMs', figureField: 'etcdWriteMs', dir: (runTag, label) => `/lockbench/floor/${runTag}/${label}` },
    figureFields: { roundTrip: 'etcdRttMs', pairsPerSec: 'etcdPairsPerSec' },
    // The etcd locks' path: one client on every member over the links its lock client would use.
    pairTarget: (endpoints) => endpoints.map((e) => `${e.host}:${e.port}`).join(','),
    measurementTag: (runTag, label) => `/lockbench/floor/${runTag}/${label}`,
    floorLeftovers: (runTag) => [`/lockbench/floor/${runTag}`],
    ops: async () => (await import('./floor-ops.ts')).etcdFloorOps,
  },
  counters: etcdNodeCounters,
} satisfies SystemDriver<EtcdConfig, 'etcd'>;
