// Where lock client i connects. Through the proxy (the default, and what chaos needs), each client
// uses its own client slot's Toxiproxy links, so faults aimed at one client's links touch no other
// client. Directly, every client uses the nodes' own ports: the speed cases measure the lock, not
// the proxy (which costs Redis about half its throughput on this lab; docs/methodology.md).
import { nodesOf, type ClusterPlan } from '../clusters/topology.ts';
import { memberAddress } from '../clusters/node-plan.ts';
import { credentialsFromEnv, type ExternalSystemName } from '../core/access.ts';
import type { Endpoint, LockClientContext } from './lock-client.ts';

const HOST = '127.0.0.1';

/** Which links a lock client uses: its slot's proxy links, or the nodes' own ports. */
export type LinkPath = 'proxy' | 'direct';
export const linkPaths: readonly LinkPath[] = ['direct', 'proxy'];

export function slotOf(plan: ClusterPlan, clientId: number): number {
  return clientId % plan.config.clientSlots;
}

/** Client `clientId`'s links to every node of `system`, in node order. */
export function endpointsFor(plan: ClusterPlan, clientId: number, system: string, via: LinkPath = 'proxy'): Endpoint[] {
  const slot = slotOf(plan, clientId);
  // An external target's account and namespace (its credentials reach workers through the
  // environment, never a message: clusters/external/target.ts).
  const credentials = plan.external ? credentialsFromEnv()[system as ExternalSystemName] : undefined;
  const service = plan.external?.services?.[system];
  const access = plan.external ? { namespace: plan.external.namespace, ...(credentials ? { credentials } : {}), ...(service !== undefined ? { service } : {}) } : {};
  return nodesOf(plan, system).map((n) => {
    // An external node is known to its peers (and named by a Sentinel) by the address the user's
    // side reaches it at; a lab node by its member address.
    const announced = plan.external && n.directHost !== undefined ? `${n.directHost}:${n.directPort}` : memberAddress(n);
    const about = { node: n.name, group: n.group, announced, ...access, ...(plan.external && n.directHost !== undefined ? { serverName: n.directHost } : {}) };
    if (via === 'direct') return { host: n.directHost ?? HOST, port: n.directPort, ...about };
    const p = n.proxies.find((x) => x.slot === slot);
    if (!p) throw new Error(`no proxy for slot ${slot} on ${n.name}`);
    return { host: HOST, port: p.port, ...about };
  });
}

// Every planned system's links go into `endpoints`; the `redis` and `zookeeper` fields predate it
// and stay, because lock modules written against README.md's contract read them.
export function lockClientContext(plan: ClusterPlan, clientId: number, tuning?: Readonly<Record<string, number>>, via: LinkPath = 'proxy'): LockClientContext {
  const endpoints: Record<string, Endpoint[]> = {};
  for (const n of plan.nodes) endpoints[n.system] ??= endpointsFor(plan, clientId, n.system, via);
  return { clientId, endpoints, redis: endpoints['redis'] ?? [], zookeeper: endpoints['zookeeper'] ?? [], ...(tuning ? { tuning } : {}) };
}
