// The shape of bench.json (documented field by field in results/README.md). Latencies are in ms,
// taken from HDR histograms merged across worker processes; rates are per second of measured time.
import type { LatencySummaryMs } from '../core/stats.ts';
import type { OverlapSummary } from './attempts.ts';
import type { ErrorCounts } from './cycle-loop.ts';
import type { FairnessResult } from './fairness.ts';
import type { CaseKind } from './plan.ts';
import type { LinkPath } from '../locks/context.ts';

export interface WorkerCaseUsage {
  readonly worker: number;
  readonly pid: number;
  readonly clients: number;
  /** (user + system CPU) ÷ wall time of the job, in % of one core. */
  readonly cpuPercent: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly wallMs: number;
  readonly eventLoopDelayP99Ms: number;
}

export interface CaseFloor {
  /** The least cycle latency the lock's round trips and writes allow, ms (docs/methodology.md). */
  readonly latencyMs: number;
  /** The most cycles per second the raw primitives allow at this concurrency. */
  readonly cyclesPerSec: number;
  /** How the two figures were derived, in words. */
  readonly basis: string;
}

export interface CaseEfficiency {
  /** Measured cycles/s ÷ floor cycles/s (1 = at the ceiling). */
  readonly throughput: number | null;
  /** Floor latency ÷ measured p50 cycle latency (1 = at the floor). */
  readonly latency: number | null;
}

export interface HttpFigures {
  readonly connections: number;
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly non2xx: number;
  readonly status: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly timeouts: number;
  readonly purchases: number;
  readonly soldOut: number;
  readonly failed: number;
  readonly stockStart: number;
  readonly stockEnd: number;
  /** Stock below zero, or sold ≠ start − end: must be 0 for a correct lock without faults. */
  readonly oversell: number;
  readonly skus: readonly { readonly sku: string; readonly start: number; readonly end: number; readonly sold: number }[];
}

export interface OpenLoopFigures {
  readonly offeredPerSec: number;
  /** Requests due in the measured window, and those never served before the drain deadline. */
  readonly offered: number;
  readonly unserved: number;
  /** Which closed-loop case the rate is a fraction of, and its throughput. */
  readonly rateOf: string;
  readonly fraction: number;
  readonly referenceCyclesPerSec: number | null;
}

export interface TinybenchFigures {
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rmePercent: number;
  readonly samples: number;
  readonly state: string;
}

/** Latencies of a closed- or open-loop case. */
export interface LoopLatency {
  /** Acquire call → grant (under contention this is the wait for the lock). */
  readonly acquire?: LatencySummaryMs | undefined;
  /** Scheduled start → grant: the wait including queueing (open loop); = acquire when closed. */
  readonly wait?: LatencySummaryMs | undefined;
  /** Scheduled start → released: the whole cycle as a caller sees it. */
  readonly cycle?: LatencySummaryMs | undefined;
  /** Acquire call → released (open loop: without the queueing). */
  readonly service?: LatencySummaryMs | undefined;
}

/** The one latency a micro case (acquire + release) or an HTTP case (a request) measures. */
export interface CycleLatency {
  readonly cycle?: LatencySummaryMs | undefined;
}

/** What every case has, measured or not (results/README.md, "Each case"). */
interface CaseCommon {
  readonly id: string;
  readonly lock: string;
  readonly clients: number;
  readonly keys: string;
  /** Injected one-way latency per direction (ms) and its jitter; 0 = none. */
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly holdMs: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly error?: string;
  /** Completed acquire + release cycles in the measured window (HTTP: 2xx responses). */
  readonly cycles: number;
  readonly attempts: number;
  readonly cyclesPerSec: number;
  readonly errors: ErrorCounts;
  /** Clients whose acquire never completed (granted, refused or failed) in the measured window. */
  readonly stalledClients: number;
  readonly overlap: OverlapSummary | null;
  readonly floor: CaseFloor | null;
  readonly efficiency: CaseEfficiency;
  readonly workers: readonly WorkerCaseUsage[];
  /** Which links the clients used: the nodes' own ports, or the proxy's (WAN cases, `--via proxy`). */
  readonly path?: BenchPath;
  /** CPU and memory of every node container and the proxy over the measured window (absent in older files). */
  readonly server?: ServerUsage;
  /** What limited the case (absent in older files). */
  readonly bottleneck?: Bottleneck;
  /** Encoded HDR histograms (µs, hdr-histogram-js compressed base64), for re-merging and plotting. */
  readonly histograms: Readonly<Record<string, string>>;
}

// Each kind's own figures are absent when the case failed (or was interrupted) before it measured
// anything: bench.json then has the common fields only.

/** Uncontended acquire + release, one client, tinybench. */
export interface MicroCaseResult extends CaseCommon {
  readonly kind: 'micro';
  readonly mode: 'tinybench';
  readonly latency: CycleLatency;
  readonly tinybench?: TinybenchFigures;
}

/** Closed loop over the clients × keys × latency sweep. */
export interface SweepCaseResult extends CaseCommon {
  readonly kind: 'sweep';
  readonly mode: 'closed';
  readonly latency: LoopLatency;
  /** One key shared by several clients: how the grants were shared out. */
  readonly fairness?: FairnessResult;
}

/** Open loop at a fixed offered rate. */
export interface OpenCaseResult extends CaseCommon {
  readonly kind: 'open';
  readonly mode: 'open';
  readonly latency: LoopLatency;
  readonly fairness?: FairnessResult;
  readonly openLoop?: OpenLoopFigures;
}

/** All clients on one key, holding it `holdMs`. */
export interface FairnessCaseResult extends CaseCommon {
  readonly kind: 'fairness';
  readonly mode: 'closed';
  readonly latency: LoopLatency;
  readonly fairness?: FairnessResult;
}

/** The inventory service behind HTTP, driven by autocannon. */
export interface HttpCaseResult extends CaseCommon {
  readonly kind: 'http';
  readonly mode: 'http';
  readonly latency: CycleLatency;
  readonly http?: HttpFigures;
}

/** A closed-loop sweep on independent keys while `held.heldLocks` other locks are held (bench/scalability.ts). */
export interface HeldCaseResult extends CaseCommon {
  readonly kind: 'held';
  readonly mode: 'closed';
  readonly latency: LoopLatency;
  readonly held?: HeldLocksPoint;
}

/** Many clients waiting on one key (bench/scalability.ts). */
export interface WaitersCaseResult extends CaseCommon {
  readonly kind: 'waiters';
  readonly mode: 'closed';
  readonly latency: LoopLatency;
  readonly fairness?: FairnessResult;
  readonly waiters?: WaitersPoint;
}

/** One entry of bench.json's `cases`, told apart by `kind` (the plan's CaseKind). */
export type CaseResult = MicroCaseResult | SweepCaseResult | OpenCaseResult | FairnessCaseResult | HttpCaseResult | HeldCaseResult | WaitersCaseResult;
export type CaseResultOf<K extends CaseKind> = Extract<CaseResult, { readonly kind: K }>;
export type CaseMode = CaseResult['mode'];

/** Narrows a case list to one kind. */
export const casesOfKind = <K extends CaseKind>(cases: readonly CaseResult[], kind: K): CaseResultOf<K>[] => cases.filter((c): c is CaseResultOf<K> => c.kind === kind);

export interface PathRtt {
  readonly path: 'direct' | 'proxied';
  readonly address: string;
  readonly rttMs: LatencySummaryMs;
}

export interface PairsAt {
  readonly clients: number;
  /** The links the pairs used (absent in older files: the proxy's). */
  readonly path?: BenchPath;
  /** The highest rate measured in the run (the ceiling the cases are judged against). */
  readonly pairsPerSec: number;
  /** Every measurement of these pairs in the run, in order (absent in older files). */
  readonly samplesPerSec?: readonly number[];
  readonly pairMs: LatencySummaryMs;
  readonly errors: number;
  /** CPU of the workers that drove it, % of one core each. */
  readonly workerCpuPercent: readonly number[];
}

/**
 * What the floor reports for every measured system, as bench.json's floor.<system>; a driver adds
 * the fields its FloorSpec names (everyNode, quorumWrite), for the run's path at the top level and
 * for each other path in `otherPaths`.
 */
export interface SystemFloorResult {
  readonly node: string;
  readonly rtt: readonly PathRtt[];
  /** proxied ÷ direct RTT p50. */
  readonly proxyOverheadRatio: number;
  /** The run's path (absent in older files: the proxy's). */
  readonly path?: BenchPath;
  /** Raw pairs on the run's path, per sweep concurrency. */
  readonly pairs: readonly PairsAt[];
  /** The same figures on the other path(s), for comparison (absent in older files). */
  readonly otherPaths?: readonly (Readonly<Record<string, unknown>> & { readonly path: BenchPath; readonly pairs: readonly PairsAt[] })[];
}

/**
 * bench.json's floor: one section per measured system, keyed by its name (bench/floor.ts fills them
 * from the drivers), each with the fields its driver's FloorSpec adds besides the common ones:
 * results/README.md documents those of the registered systems (Redis: `mastersRttP50Ms`,
 * ZooKeeper: `writeMs`). Readers go through the helpers below, so a new system's
 * section needs no edit here.
 */
export type FloorResult = Readonly<Record<string, SystemFloorResult & Readonly<Record<string, unknown>>>>;

/** A latency summary among a section's extra fields (a quorum write). */
export function isLatencySummary(v: unknown): v is LatencySummaryMs {
  return typeof v === 'object' && v !== null && typeof (v as { p50?: unknown }).p50 === 'number' && typeof (v as { count?: unknown }).count === 'number';
}

/** A list of per-node round trips among a section's extra fields (every master's RTT). */
export function isNumberList(v: unknown): v is readonly number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

export interface LockFloorRow {
  readonly lock: string;
  readonly roundTripsPerCycle: number;
  readonly writesPerCycle: number;
  readonly latencyMs: number;
  readonly formula: string;
}

export interface WanGroup {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly links: number;
  readonly verified: boolean;
  /**
   * Each system's round trip (and quorum write) p50 through a toxic link, ms, named after its
   * driver's figures (`redisRttP50Ms`, `zkRttP50Ms`, `zkWriteP50Ms`): proof the toxics took effect.
   */
  readonly [figureP50Ms: string]: number | boolean;
}

/** A WAN group's measured figures: every `…P50Ms` field, in the order measured. */
export function wanFigures(g: WanGroup): [name: string, ms: number][] {
  return Object.entries(g).filter((e): e is [string, number] => e[0].endsWith('P50Ms') && typeof e[1] === 'number');
}

export type BenchPath = LinkPath;

/** One container's share of the machine over a case's measured window. */
export interface ContainerUsage {
  /** Node name (redis-1, zk-2) or 'toxiproxy'. */
  readonly name: string;
  readonly role: 'node' | 'proxy';
  /** The node's system; absent for the proxy. */
  readonly system?: string;
  /** CPU time ÷ wall time, in % of one core (200 = two cores busy). */
  readonly cpuPercent: number;
  /** Memory in use at the end of the window (the engine's usage minus page cache), bytes. */
  readonly memoryBytes: number;
}

/** Server-side figures of one case, from the Docker engine, /proc/stat and the systems' own counters. */
export interface ServerUsage {
  readonly containers: readonly ContainerUsage[];
  /** The whole machine's idle CPU over the window, % of all cores (100 = nothing ran). */
  readonly hostIdlePercent: number;
  readonly hostCores: number;
  /**
   * Each node's own counters over the window, as deltas for counters and end values for gauges,
   * keyed by node name then metric (Redis INFO: `commands`, `used_memory`; ZooKeeper mntr:
   * `packets_received`, `znode_count`, `fsync_ms_mean`…). Absent where not read.
   */
  readonly counters?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Wall time between the two snapshots, ms. */
  readonly windowMs?: number;
  /** Where the container figures came from: the cgroup files (exact, instant) or the engine's stats. */
  readonly source?: 'cgroup' | 'engine' | 'mixed';
  /** What could not be read ("zk-2: container: …", "redis-3: counters: …"); absent when everything was. */
  readonly missing?: readonly string[];
}

export type BottleneckKind = 'client' | 'server' | 'proxy' | 'disk' | 'machine' | 'latency-bound' | 'unknown';

/** What limited a case, named by bench/bottleneck.ts from its worker and server usage. */
export interface Bottleneck {
  readonly kind: BottleneckKind;
  /** Which process or container, and the figure that shows it ("zk-1 at 97% of a core"). */
  readonly detail: string;
}

/** Throughput and latency while `heldLocks` other locks are held at once (bench.json scalability.held). */
export interface HeldLocksPoint {
  readonly lock: string;
  readonly heldLocks: number;
  readonly clients: number;
  readonly cyclesPerSec: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Growth of the servers' memory while the locks were held ÷ heldLocks, bytes; null when not measured. */
  readonly memoryBytesPerLock: number | null;
  /** What memoryBytesPerLock measures ("used_memory of redis-1", "approximate_data_size summed over zk-1..3"). */
  readonly memoryBasis?: string;
  /** The locks the case meant to hold; more than heldLocks when acquiring them ran out of its time budget. */
  readonly requestedLocks?: number;
  /** How fast the locks were acquired, all holders together. */
  readonly acquiresPerSec?: number;
}

/** Many waiters on one lock: grants per second and what each grant costs the servers. */
export interface WaitersPoint {
  readonly lock: string;
  readonly waiters: number;
  readonly grantsPerSec: number;
  readonly p99WaitMs: number | null;
  /** Requests the servers handled per grant (Redis commands, ZooKeeper packets received); null when not read. */
  readonly serverOpsPerGrant: number | null;
  /** What serverOpsPerGrant counts, in words. */
  readonly opsUnit: string;
  /** Acquires that gave up (busy) in the window: the waiters the lock starved. */
  readonly timeouts?: number;
  /** How long one waiter waited before giving up (a timeout), ms. */
  readonly waitBudgetMs?: number;
}

/** The same case on clusters of different sizes. */
export interface ClusterSizePoint {
  readonly lock: string;
  readonly system: string;
  readonly nodes: number;
  readonly clients: number;
  readonly cyclesPerSec: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** The point's case id, e.g. `size/redlock/n7` (absent in older files). */
  readonly id?: string;
  /** The Docker cluster it ran on: the run's own or the temporary one (bench/cluster-size.ts). */
  readonly cluster?: string;
  /** That cluster's nodes of `system`; more than `nodes` when a fan-out lock used only the first `nodes`. */
  readonly clusterNodes?: number;
  readonly status?: 'ok' | 'failed' | 'interrupted';
  readonly error?: string;
  /** Acquires that timed out, could not reach the service or had an unknown outcome. */
  readonly errors?: number;
  /** The overlap checker's verdict on the point's attempts. */
  readonly overlap?: string;
  /** The busiest worker's CPU, % of one core. */
  readonly workerCpuMaxPercent?: number;
  /** What limited the point, named from its workers and its cluster's servers (bench/bottleneck.ts). */
  readonly bottleneck?: Bottleneck;
}

export interface ScalabilityResult {
  readonly held: readonly HeldLocksPoint[];
  readonly waiters: readonly WaitersPoint[];
  readonly clusterSize: readonly ClusterSizePoint[];
  /** Where the cluster-size points ran and how they compare, or why there are none (`--quick`). */
  readonly clusterSizeNote?: string;
}

/** Ease of setup of one lock, as measured (bench.json setup). */
export interface SetupCost {
  readonly lock: string;
  readonly system: string;
  /** Nodes its design needs to keep granting through one node failure; null when it cannot (one node, no failover). */
  readonly nodesToSurviveOneFailure: number | null;
  readonly why: string;
  /** The lab cluster's containers for the lock's system, and their memory at rest (bytes). */
  readonly containers: number;
  /** Which containers: every node of the system, or the first for a lock on one node (absent in older files). */
  readonly containerNames?: readonly string[];
  readonly memoryBytesAtRest: number | null;
  /** Why memoryBytesAtRest is null. */
  readonly memoryWhy?: string;
  /** Container start → the system serving as one cluster, ms; null when this run did not start it. */
  readonly readyMs: number | null;
  /** Why readyMs is null, or how it was measured when it is not. */
  readonly readyWhy?: string;
  readonly readyHow?: string;
  /** Non-blank, non-comment lines of the lock's client code in lockbench. */
  readonly clientLines: number;
  /** The files counted, relative to the repository (absent in older files). */
  readonly clientFiles?: readonly string[];
}

/** The raw operations anchored against the system's own benchmark tool, same commands and concurrency. */
export interface AnchorResult {
  readonly system: string;
  readonly tool: string;
  readonly command: string;
  readonly clients: number;
  /** The tool's requests per second, and lockbench's raw commands per second at the same concurrency. */
  readonly toolOpsPerSec: number;
  readonly harnessOpsPerSec: number;
  /** harness ÷ tool. */
  readonly ratio: number;
}

export interface GoalResult {
  readonly goal: string;
  readonly target: string;
  readonly measured: string;
  /** null when the run did not include what the goal needs. */
  readonly met: boolean | null;
}

export interface BenchResult {
  readonly runId: string;
  readonly kind: 'bench';
  readonly version: 1;
  readonly startedAt: string;
  readonly wallTimeMs: number;
  readonly interrupted: boolean;
  readonly options: Readonly<Record<string, unknown>>;
  readonly environment: Readonly<Record<string, unknown>>;
  readonly cluster: unknown;
  readonly toxiproxy: unknown;
  readonly floor: FloorResult | null;
  readonly lockFloors: readonly LockFloorRow[];
  readonly wan: readonly WanGroup[];
  readonly cases: readonly CaseResult[];
  readonly goals: readonly GoalResult[];
  /** The machine the run measured (absent in older files). */
  readonly machine?: { readonly cores: number; readonly cpuModel: string; readonly memoryBytes: number };
  /** The durability profile of the cluster: 'memory' (no fsync per write) or 'disk'. */
  readonly durability?: 'memory' | 'disk';
  /** Which links the speed cases used by default. */
  readonly path?: BenchPath;
  readonly scalability?: ScalabilityResult;
  readonly setup?: readonly SetupCost[];
  readonly anchors?: readonly AnchorResult[];
  /** Cases whose efficiency exceeded 1.05: the floor did not bound them (a floor error). */
  readonly floorErrors?: readonly string[];
  /** Cases whose overlap checker found a definite violation. */
  readonly violations: readonly string[];
}
