// The shape of a cluster as data: which nodes, which ports, which proxies. Pure, so the port layout
// and the validation of sizes are tested without Docker. Which systems exist, how many nodes each
// has and what its flags are comes from the drivers (systems/registry.ts); which of them a cluster
// runs is its config's `systems` (systems/selection.ts, `--systems`; default: all).
//
// Every client link goes through Toxiproxy, with one proxy per (client slot, node) pair, so a fault
// can cut client i off from node j without touching any other client. Each system owns one port
// block, b = its index in the registry, so adding a system moves nobody's ports, and neither does
// leaving one out: a cluster of some systems publishes a subset of the full layout's ports, and the
// port-base limits are the full layout's. Relative to portBase:
//   +474                                  Toxiproxy API
//   +100·b + i                            node i of system b, direct (redis-1..10: +1..+10, zk-1..9: +101..+109, etcd-1..9: +201..+209)
//   +1000 + 400·b + 10·slot + (i − 1)     proxy c<slot>-<node> of system b (redis: +1000.., zk: +1400.., etcd: +1800..)
//   +1000 + 400·b + 320 + (i − 1)         peer proxy peer-<node> (systems with peerLinks), inside the Toxiproxy container only
import { HarnessError, UsageError } from '../core/errors.ts';
import type { SystemConfigHooks, SystemDriver } from './systems/driver.ts';
import { drivers, systemDefaults, systemNames, validateDurability, type SystemsConfig } from './systems/registry.ts';
import { validateSystems } from './systems/selection.ts';

// Old import paths of Redis's config, kept for chaos/ and cli/ (the driver owns them now).
export { redisArgs, redisPersistenceModes, type RedisPersistence } from './systems/redis/config.ts';

export interface ClusterConfig extends SystemsConfig {
  /** Names the Docker network and prefixes every container, so several clusters can coexist. */
  readonly name: string;
  /** The backing systems it runs (`--systems`): registered names, in registry order. */
  readonly systems: readonly string[];
  /** How many independent client link sets exist (one proxy per slot and node). */
  readonly clientSlots: number;
  readonly portBase: number;
}

// LOCKBENCH_CLUSTER and LOCKBENCH_PORT_BASE let a second cluster (a parallel CI job, a developer's
// experiment) run beside the default one without touching it.
export const defaultClusterConfig: ClusterConfig = {
  name: process.env['LOCKBENCH_CLUSTER'] || 'lockbench',
  systems: systemNames,
  ...systemDefaults,
  clientSlots: 8,
  portBase: Number(process.env['LOCKBENCH_PORT_BASE'] || 17000),
};
export const TOXIPROXY_NAME = 'toxiproxy';
const TOXIPROXY_API_OFFSET = 474;
const MAX_SLOTS = 32;
/** Direct ports of system b start at +DIRECT_BLOCK·b; a system has at most NODES_PER_BLOCK nodes. */
const DIRECT_BLOCK = 100;
export const NODES_PER_BLOCK = 10;
const PROXY_BASE = 1000;
/** Proxy ports of system b start at +PROXY_BASE + PROXY_BLOCK·b: MAX_SLOTS × NODES_PER_BLOCK, rounded up. */
const PROXY_BLOCK = 400;
/** Direct blocks must stay below the proxies: b = 0..9. */
export const MAX_SYSTEMS = PROXY_BASE / DIRECT_BLOCK;
const TOP_PORT = 32767;

/** What planning needs of a driver (a test's fake driver provides just this). */
export type PlannedSystem = Pick<SystemDriver<ClusterConfig>, 'name' | 'nodePrefix' | 'maxNodes' | 'internalPort' | 'groups' | 'peerLinks'> & {
  readonly config: Pick<SystemConfigHooks<ClusterConfig>, 'nodeCount' | 'validate'>;
};

/** The highest offset from portBase that a cluster of `systems` registered systems may publish, whichever of them it runs. */
export function portSpan(systems: number = drivers.length): number {
  return PROXY_BASE + PROXY_BLOCK * systems - 1;
}

export type { NodePlan, ProxyPlan } from './node-plan.ts';
import type { NodePlan, ProxyPlan } from './node-plan.ts';
import type { NodeGroup } from './systems/driver.ts';

/** Peer proxies sit after every client slot's ports in the system's proxy block. */
const PEER_OFFSET = MAX_SLOTS * NODES_PER_BLOCK;

/** A system's kinds of node: its driver's groups, or one group of all its nodes. */
export function groupsOf(d: PlannedSystem, c: ClusterConfig): readonly NodeGroup[] {
  return d.groups?.(c) ?? [{ prefix: d.nodePrefix, count: d.config.nodeCount(c), internalPort: d.internalPort }];
}

export interface ClusterPlan {
  readonly config: ClusterConfig;
  /** The Docker network, named after the cluster. */
  readonly network: string;
  readonly nodes: readonly NodePlan[];
  readonly toxiproxy: { readonly container: string; readonly apiPort: number };
  /**
   * Present for an external target (clusters/external/plan.ts): its nodes are the user's endpoints
   * (no containers), its proxies run in this process, and everything written lives under `namespace`.
   */
  readonly external?: {
    readonly namespace: string;
    /** Per system, the name its directory knows the service by (Sentinel's master name). */
    readonly services?: Readonly<Record<string, string>>;
  };
}

function assertLayoutFits(systems: readonly PlannedSystem[]): void {
  if (systems.length > MAX_SYSTEMS) throw new HarnessError('INTERNAL', `the port layout has blocks for ${MAX_SYSTEMS} systems, ${systems.length} are registered`);
  for (const d of systems) {
    if (d.maxNodes > NODES_PER_BLOCK) throw new HarnessError('INTERNAL', `${d.name} allows ${d.maxNodes} nodes; a port block holds ${NODES_PER_BLOCK}`);
  }
}

export function validateClusterConfig(c: ClusterConfig, systems: readonly PlannedSystem[] = drivers): ClusterConfig {
  const int = (v: number): boolean => Number.isInteger(v);
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(c.name)) {
    throw new UsageError(`the cluster name (LOCKBENCH_CLUSTER) must be lowercase letters, digits and dashes, starting with a letter, got '${c.name}'`);
  }
  const selected = validateSystems(c.systems, systems.map((d) => d.name));
  validateDurability(c.durability);
  // Every slice, the left-out systems' too: their fields stay in the config (and its label), and a
  // bad value there is a mistake whichever systems run.
  for (const d of systems) d.config.validate(c);
  if (!int(c.clientSlots) || c.clientSlots < 1 || c.clientSlots > MAX_SLOTS) {
    throw new UsageError(`--client-slots must be a whole number from 1 to ${MAX_SLOTS}, got ${c.clientSlots}`);
  }
  const span = portSpan(systems.length);
  if (!int(c.portBase) || c.portBase < 1024 || c.portBase + span > TOP_PORT) {
    throw new UsageError(`--port-base must be a whole number from 1024 to ${TOP_PORT - span} (ports stay below the ephemeral range), got ${c.portBase}`);
  }
  return { ...c, systems: selected };
}

export function planCluster(config: ClusterConfig, systems: readonly PlannedSystem[] = drivers): ClusterPlan {
  assertLayoutFits(systems);
  const c = validateClusterConfig(config, systems);
  const nodes: NodePlan[] = [];
  systems.forEach((d, block) => {
    if (!c.systems.includes(d.name)) return;
    const proxyBlock = c.portBase + PROXY_BASE + PROXY_BLOCK * block;
    let ordinal = 0;
    for (const g of groupsOf(d, c)) {
      for (let i = 1; i <= g.count; i++) {
        ordinal += 1;
        const name = `${g.prefix}-${i}`;
        const proxies: ProxyPlan[] = [];
        for (let slot = 0; slot < c.clientSlots; slot++) proxies.push({ slot, name: `c${slot}-${name}`, port: proxyBlock + NODES_PER_BLOCK * slot + ordinal - 1 });
        const peerProxy: ProxyPlan | undefined = d.peerLinks === true ? { slot: -1, name: `peer-${name}`, port: proxyBlock + PEER_OFFSET + ordinal - 1 } : undefined;
        nodes.push({
          name,
          system: d.name,
          group: g.prefix,
          ordinal,
          container: `${c.name}-${name}`,
          internalPort: g.internalPort,
          directPort: c.portBase + DIRECT_BLOCK * block + ordinal,
          proxies,
          ...(peerProxy ? { peerProxy } : {}),
        });
      }
    }
  });
  return { config: c, network: c.name, nodes, toxiproxy: { container: `${c.name}-${TOXIPROXY_NAME}`, apiPort: c.portBase + TOXIPROXY_API_OFFSET } };
}

/** The nodes of one system, in ordinal order. */
export function nodesOf(plan: ClusterPlan, system: string): NodePlan[] {
  return plan.nodes.filter((n) => n.system === system);
}

/** Every host port the plan publishes on 127.0.0.1. */
export function publishedPorts(plan: ClusterPlan): number[] {
  return [plan.toxiproxy.apiPort, ...plan.nodes.flatMap((n) => [n.directPort, ...n.proxies.map((p) => p.port)])];
}

export function sameConfig(a: ClusterConfig, b: ClusterConfig): boolean {
  // Every field, the drivers' slices included: a cluster made before a system was added differs.
  // Values compare as JSON, so equal lists (`systems`) are equal.
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  const value = (c: ClusterConfig, k: string): string | undefined => JSON.stringify((c as unknown as Record<string, unknown>)[k]);
  return [...fields].every((k) => value(a, k) === value(b, k));
}
