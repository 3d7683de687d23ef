// Where lock client i connects: its own client slot's Toxiproxy links, so faults aimed at one
// client's links touch no other client.
import type { ClusterPlan } from '../clusters/topology.ts';
import type { Endpoint, LockClientContext } from './lock-client.ts';

const HOST = '127.0.0.1';

export function slotOf(plan: ClusterPlan, clientId: number): number {
  return clientId % plan.config.clientSlots;
}

export function lockClientContext(plan: ClusterPlan, clientId: number, tuning?: Readonly<Record<string, number>>): LockClientContext {
  const slot = slotOf(plan, clientId);
  const endpoints = (system: 'redis' | 'zookeeper'): Endpoint[] =>
    plan.nodes
      .filter((n) => n.system === system)
      .map((n) => {
        const p = n.proxies.find((x) => x.slot === slot);
        if (!p) throw new Error(`no proxy for slot ${slot} on ${n.name}`);
        return { host: HOST, port: p.port };
      });
  return { clientId, redis: endpoints('redis'), zookeeper: endpoints('zookeeper'), ...(tuning ? { tuning } : {}) };
}
