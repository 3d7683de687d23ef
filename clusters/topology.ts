// The shape of a cluster as data: which nodes, which ports, which proxies. Pure, so the port layout
// and the validation of sizes are tested without Docker.
//
// Every client link goes through Toxiproxy, with one proxy per (client slot, node) pair, so a fault
// can cut client i off from node j without touching any other client. Ports, relative to portBase:
//   +474                        Toxiproxy API
//   +1 .. +10                   redis-1..redis-10, direct
//   +101 .. +109                zk-1..zk-9, direct
//   +1000 + slot*20 + g         proxy for (slot, node), g = 0..9 for redis, 10..18 for ZooKeeper
import { UsageError } from '../core/errors.ts';

export type SystemName = 'redis' | 'zookeeper';
export type RedisPersistence = 'none' | 'everysec' | 'always';
export const redisPersistenceModes: readonly RedisPersistence[] = ['none', 'everysec', 'always'];

export interface ClusterConfig {
  /** Names the Docker network and prefixes every container, so several clusters can coexist. */
  readonly name: string;
  readonly redisNodes: number;
  readonly zkNodes: number;
  readonly redisPersistence: RedisPersistence;
  /** How many independent client link sets exist (one proxy per slot and node). */
  readonly clientSlots: number;
  readonly portBase: number;
}

// LOCKBENCH_CLUSTER and LOCKBENCH_PORT_BASE let a second cluster (a parallel CI job, a developer's
// experiment) run beside the default one without touching it.
export const defaultClusterConfig: ClusterConfig = {
  name: process.env['LOCKBENCH_CLUSTER'] || 'lockbench',
  redisNodes: 5,
  zkNodes: 3,
  redisPersistence: 'none',
  clientSlots: 8,
  portBase: Number(process.env['LOCKBENCH_PORT_BASE'] || 17000),
};
export const TOXIPROXY_NAME = 'toxiproxy';
export const REDIS_PORT = 6379;
export const ZK_PORT = 2181;
const MAX_REDIS = 10;
const MAX_ZK = 9;
const MAX_SLOTS = 32;
const SLOT_STRIDE = 20;

export interface ProxyPlan {
  readonly slot: number;
  /** Toxiproxy proxy name, e.g. c3-redis-2. */
  readonly name: string;
  /** Port on 127.0.0.1 (and the proxy's listen port inside its container). */
  readonly port: number;
}

export interface NodePlan {
  readonly name: string; // redis-1, zk-2
  readonly system: SystemName;
  readonly ordinal: number; // 1-based within its system
  readonly container: string; // <cluster>-redis-1
  readonly internalPort: number; // 6379 / 2181 on the Docker network
  readonly directPort: number; // published on 127.0.0.1
  readonly proxies: readonly ProxyPlan[];
}

export interface ClusterPlan {
  readonly config: ClusterConfig;
  /** The Docker network, named after the cluster. */
  readonly network: string;
  readonly nodes: readonly NodePlan[];
  readonly toxiproxy: { readonly container: string; readonly apiPort: number };
}

export function validateClusterConfig(c: ClusterConfig): ClusterConfig {
  const int = (v: number): boolean => Number.isInteger(v);
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(c.name)) {
    throw new UsageError(`the cluster name (LOCKBENCH_CLUSTER) must be lowercase letters, digits and dashes, starting with a letter, got '${c.name}'`);
  }
  if (!int(c.redisNodes) || c.redisNodes < 1 || c.redisNodes > MAX_REDIS) {
    throw new UsageError(`--redis-nodes must be a whole number from 1 to ${MAX_REDIS}, got ${c.redisNodes}`);
  }
  if (!int(c.zkNodes) || c.zkNodes < 1 || c.zkNodes > MAX_ZK || c.zkNodes % 2 === 0) {
    throw new UsageError(
      `--zk-nodes must be an odd whole number from 1 to ${MAX_ZK} (a ZooKeeper ensemble needs a strict majority; an even size adds no fault tolerance), got ${c.zkNodes}`,
    );
  }
  if (!redisPersistenceModes.includes(c.redisPersistence)) {
    throw new UsageError(`--redis-persistence must be one of ${redisPersistenceModes.join(', ')}, got ${c.redisPersistence}`);
  }
  if (!int(c.clientSlots) || c.clientSlots < 1 || c.clientSlots > MAX_SLOTS) {
    throw new UsageError(`--client-slots must be a whole number from 1 to ${MAX_SLOTS}, got ${c.clientSlots}`);
  }
  const top = c.portBase + 1000 + MAX_SLOTS * SLOT_STRIDE;
  if (!int(c.portBase) || c.portBase < 1024 || top > 32767) {
    throw new UsageError(`--port-base must be a whole number from 1024 to ${32767 - 1000 - MAX_SLOTS * SLOT_STRIDE} (ports stay below the ephemeral range), got ${c.portBase}`);
  }
  return c;
}

export function planCluster(config: ClusterConfig): ClusterPlan {
  const c = validateClusterConfig(config);
  const nodes: NodePlan[] = [];
  const add = (system: SystemName, ordinal: number, group: number, directOffset: number, internalPort: number): void => {
    const name = `${system === 'redis' ? 'redis' : 'zk'}-${ordinal}`;
    const proxies: ProxyPlan[] = [];
    for (let slot = 0; slot < c.clientSlots; slot++) {
      proxies.push({ slot, name: `c${slot}-${name}`, port: c.portBase + 1000 + slot * SLOT_STRIDE + group + ordinal - 1 });
    }
    nodes.push({ name, system, ordinal, container: `${c.name}-${name}`, internalPort, directPort: c.portBase + directOffset + ordinal, proxies });
  };
  for (let i = 1; i <= c.redisNodes; i++) add('redis', i, 0, 0, REDIS_PORT);
  for (let i = 1; i <= c.zkNodes; i++) add('zookeeper', i, 10, 100, ZK_PORT);
  return { config: c, network: c.name, nodes, toxiproxy: { container: `${c.name}-${TOXIPROXY_NAME}`, apiPort: c.portBase + 474 } };
}

/** Every host port the plan publishes on 127.0.0.1. */
export function publishedPorts(plan: ClusterPlan): number[] {
  return [plan.toxiproxy.apiPort, ...plan.nodes.flatMap((n) => [n.directPort, ...n.proxies.map((p) => p.port)])];
}

export function sameConfig(a: ClusterConfig, b: ClusterConfig): boolean {
  return (
    a.name === b.name &&
    a.redisNodes === b.redisNodes &&
    a.zkNodes === b.zkNodes &&
    a.redisPersistence === b.redisPersistence &&
    a.clientSlots === b.clientSlots &&
    a.portBase === b.portBase
  );
}

export function redisArgs(persistence: RedisPersistence): string[] {
  const base = ['redis-server', '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', ''];
  switch (persistence) {
    case 'none':
      return [...base, '--appendonly', 'no'];
    case 'everysec':
      return [...base, '--appendonly', 'yes', '--appendfsync', 'everysec'];
    case 'always':
      return [...base, '--appendonly', 'yes', '--appendfsync', 'always'];
  }
}
