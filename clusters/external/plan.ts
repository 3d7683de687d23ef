// An external target as a ClusterPlan, so bench, chaos and the lock clients use it as they use the
// lab: one node per endpoint the user named (no container: directHost/directPort are the
// endpoint), and per client slot and node a proxy on 127.0.0.1 in this process (local-proxy.ts),
// so faults on client links need no access to the servers. The port layout is the lab's
// (topology.ts), from a port base of its own so that it can run beside a lab cluster.
import { UsageError } from '../../core/errors.ts';
import { driverFor } from '../systems/registry.ts';
import { defaultClusterConfig, planCluster, type ClusterConfig, type ClusterPlan } from '../topology.ts';
import type { ExternalSystemName } from '../../core/access.ts';
import { DATA_PREFIX, SENTINEL_PREFIX } from '../systems/redis-sentinel/config.ts';
import type { ExternalSystem, ExternalTarget, HostPort } from './target.ts';

/** The external target's local proxies default to ports above the lab's (17000 + 2599). */
export const EXTERNAL_PORT_BASE = Number(process.env['LOCKBENCH_EXTERNAL_PORT_BASE'] || 20000);
const CLUSTER_NAME = 'external';

interface ExternalLayout {
  /** The ClusterConfig fields that size the system (its driver's nodeCount and groups read them). */
  sizes(s: ExternalSystem): Partial<ClusterConfig>;
  /** The addresses of each group's nodes (clusters/node-plan.ts NodePlan.group), in node order. */
  groups(s: ExternalSystem): Readonly<Record<string, readonly HostPort[]>>;
}

// The lab's validation wants odd ensembles (and Sentinels); a user may list fewer members than the
// ensemble has, so the layout is planned for the next odd size and the unnamed nodes are left out.
const layouts: Readonly<Record<ExternalSystemName, ExternalLayout>> = {
  redis: { sizes: (s) => ({ redisNodes: s.endpoints.length }), groups: (s) => ({ [driverFor('redis').nodePrefix]: s.endpoints }) },
  zookeeper: { sizes: (s) => ({ zkNodes: s.endpoints.length | 1 }), groups: (s) => ({ [driverFor('zookeeper').nodePrefix]: s.endpoints }) },
  etcd: { sizes: (s) => ({ etcdNodes: s.endpoints.length | 1 }), groups: (s) => ({ [driverFor('etcd').nodePrefix]: s.endpoints }) },
  'redis-sentinel': {
    sizes: (s) => ({ sentinelReplicas: Math.max(1, (s.members?.length ?? 1) - 1), sentinels: s.endpoints.length | 1 }),
    groups: (s) => ({ [DATA_PREFIX]: s.members ?? [], [SENTINEL_PREFIX]: s.endpoints }),
  },
};

export interface ExternalPlanOptions {
  readonly namespace: string;
  readonly clientSlots?: number;
  readonly portBase?: number;
}

export function planExternal(target: ExternalTarget, o: ExternalPlanOptions): ClusterPlan {
  let sizes: Partial<ClusterConfig> = {};
  for (const s of target.systems) {
    const d = driverFor(s.system);
    const named = s.endpoints.length + (s.members?.length ?? 0);
    if (named > d.maxNodes) throw new UsageError(`the ${s.system} target has ${named} nodes; lockbench drives at most ${d.maxNodes} ${s.system} nodes`);
    sizes = { ...sizes, ...layouts[s.system].sizes(s) };
  }
  const config: ClusterConfig = {
    ...defaultClusterConfig,
    ...sizes,
    name: CLUSTER_NAME,
    systems: target.systems.map((s) => s.system),
    clientSlots: o.clientSlots ?? defaultClusterConfig.clientSlots,
    portBase: o.portBase ?? EXTERNAL_PORT_BASE,
  };
  const lab = planCluster(config);
  const nodes = target.systems.flatMap((s) =>
    Object.entries(layouts[s.system].groups(s)).flatMap(([group, addresses]) =>
      addresses.map((e, i) => {
        const n = lab.nodes.filter((x) => x.system === s.system && x.group === group)[i];
        if (n === undefined) throw new UsageError(`no node planned for ${s.system} ${group} endpoint ${i + 1}`);
        return { ...n, container: '', directHost: e.host, directPort: e.port };
      }),
    ),
  );
  const services = Object.fromEntries(target.systems.flatMap((s) => (s.master === undefined ? [] : [[s.system, s.master]])));
  return { ...lab, nodes, external: { namespace: o.namespace, ...(Object.keys(services).length > 0 ? { services } : {}) } };
}

/** host:port of a node's endpoint, as the user named it. */
export function endpointOf(n: { readonly directHost?: string; readonly directPort: number }): string {
  return `${n.directHost ?? '127.0.0.1'}:${n.directPort}`;
}
