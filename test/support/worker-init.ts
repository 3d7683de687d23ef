// A chaos worker's init message for tests that start or validate one: the run's usual settings,
// with what a test cares about passed in.
import { defaultClusterConfig } from '../../clusters/topology.ts';
import type { WorkerInit } from '../../chaos/worker-protocol.ts';

export function workerInit(fields: Pick<WorkerInit, 'lock' | 'resourcePort' | 'historyPath' | 'keys'> & Partial<WorkerInit>): WorkerInit {
  return { type: 'init', clientId: 0, cluster: defaultClusterConfig, tuning: {}, ttlMs: 2000, waitMs: 1000, holdMs: 5, fencing: false, checkLease: false, seed: 1, ...fields };
}
