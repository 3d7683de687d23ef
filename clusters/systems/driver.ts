// What a backing system (Redis, ZooKeeper, later etcd, Redis with Sentinel) must tell the rest of
// lockbench, so that the cluster, images, node faults, status and the bench floor can iterate over
// drivers instead of branching on system names. Adding a system is its folder under
// clusters/systems/<system>/ plus its line in registry.ts.
//
// Drivers stay free of Docker and of heavy clients: they are imported by pure code (topology,
// the CLI's option table). Their raw floor operations load their client library lazily.
import type { ProbeResult } from '../tcp-probe.ts';
import type { NodePlan } from '../node-plan.ts';
import type { DurabilityMapping } from './durability.ts';

/** One yargs option a driver adds to the cluster flags (`--redis-nodes`, `--zk-nodes`). */
export interface SystemOption {
  readonly flag: string;
  readonly type: 'number' | 'string';
  readonly describe: string;
  readonly choices?: readonly string[];
  /** The ClusterConfig field the flag sets. */
  readonly field: string;
  /**
   * The field is one the durability profiles set: the flag has no default of its own (the
   * profile's value applies unless the flag is given) and contradicting --durability is an error.
   */
  readonly fromDurability?: boolean;
}

/**
 * The part of ClusterConfig a driver owns: flags and validation. C is its slice of the config; its
 * defaults are exported by its config module and composed in registry.ts.
 */
export interface SystemConfigHooks<C> {
  readonly options: readonly SystemOption[];
  /** Throws UsageError naming the flag and what is allowed. */
  readonly validate: (config: C) => void;
  readonly nodeCount: (config: C) => number;
  /** For `status` and log lines, e.g. "redis persistence none"; empty when nothing is worth saying. */
  readonly describe: (config: C) => string;
  /**
   * What `--durability memory|disk` sets in this system's slice (Redis: AOF mode; ZooKeeper:
   * forceSync). A field the profile sets that also has a flag can be set by that flag instead,
   * unless --durability was given too and says otherwise (registry.ts composeSystemsConfig).
   */
  readonly durability: DurabilityMapping<C>;
}

/** A build context folder, copied into the image's context as `as/`. */
export interface ImageInput {
  /** Folder relative to the repository root. */
  readonly from: string;
  /**
   * Its name inside the build context. The image's input hash covers context paths and contents,
   * not where the folders live in the repository, so moving a folder does not force a rebuild.
   */
  readonly as: string;
}

export interface SystemImage {
  /** Tagged lockbench/<name>:<input hash>. */
  readonly name: string;
  /** The first input holds the Dockerfile. */
  readonly inputs: readonly ImageInput[];
}

/** How a node's container differs from any other node's (ports, labels, network are common). */
export interface ContainerSpec {
  readonly cmd?: readonly string[];
  readonly env: readonly string[];
  readonly memoryBytes: number;
}

/** What ClusterControl's node faults ask of a system. */
export interface NodeFaultHooks {
  /**
   * Is the node serving again after a restart, unpause or heal (Redis: answers PING; ZooKeeper:
   * has joined a quorum)? One quick check; the caller polls with its own deadline.
   */
  readonly serving: (host: string, port: number) => Promise<boolean>;
  /**
   * The server process's own wall clock, read over its client port (etcd: its HTTP Date header),
   * with the read's resolution. Where present, a clock offset is verified against it instead of
   * the container's `date`, so a jump the server itself does not see is no fault that took effect.
   */
  readonly wallClock?: (host: string, port: number, timeoutMs: number) => Promise<{ readonly ms: number; readonly resolutionMs: number } | undefined>;
}

export interface ReadyOptions {
  readonly host: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * Only check that a running cluster serves, without putting it back into its starting shape
   * (a failback): the quick health check before a cluster is reused, which repairs it afterwards.
   */
  readonly checkOnly?: boolean;
}

/**
 * The raw operations the bench floor drives. Loaded lazily (they bring the system's client
 * library, which for ZooKeeper is a native addon).
 */
export interface FloorOps {
  /** One connection for sequential round trips to `address` ("host:port"), answered by the node itself. */
  roundTrips(address: string): Promise<OpenedOps<() => Promise<unknown>>>;
  /**
   * Sequential quorum writes at `address` under `dir`: `write` is timed, `undo` (removing what it
   * wrote) is not. Only for systems whose writes go through a quorum.
   */
  quorumWrites?(address: string, dir: string): Promise<OpenedOps<{ write(): Promise<unknown>; undo(): Promise<unknown> }>>;
  /**
   * One connection per target for raw acquire + release pairs, each connection on its own key
   * under `scope` (a key prefix or a path, unique per measurement).
   */
  pairs(targets: readonly (number | string)[], scope: string): Promise<OpenedOps<(connection: number, n: number) => Promise<void>>>;
  /** Deletes this system's data matching `patterns` (those its namespace can hold); returns how many. */
  removeMatching(address: string, patterns: readonly string[], deadlineMs: number): Promise<number>;
}

export interface OpenedOps<T> {
  readonly ops: T;
  readonly close: () => Promise<void>;
}

/** What the bench floor measures for a system, and under which names bench.json reports it. */
export interface FloorSpec {
  /** In progress lines: "Redis", "ZooKeeper". */
  readonly label: string;
  /** In progress lines: "PING", "exists". */
  readonly roundTrip: string;
  /** In progress lines: "raw SET NX PX + compare-and-delete pairs". */
  readonly pair: string;
  /** In progress lines: "connections", "sessions". */
  readonly unit: string;
  /** Noun for what cleanup removed ("keys", "znodes"). */
  readonly dataNoun: string;
  /** Untimed round trips before sampling. */
  readonly roundTripWarmup: number;
  /** The untimed warm-up of raw pairs runs on at most this many connections, for at most this long. */
  readonly warmup: { readonly maxConnections?: number; readonly maxMs?: number };
  /** Also measure the proxied round trip to every node (Redlock waits for a quorum of masters). */
  readonly everyNode?: { readonly resultField: string; readonly figureField: string };
  /** Also measure one quorum write (needs FloorOps.quorumWrites), in a directory made from the run's tag. */
  readonly quorumWrite?: {
    readonly resultField: string;
    readonly figureField: string;
    dir: (runTag: string, label: string) => string;
    /** What the write is, in floor formulas: W(<word>) (default 'create'). */
    readonly word?: string;
  };
    /** FloorFigures fields for the proxied round trip p50 and the raw pairs/s by concurrency. */
  readonly figureFields: { readonly roundTrip: string; readonly pairsPerSec: string };
  /**
   * The nodes the round trips and writes are timed on, from the system's nodes in node order
   * (default: all of them). Sentinel: only the primary, rs-1 whenever the cluster is ready; a
   * replica refuses writes and a Sentinel holds no data.
   */
  readonly measuredNodes?: (nodes: readonly NodePlan[]) => readonly NodePlan[];
  /**
   * The target of one raw-pair connection, made from the endpoints (this system's nodes in node
   * order) of the lock client it stands in for, in the form bench/drive.ts hands to the workers: a
   * port (one node) or a connect string (the whole ensemble).
   */
  readonly pairTarget: (endpoints: readonly { readonly host: string; readonly port: number }[]) => number | string;
  /**
   * The tag of one raw-pair measurement (label: 'c16', 'warmup', …); bench/drive.ts derives each
   * worker's scope from it (Redis: a key prefix; ZooKeeper: a directory under /lockbench/floor/).
   */
  readonly measurementTag: (runTag: string, label: string) => string;
  /** Patterns of what a bench run tagged `runTag` leaves behind that the lock clients do not name (floor data). */
  readonly floorLeftovers: (runTag: string) => readonly string[];
  readonly ops: () => Promise<FloorOps>;
}

/**
 * The system's own benchmark tool, run inside one node's container against another node over the
 * cluster network, with the commands of a raw pair and the floor's concurrency: an anchor anyone
 * can check the harness's own client ceiling against (bench/anchor.ts).
 */
export interface AnchorSpec {
  readonly tool: string;
  /** What it sends, in words for bench.json ("SET <random key> x NX PX 10000"). */
  readonly command: string;
  /** Commands one raw pair sends, so the harness's pairs/s become commands/s. */
  readonly commandsPerPair: number;
  /** The tool's argv against `target` (a node's name on the cluster network and its port). */
  readonly argv: (target: { readonly host: string; readonly port: number }, clients: number, requests: number) => readonly string[];
  /** Requests per second from the tool's output; undefined when it cannot be read. */
  readonly parse: (stdout: string) => number | undefined;
}

/**
 * A node's own counters (Redis INFO, ZooKeeper mntr), read once per snapshot by bench/server-usage.ts.
 * Raw-socket requests, like the probes, so pure code can import the driver.
 */
export interface NodeCounters {
  /** One read, by metric name; rejects with what failed. */
  readonly read: (host: string, port: number, timeoutMs: number) => Promise<Record<string, number>>;
  /** Metrics that are levels (memory, znodes), reported as their end value; all others are counters, reported as deltas. */
  readonly isGauge: (metric: string) => boolean;
  /** The gauge that grows with the data a lock stores (Redis used_memory, ZooKeeper approximate_data_size). */
  readonly memoryMetric?: string;
  /** The counter of requests the node served (Redis commands, ZooKeeper packets_received). */
  readonly requestMetric?: { readonly metric: string; readonly unit: string };
  /** The counters of time spent in fsync of the log (count and total ms), where the node reports them. */
  readonly fsyncMetric?: { readonly count: string; readonly sumMs: string };
}

/**
 * One kind of node of a system made of several (Sentinel: data nodes and Sentinels). Nodes are
 * numbered across the groups in order for the port layout, and named `<prefix>-<i>` within theirs.
 */
export interface NodeGroup {
  readonly prefix: string;
  readonly count: number;
  /** The group's client port inside its containers. */
  readonly internalPort: number;
}

/**
 * What the failover faults (chaos/faults/failover.ts, split-brain.ts, replica-lag.ts) ask of a
 * system with one primary, asynchronous replicas and automatic failover.
 */
export interface FailoverHooks {
  /** The nodes that hold data and can be primary, in node order. */
  readonly dataNodes: (nodes: readonly NodePlan[]) => readonly NodePlan[];
  /** The nodes that decide a failover (Sentinels). */
  readonly deciders: (nodes: readonly NodePlan[]) => readonly NodePlan[];
  /** The data node a majority of the deciders names as primary now; undefined when none does. */
  readonly primary: (nodes: readonly NodePlan[], host: string) => Promise<string | undefined>;
  /** Waits until the system is settled again, whichever node is primary (a fault's heal). */
  readonly settle: (nodes: readonly NodePlan[], o: ReadyOptions) => Promise<void>;
}

export interface SystemDriver<C = unknown, N extends string = string> {
  /** CLI name, the NodePlan's `system` and the container label, e.g. 'redis'. */
  readonly name: N;
  /** Node names are `<prefix>-<ordinal>`: redis-1, zk-2. */
  readonly nodePrefix: string;
  /** Upper bound of nodeCount; sizes the port block (at most NODES_PER_BLOCK). */
  readonly maxNodes: number;
  /** The client port inside the container, on the cluster's network. */
  readonly internalPort: number;
  /** The kinds of node, when there is more than one (their counts sum to nodeCount); else one group of nodePrefix. */
  readonly groups?: (config: C) => readonly NodeGroup[];
  /**
   * The members reach each other through one Toxiproxy proxy per node (NodePlan.peerProxy), and
   * are configured to announce those addresses, so server-to-server links can carry toxics.
   */
  readonly peerLinks?: boolean;
  /**
   * Roles of all of the system's nodes at once, for `status`, where one node's answer is not enough
   * to tell (a replica's lag is read off its primary); `role` is used otherwise.
   */
  readonly roles?: (nodes: readonly NodePlan[], host: string) => Promise<ReadonlyMap<string, string>>;
  /** For log lines: "5 Redis masters". */
  readonly describeNodes: (count: number) => string;
  readonly config: SystemConfigHooks<C>;
  readonly image: SystemImage;
  readonly container: (node: NodePlan, systemNodes: readonly NodePlan[], config: C) => ContainerSpec;
  /** One request to the node (PING, srvr); how faults check that they took effect. */
  readonly probe: (host: string, port: number, timeoutMs: number) => Promise<ProbeResult>;
  /** The node's role for `status` (master, leader, follower, …; 'unreachable' when it does not answer). */
  readonly role: (host: string, port: number) => Promise<string>;
  /** Does a request through this proxy port reach the node and come back? */
  readonly passesTraffic: (host: string, port: number, timeoutMs: number) => Promise<boolean>;
  /**
   * Waits until every node of this system serves as one cluster (ZooKeeper: exactly one leader).
   * Throws a typed error naming what it waited for.
   */
  readonly waitReady: (nodes: readonly NodePlan[], o: ReadyOptions) => Promise<void>;
  readonly faults: NodeFaultHooks;
  readonly floor: FloorSpec;
  readonly anchor?: AnchorSpec;
  /** For systems with a primary, replicas and automatic failover. */
  readonly failover?: FailoverHooks;
  /** The node's own counters, where it has cheap ones. */
  readonly counters?: NodeCounters;
}
