// How long each system took from `docker start` to serving as one cluster, measured when
// clusterUp starts the containers and kept in a small state file beside the cluster, so a later
// bench that reuses the running cluster can still report it. Labels cannot carry it (they are
// fixed at creation, before the figure exists). The file names the containers it was measured
// on: a cluster re-created since (other container ids) has no figure, never a stale one.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';

const log = logger('cluster');

/** Per system, ms from the containers' start to the driver's waitReady passing. */
export type ReadyMsBySystem = Readonly<Record<string, number>>;

/** What a run knows about its cluster's ready times: measured (now or when it was started), or why not. */
export type ReadyReading =
  | { readonly measured: true; readonly bySystemMs: ReadyMsBySystem; readonly measuredAt: string; readonly how: string }
  | { readonly measured: false; readonly why: string };

interface ReadyState {
  readonly cluster: string;
  readonly containerIds: readonly string[];
  readonly bySystemMs: ReadyMsBySystem;
  readonly measuredAt: string;
  readonly how: string;
}

/** How the figure is taken (clusters/cluster.ts, startNodesTimed), for the report. */
export const READY_HOW =
  "from the engine's StartedAt of the system's first container to its driver's ready check passing (polled every 200–300 ms); every system's containers start at once, so on a small machine each start also waits for the others'";

const stateDir = (): string => process.env['LOCKBENCH_STATE_DIR'] ?? join(tmpdir(), 'lockbench-state');
export const readyStatePath = (cluster: string): string => join(stateDir(), `${cluster}-ready.json`);

const sameIds = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().every((id, i) => id === [...b].sort()[i]);

export async function saveReadyTimes(cluster: string, containerIds: readonly string[], bySystemMs: ReadyMsBySystem): Promise<ReadyReading> {
  const state: ReadyState = { cluster, containerIds: [...containerIds].sort(), bySystemMs, measuredAt: new Date().toISOString(), how: READY_HOW };
  const path = readyStatePath(cluster);
  // Losing the file only costs a later run the figure; it must never fail the cluster's start.
  try {
    await mkdir(stateDir(), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
    await rename(tmp, path);
  } catch (err) {
    log.warn(`could not keep the ready times in ${path}: ${errorMessage(err)}`);
  }
  return { measured: true, bySystemMs, measuredAt: state.measuredAt, how: READY_HOW };
}

/** The ready times measured when the running cluster (these container ids) was started, or why there are none. */
export async function loadReadyTimes(cluster: string, containerIds: readonly string[]): Promise<ReadyReading> {
  let state: ReadyState;
  try {
    state = JSON.parse(await readFile(readyStatePath(cluster), 'utf8')) as ReadyState;
  } catch {
    return { measured: false, why: 'the running cluster was started before ready times were recorded (restart it with `npm run down` and a new run to measure them)' };
  }
  if (!Array.isArray(state.containerIds) || !sameIds(state.containerIds, containerIds)) {
    return { measured: false, why: 'the recorded ready times are of an earlier cluster, not the running one' };
  }
  return { measured: true, bySystemMs: state.bySystemMs, measuredAt: state.measuredAt, how: state.how };
}
