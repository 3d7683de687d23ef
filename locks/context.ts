// Where lock client i connects: its own client slot's Toxiproxy links, so faults aimed at one
// client's links touch no other client.
import { nodesOf, type ClusterPlan } from '../clusters/topology.ts';
import type { Endpoint, LockClientContext } from './lock-client.ts';

const HOST = '127.0.0.1';

export function slotOf(plan: ClusterPlan, clientId: number): number {
  return clientId % plan.config.clientSlots;
}

/** Client `clientId`'s links to every node of `system`, in node order. */
export function endpointsFor(plan: ClusterPlan, clientId: number, system: string): Endpoint[] {
  const slot = slotOf(plan, clientId);
  return nodesOf(plan, system).map((n) => {
    const p = n.proxies.find((x) => x.slot === slot);
    if (!p) throw new Error(`no proxy for slot ${slot} on ${n.name}`);
    return { host: HOST, port: p.port };
  });
}

// Every planned system's links go into `endpoints`; the `redis` and `zookeeper` fields predate it
// and stay, because lock modules written against README.md's contract read them.
export function lockClientContext(plan: ClusterPlan, clientId: number, tuning?: Readonly<Record<string, number>>): LockClientContext {
  const endpoints: Record<string, Endpoint[]> = {};
  for (const n of plan.nodes) endpoints[n.system] ??= endpointsFor(plan, clientId, n.system);
  return { clientId, endpoints, redis: endpoints['redis'] ?? [], zookeeper: endpoints['zookeeper'] ?? [], ...(tuning ? { tuning } : {}) };
}
