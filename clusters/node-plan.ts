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
  readonly ordinal: number; // 1-based within its system
  readonly container: string; // <cluster>-redis-1
  readonly internalPort: number; // 6379 / 2181 on the Docker network
  readonly directPort: number; // published on 127.0.0.1
  readonly proxies: readonly ProxyPlan[];
}
