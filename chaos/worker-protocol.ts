// Messages between the chaos runner (chaos/workers.ts) and its client worker processes
// (chaos/worker-main.ts), over the fork IPC channel.
import type { ClusterConfig, ClusterPlan } from '../clusters/topology.ts';
import { ShapeError, array, bool, field, int, num, numbers, oneOf, optional, record, str, type Fields } from '../core/message-shape.ts';

export interface WorkerInit {
  readonly type: 'init';
  readonly clientId: number;
  /** Registry name, or undefined with modulePath for --lock-module. */
  readonly lock: string;
  readonly modulePath?: string;
  readonly cluster: ClusterConfig;
  /** An external target's plan (its endpoints are not planned from the config); absent in the lab. */
  readonly plan?: ClusterPlan;
  readonly tuning: Readonly<Record<string, number>>;
  readonly resourcePort: number;
  readonly historyPath: string;
  readonly keys: readonly string[];
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly holdMs: number;
  readonly fencing: boolean;
  readonly checkLease: boolean;
  readonly seed: number;
}

export type ToWorker =
  | WorkerInit
  | { readonly type: 'run'; readonly maxAcquires: number }
  | { readonly type: 'stop' }
  | { readonly type: 'liveness'; readonly waitMs: number }
  | { readonly type: 'exit' };

export interface WorkerCounts {
  readonly acquires: number;
  readonly acquired: number;
  readonly increments: number;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: string }
  /** Sent as a worker starts (key) and stops (null) holding a lock; atMs = its monotonic clock then. */
  | { readonly type: 'holding'; readonly key: string | null; readonly atMs: number }
  | { readonly type: 'stopped'; readonly counts: WorkerCounts }
  | { readonly type: 'liveness'; readonly ok: boolean; readonly detail: string };

// Validators, applied to every message on receipt (core/worker-process.ts on the runner's side,
// chaos/worker-main.ts on the worker's): they check what the other side relies on and throw a
// ShapeError naming the field that does not fit.

const TO_WORKER = ['init', 'run', 'stop', 'liveness', 'exit'] as const;
const FROM_WORKER = ['ready', 'failed', 'holding', 'stopped', 'liveness'] as const;

function parseInit(m: Fields): WorkerInit {
  const p = 'init';
  const cluster = field(m, 'cluster', p);
  str(cluster, 'name', `${p}.cluster`);
  numbers(cluster, ['redisNodes', 'zkNodes', 'clientSlots', 'portBase'], `${p}.cluster`);
  const tuning = field(m, 'tuning', p);
  numbers(tuning, Object.keys(tuning), `${p}.tuning`);
  const keys = array(m, 'keys', p);
  if (keys.some((k) => typeof k !== 'string')) throw new ShapeError(`${p}.keys`, 'expected strings');
  int(m, 'clientId', p);
  str(m, 'lock', p);
  optional(m, 'modulePath', p, str);
  int(m, 'resourcePort', p);
  str(m, 'historyPath', p);
  numbers(m, ['ttlMs', 'waitMs', 'holdMs', 'seed'], p);
  bool(m, 'fencing', p);
  bool(m, 'checkLease', p);
  return m as unknown as WorkerInit;
}

/** What the runner sent, checked by the worker. */
export function parseToWorker(raw: unknown): ToWorker {
  const m = record(raw, 'message');
  const type = oneOf(m, 'type', 'message', TO_WORKER);
  switch (type) {
    case 'init':
      return parseInit(m);
    case 'run':
      return { type, maxAcquires: num(m, 'maxAcquires', type) };
    case 'liveness':
      return { type, waitMs: num(m, 'waitMs', type) };
    case 'stop':
    case 'exit':
      return { type };
  }
}

/** What a worker sent, checked by the runner. */
export function parseFromWorker(raw: unknown): FromWorker {
  const m = record(raw, 'message');
  const type = oneOf(m, 'type', 'message', FROM_WORKER);
  switch (type) {
    case 'ready':
      return { type };
    case 'failed':
      return { type, error: str(m, 'error', type) };
    case 'holding': {
      const key = m['key'] === null ? null : str(m, 'key', type);
      return { type, key, atMs: num(m, 'atMs', type) };
    }
    case 'stopped': {
      const c = field(m, 'counts', type);
      return { type, counts: { acquires: int(c, 'acquires', `${type}.counts`), acquired: int(c, 'acquired', `${type}.counts`), increments: int(c, 'increments', `${type}.counts`) } };
    }
    case 'liveness':
      return { type, ok: bool(m, 'ok', type), detail: str(m, 'detail', type) };
  }
}
