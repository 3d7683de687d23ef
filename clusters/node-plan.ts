// One node of a planned cluster and its proxies: the shape topology.ts plans and every system
// driver reads. Apart from topology.ts, so drivers can name it without importing the planner
// (which imports the driver registry).

export interface ProxyPlan {
  readonly slot: number;
  /** Toxiproxy proxy name, e.g. c3-redis-2. */
  readonly name: string;
  /** Port on 127.0.0.1 (and the proxy's listen port inside its container). */
  readonly port: number;
}

export interface NodePlan {
  readonly name: string; // redis-1, zk-2
  /** A registered system's name (systems/registry.ts). */
  readonly system: string;
  /**
   * Its kind within the system, the prefix of its name: the system's nodePrefix, or for a system
   * made of several kinds of node (systems/driver.ts `groups`: Sentinel's data nodes and
   * Sentinels) the group's.
   */
  readonly group: string;
  readonly ordinal: number; // 1-based within its system
  readonly container: string; // <cluster>-redis-1
  readonly internalPort: number; // 6379 / 2181 on the Docker network
  readonly directPort: number; // published on 127.0.0.1
  /** Where directPort is when it is not 127.0.0.1: an external target's endpoint (clusters/external/plan.ts). */
  readonly directHost?: string;
  readonly proxies: readonly ProxyPlan[];
  /**
   * For systems whose members reach each other through Toxiproxy (systems/driver.ts `peerLinks`):
   * the one proxy every other member uses to reach this node, so a fault on a server-to-server
   * link (replication lag) is a toxic there. Listens inside the Toxiproxy container only (`slot`
   * is -1; nothing is published), at `toxiproxy:<port>` on the cluster network.
   */
  readonly peerProxy?: ProxyPlan;
}

/** The name every node reaches the Toxiproxy container by on the cluster network. */
export const TOXIPROXY_HOST = 'toxiproxy';

/** The address the system's own members know a node by: its peer proxy where it has one, else its name and port. */
export function memberAddress(n: Pick<NodePlan, 'name' | 'internalPort' | 'peerProxy'>): string {
  return n.peerProxy ? `${TOXIPROXY_HOST}:${n.peerProxy.port}` : `${n.name}:${n.internalPort}`;
}
