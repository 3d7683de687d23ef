// The messages between the bench driver (bench/worker-pool.ts) and its worker processes
// (bench/worker-main.ts), sent over the fork IPC channel with `advanced` serialization, so attempt
// logs travel as Float64Arrays instead of JSON text. A worker runs one job at a time.
import { isSystemName, systemNames } from '../clusters/systems/registry.ts';
import type { ClusterPlan } from '../clusters/topology.ts';
import { ShapeError, array, field, float64s, int, num, numbers, oneOf, optional, record, str, type Fields } from '../core/message-shape.ts';
import { linkPaths, type LinkPath } from '../locks/context.ts';
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
  /** --max-rate: the most cycles per second a case may offer across all its clients (bench/pace.ts); absent: no cap. */
  readonly maxRatePerSec?: number;
  /** Closed loop: each client's cycles start at least this far apart, set from maxRatePerSec where a case is dealt (bench/drive.ts). */
  readonly paceMs?: number;
}

export type WorkerJob =
  | { readonly kind: 'closed'; readonly lock: LockName; readonly via: LinkPath; readonly clients: readonly ClientSpec[]; readonly settings: CycleSettings }
  | {
      readonly kind: 'open';
      readonly lock: LockName;
      readonly via: LinkPath;
      readonly clients: readonly ClientSpec[];
      readonly settings: CycleSettings;
      readonly ratePerSec: number;
      readonly drainMs: number;
      readonly offsetMs: number;
    }
  | { readonly kind: 'micro'; readonly lock: LockName; readonly via: LinkPath; readonly client: ClientSpec; readonly settings: CycleSettings }
  /**
   * Raw pairs of a registered system through its driver's FloorOps.pairs: one connection per target
   * listed (a port or a connect string, as the driver's pairTarget gives them; targets may repeat),
   * each on its own key under `scope` (a key prefix or a path), in the lock cases' closed loop with
   * their warm-up and window (`settings`; hold is ignored).
   */
  | { readonly kind: 'raw'; readonly system: string; readonly targets: readonly (number | string)[]; readonly settings: CycleSettings; readonly scope: string }
  /** Starts the inventory service on this worker's lock clients; answers with its port. */
  | { readonly kind: 'http-start'; readonly lock: LockName; readonly via: LinkPath; readonly clients: readonly number[]; readonly resourcePort: number; readonly ttlMs: number; readonly waitMs: number }
  /** Stops the inventory service; answers with what it did. */
  | { readonly kind: 'http-stop' }
  /** Closes every lock client this worker holds. */
  | { readonly kind: 'close-clients' }
  /**
   * Acquires distinct keys and keeps them held (bench/scalability.ts): each holder client acquires
   * its keys, `inFlight` at a time, until all are held or `budgetMs` has passed.
   */
  | {
      readonly kind: 'hold';
      readonly lock: LockName;
      readonly via: LinkPath;
      readonly holders: readonly { readonly id: number; readonly keys: readonly string[] }[];
      readonly ttlMs: number;
      readonly waitMs: number;
      readonly inFlight: number;
      readonly budgetMs: number;
      /** --max-rate's share of this worker: acquires per second, all its holders together. */
      readonly maxRatePerSec?: number;
    }
  /** Releases everything `hold` acquired on this worker. */
  | { readonly kind: 'release-held' };

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

export interface HoldJobResult {
  readonly kind: 'hold';
  /** Keys held when the job answered (this job's and earlier ones' not yet released). */
  readonly held: number;
  /** Acquires that did not grant (refused, failed, unknown outcome). */
  readonly failed: number;
  /** Keys not tried because the budget ran out. */
  readonly skipped: number;
  readonly elapsedMs: number;
}

export interface ReleaseHeldJobResult {
  readonly kind: 'release-held';
  readonly released: number;
  /** Releases that found the grant gone, or failed (a session-based lock's close removes those). */
  readonly notReleased: number;
  readonly elapsedMs: number;
}

export type JobResult = LoopJobResult | MicroJobResult | RawJobResult | HttpStartResult | HttpStopResult | HoldJobResult | ReleaseHeldJobResult | { readonly kind: 'none' };

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

// Validators, applied to every message on receipt (core/worker-process.ts on the driver's side,
// bench/worker-main.ts on the worker's). They check the fields the other side reads; the bulky
// payloads (histograms, attempt logs) are checked for their type, not decoded.

const JOB_KINDS = ['closed', 'open', 'micro', 'raw', 'http-start', 'http-stop', 'close-clients', 'hold', 'release-held'] as const;
const RESULT_KINDS = ['loop', 'micro', 'raw', 'http-start', 'http-stop', 'hold', 'release-held', 'none'] as const;
const ERROR_FIELDS = ['busy', 'unavailable', 'unknown', 'releaseNotHeld', 'releaseUnknown'] as const;

function settings(m: Fields, at: string): void {
  const s = field(m, 'settings', at);
  numbers(s, ['warmupMs', 'durationMs', 'ttlMs', 'waitMs', 'holdMs', 'maxCyclesPerClient'], `${at}.settings`);
  optional(s, 'paceMs', `${at}.settings`, num);
  optional(s, 'maxRatePerSec', `${at}.settings`, num);
}

function parseJob(m: Fields, p: string): WorkerJob {
  const kind = oneOf(m, 'kind', p, JOB_KINDS);
  const at = `${p}(${kind})`;
  switch (kind) {
    case 'closed':
    case 'open':
    case 'micro':
      str(m, 'lock', at);
      oneOf(m, 'via', at, linkPaths);
      settings(m, at);
      if (kind === 'micro') field(m, 'client', at);
      else array(m, 'clients', at);
      if (kind === 'open') numbers(m, ['ratePerSec', 'drainMs', 'offsetMs'], at);
      break;
    case 'raw': {
      const system = str(m, 'system', at);
      if (!isSystemName(system)) throw new ShapeError(`${at}.system`, `expected one of ${systemNames.join(', ')}, got ${JSON.stringify(system)}`);
      const targets = array(m, 'targets', at);
      if (targets.some((t) => !(typeof t === 'string' ? t.length > 0 : typeof t === 'number' && Number.isInteger(t) && t > 0))) throw new ShapeError(`${at}.targets`, 'expected ports (positive integers) or connect strings');
      settings(m, at);
      str(m, 'scope', at);
      break;
    }
    case 'http-start':
      str(m, 'lock', at);
      oneOf(m, 'via', at, linkPaths);
      array(m, 'clients', at);
      numbers(m, ['resourcePort', 'ttlMs', 'waitMs'], at);
      break;
    case 'hold': {
      str(m, 'lock', at);
      oneOf(m, 'via', at, linkPaths);
      numbers(m, ['ttlMs', 'waitMs', 'inFlight', 'budgetMs'], at);
      optional(m, 'maxRatePerSec', at, num);
      const holders = array(m, 'holders', at);
      if (holders.some((h) => typeof h !== 'object' || h === null || typeof (h as { id?: unknown }).id !== 'number' || !Array.isArray((h as { keys?: unknown }).keys))) {
        throw new ShapeError(`${at}.holders`, 'expected { id, keys[] } entries');
      }
      break;
    }
    case 'http-stop':
    case 'close-clients':
    case 'release-held':
      break;
  }
  return m as unknown as WorkerJob;
}

/** What the driver sent, checked by the worker. */
export function parseToWorker(raw: unknown): ToWorker {
  const m = record(raw, 'message');
  const type = oneOf(m, 'type', 'message', ['init', 'job', 'abort', 'exit']);
  switch (type) {
    case 'init': {
      const plan = field(m, 'plan', type);
      field(plan, 'config', `${type}.plan`);
      array(plan, 'nodes', `${type}.plan`);
      return m as unknown as ToWorker;
    }
    case 'job':
      return { type, id: int(m, 'id', type), job: parseJob(field(m, 'job', type), `${type}.job`) };
    case 'abort':
    case 'exit':
      return { type };
  }
}

function parseResult(m: Fields, p: string): JobResult {
  const kind = oneOf(m, 'kind', p, RESULT_KINDS);
  const at = `${p}(${kind})`;
  const errors = (): void => numbers(field(m, 'errors', at), ERROR_FIELDS, `${at}.errors`);
  switch (kind) {
    case 'loop': {
      numbers(m, ['cycles', 'attempts', 'measureStartMs', 'measureEndMs', 'measuredMs'], at);
      errors();
      const h = field(m, 'histograms', at);
      for (const k of ['acquire', 'wait', 'cycle', 'service']) str(h, k, `${at}.histograms`);
      float64s(m, 'log', at);
      for (const k of ['offered', 'unserved']) if (m[k] !== undefined) num(m, k, at);
      break;
    }
    case 'micro':
      numbers(m, ['cycles', 'elapsedMs'], at);
      errors();
      str(m, 'histogram', at);
      float64s(m, 'log', at);
      numbers(field(m, 'tinybench', at), ['meanMs', 'p50Ms', 'p99Ms', 'rmePercent', 'samples'], `${at}.tinybench`);
      break;
    case 'raw':
      numbers(m, ['pairs', 'elapsedMs', 'errors'], at);
      str(m, 'histogram', at);
      break;
    case 'http-start':
      int(m, 'port', at);
      break;
    case 'http-stop': {
      numbers(m, ['purchases', 'soldOut', 'failed', 'serviceCpuUserMs', 'serviceCpuSystemMs', 'serviceWallMs'], at);
      errors();
      float64s(m, 'log', at);
      if (array(m, 'keys', at).some((k) => typeof k !== 'string')) throw new ShapeError(`${at}.keys`, 'expected strings');
      break;
    }
    case 'hold':
      numbers(m, ['held', 'failed', 'skipped', 'elapsedMs'], at);
      break;
    case 'release-held':
      numbers(m, ['released', 'notReleased', 'elapsedMs'], at);
      break;
    case 'none':
      break;
  }
  return m as unknown as JobResult;
}

/** What a worker sent, checked by the driver. */
export function parseFromWorker(raw: unknown): FromWorker {
  const m = record(raw, 'message');
  const type = oneOf(m, 'type', 'message', ['ready', 'result', 'error']);
  switch (type) {
    case 'ready':
      return { type, pid: int(m, 'pid', type) };
    case 'result': {
      const usage = field(m, 'usage', type);
      numbers(usage, ['pid', 'cpuUserMs', 'cpuSystemMs', 'wallMs', 'eventLoopDelayP99Ms'], `${type}.usage`);
      return { type, id: int(m, 'id', type), result: parseResult(field(m, 'result', type), `${type}.result`), usage: usage as unknown as WorkerUsage };
    }
    case 'error':
      return { type, id: int(m, 'id', type), message: str(m, 'message', type) };
  }
}
