// An external target as a ClusterPlan, so bench, chaos and the lock clients use it as they use the
// lab: one node per endpoint the user named (no container: directHost/directPort are the
// endpoint), and per client slot and node a proxy on 127.0.0.1 in this process (local-proxy.ts),
// so faults on client links need no access to the servers. The port layout is the lab's
// (topology.ts), from a port base of its own so that it can run beside a lab cluster.
import { UsageError } from '../../core/errors.ts';
import { driverFor } from '../systems/registry.ts';
import { defaultClusterConfig, planCluster, type ClusterConfig, type ClusterPlan } from '../topology.ts';
import type { ExternalTarget } from './target.ts';

/** The external target's local proxies default to ports above the lab's (17000 + 2599). */
export const EXTERNAL_PORT_BASE = Number(process.env['LOCKBENCH_EXTERNAL_PORT_BASE'] || 20000);
const CLUSTER_NAME = 'external';

/** The ClusterConfig field that sizes each system (its driver's nodeCount reads it). */
const sizeField: Record<string, string> = { redis: 'redisNodes', zookeeper: 'zkNodes', etcd: 'etcdNodes' };

export interface ExternalPlanOptions {
  readonly namespace: string;
  readonly clientSlots?: number;
  readonly portBase?: number;
}

export function planExternal(target: ExternalTarget, o: ExternalPlanOptions): ClusterPlan {
  const sizes: Record<string, number> = {};
  for (const s of target.systems) {
    const d = driverFor(s.system);
    if (s.endpoints.length > d.maxNodes) throw new UsageError(`--${s.system} names ${s.endpoints.length} endpoints; lockbench drives at most ${d.maxNodes} ${s.system} nodes`);
    // The lab's validation wants odd ensembles; a user may list fewer members than the ensemble
    // has, so the layout is planned for the next odd size and the unnamed nodes are left out.
    const field = sizeField[s.system];
    if (field === undefined) throw new UsageError(`${s.system} cannot be an external target yet`);
    sizes[field] = s.system === 'redis' ? s.endpoints.length : s.endpoints.length | 1;
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
    s.endpoints.map((e, i) => {
      const n = lab.nodes.filter((x) => x.system === s.system)[i];
      if (n === undefined) throw new UsageError(`no node planned for ${s.system} endpoint ${i + 1}`);
      return { ...n, container: '', directHost: e.host, directPort: e.port };
    }),
  );
  return { ...lab, nodes, external: { namespace: o.namespace } };
}

/** host:port of a node's endpoint, as the user named it. */
export function endpointOf(n: { readonly directHost?: string; readonly directPort: number }): string {
  return `${n.directHost ?? '127.0.0.1'}:${n.directPort}`;
}
