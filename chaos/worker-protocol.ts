// Messages between the chaos runner and its client worker processes (over the fork IPC channel).
import type { ClusterConfig } from '../clusters/topology.ts';

export interface WorkerInit {
  readonly type: 'init';
  readonly clientId: number;
  /** Registry name, or undefined with modulePath for --lock-module. */
  readonly lock: string;
  readonly modulePath?: string;
  readonly cluster: ClusterConfig;
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
