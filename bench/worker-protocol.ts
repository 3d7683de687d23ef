// The messages between the bench driver (main process) and its worker processes (cli/bench-worker.ts),
// sent over the fork IPC channel with `advanced` serialization, so attempt logs travel as
// Float64Arrays instead of JSON text. A worker runs one job at a time.
import type { ClusterPlan } from '../clusters/topology.ts';
import type { LockName } from '../locks/registry.ts';
import type { ErrorCounts } from './cycle-loop.ts';

export interface ClientSpec {
  readonly id: number;
  readonly key: string;
}

export interface CycleSettings {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly holdMs: number;
  readonly maxCyclesPerClient: number;
}

export type WorkerJob =
  | { readonly kind: 'closed'; readonly lock: LockName; readonly clients: readonly ClientSpec[]; readonly settings: CycleSettings }
  | {
      readonly kind: 'open';
      readonly lock: LockName;
      readonly clients: readonly ClientSpec[];
      readonly settings: CycleSettings;
      readonly ratePerSec: number;
      readonly drainMs: number;
      readonly offsetMs: number;
    }
  | { readonly kind: 'micro'; readonly lock: LockName; readonly client: ClientSpec; readonly settings: CycleSettings }
  /** Raw SET NX PX + compare-and-delete pairs, one connection per port listed (ports may repeat). */
  | { readonly kind: 'raw-redis'; readonly ports: readonly number[]; readonly durationMs: number; readonly keyPrefix: string }
  /** Raw create + delete pairs, one ZooKeeper session per connect string listed. */
  | { readonly kind: 'raw-zk'; readonly connects: readonly string[]; readonly durationMs: number; readonly dir: string }
  /** Starts the inventory service on this worker's lock clients; answers with its port. */
  | { readonly kind: 'http-start'; readonly lock: LockName; readonly clients: readonly number[]; readonly resourcePort: number; readonly ttlMs: number; readonly waitMs: number }
  /** Stops the inventory service; answers with what it did. */
  | { readonly kind: 'http-stop' }
  /** Closes every lock client this worker holds. */
  | { readonly kind: 'close-clients' };

export interface LoopJobResult {
  readonly kind: 'loop';
  readonly cycles: number;
  readonly attempts: number;
  readonly errors: ErrorCounts;
  /** Encoded HDR histograms (µs). */
  readonly histograms: { readonly acquire: string; readonly wait: string; readonly cycle: string; readonly service: string };
  readonly log: Float64Array;
  readonly measureStartMs: number;
  readonly measureEndMs: number;
  readonly measuredMs: number;
  readonly offered?: number;
  readonly unserved?: number;
}

export interface MicroJobResult {
  readonly kind: 'micro';
  readonly cycles: number;
  readonly elapsedMs: number;
  readonly errors: ErrorCounts;
  readonly histogram: string;
  readonly log: Float64Array;
  readonly tinybench: { readonly meanMs: number; readonly p50Ms: number; readonly p99Ms: number; readonly rmePercent: number; readonly samples: number; readonly state: string };
}

export interface RawJobResult {
  readonly kind: 'raw';
  readonly pairs: number;
  readonly elapsedMs: number;
  readonly errors: number;
  /** Encoded HDR histogram of one pair's latency (µs). */
  readonly histogram: string;
}

export interface HttpStartResult {
  readonly kind: 'http-start';
  readonly port: number;
}

export interface HttpStopResult {
  readonly kind: 'http-stop';
  readonly purchases: number;
  readonly soldOut: number;
  readonly failed: number;
  readonly errors: ErrorCounts;
  readonly log: Float64Array;
  readonly keys: readonly string[];
  /** CPU the worker spent and wall time, from service start to stop. */
  readonly serviceCpuUserMs: number;
  readonly serviceCpuSystemMs: number;
  readonly serviceWallMs: number;
}

export type JobResult = LoopJobResult | MicroJobResult | RawJobResult | HttpStartResult | HttpStopResult | { readonly kind: 'none' };

/** What one job cost the worker: CPU and event-loop lag show whether the harness saturated. */
export interface WorkerUsage {
  readonly pid: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly wallMs: number;
  /** 99th percentile of the worker's event-loop delay during the job, ms. */
  readonly eventLoopDelayP99Ms: number;
}

export type ToWorker = { readonly type: 'init'; readonly plan: ClusterPlan } | { readonly type: 'job'; readonly id: number; readonly job: WorkerJob } | { readonly type: 'abort' } | { readonly type: 'exit' };

export type FromWorker =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'result'; readonly id: number; readonly result: JobResult; readonly usage: WorkerUsage }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
