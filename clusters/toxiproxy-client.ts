// The Toxiproxy API client for a cluster plan; the same code drives the official server and
// lockbench's compatible one.
import { Toxiproxy } from 'toxiproxy-node-client';
import type { ClusterPlan } from './topology.ts';

export function toxiproxyClient(plan: ClusterPlan): Toxiproxy {
  return new Toxiproxy(`http://127.0.0.1:${plan.toxiproxy.apiPort}`);
}
