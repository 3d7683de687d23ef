// What a run leaves on the cluster, removed at its end (best effort, bounded): the single-Redis
// lock's fencing counters (INCR keys without a TTL) for this run's keys, the persistent ZooKeeper
// directories the lock recipe created for this run, and whatever each system's floor left. Lock
// keys themselves expire (TTL) and ephemeral znodes go with their sessions. Every system is
// offered every pattern and removes those its namespace can hold (key globs, paths).
import { drivers } from '../clusters/systems/registry.ts';
import { nodesOf, type ClusterPlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { fenceKey } from '../locks/redis-connection.ts';

const HOST = '127.0.0.1';
// locks/zookeeper-lock.ts keeps one directory per lock key under this root, named by the encoded key.
const LOCK_ROOT = '/lockbench/locks';

/** What the lock clients leave for a run's keys (`bench:<runTag>:…`). */
function lockLeftovers(runTag: string): string[] {
  return [`${fenceKey(`bench:${runTag}:`)}*`, `${LOCK_ROOT}/${encodeURIComponent(`bench:${runTag}:`)}*`];
}

/** Removes the run's leftovers; returns a one-line account (never throws). */
export async function cleanupRun(plan: ClusterPlan, runTag: string, budgetMs = 20_000): Promise<string> {
  const deadline = monoMs() + budgetMs;
  const notes: string[] = [];
  for (const d of drivers) {
    // Every node of a system holds the same data (an ensemble) or only the first one is written
    // by single-node locks and the floor: cleaning the first node is enough either way.
    const node = nodesOf(plan, d.name)[0];
    if (!node) continue;
    try {
      const ops = await d.floor.ops();
      const n = await ops.removeMatching(`${HOST}:${node.directPort}`, [...lockLeftovers(runTag), ...d.floor.floorLeftovers(runTag)], deadline);
      notes.push(`${n} ${d.floor.dataNoun}`);
    } catch (err) {
      notes.push(`${d.floor.label}: ${errorMessage(err)}`);
    }
  }
  return `removed ${notes.join(', ')}`;
}
