// What a run leaves on the cluster, removed at its end (best effort, bounded): the single-Redis
// lock's fencing counters (INCR keys without a TTL) for this run's keys on redis-1, and the
// persistent ZooKeeper directories the lock recipe and the floor created for this run. Lock keys
// themselves expire (TTL) and ephemeral znodes go with their sessions.
import { Redis } from 'ioredis';
import type { ClusterPlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { fenceKey } from '../locks/redis-connection.ts';
import { nodeNamed } from './floor.ts';
import { openZkSession } from './zk-session.ts';

const HOST = '127.0.0.1';
const LOCK_ROOT = '/lockbench/locks';
const FLOOR_ROOT = '/lockbench/floor';

async function deleteTree(zk: Awaited<ReturnType<typeof openZkSession>>['zk'], path: string, deadlineMs: number): Promise<number> {
  if (monoMs() > deadlineMs) return 0;
  let n = 0;
  const children = await zk.get_children(path, false).catch(() => [] as string[]);
  for (const c of children) n += await deleteTree(zk, `${path}/${c}`, deadlineMs);
  await zk.delete_(path, -1).then(
    () => n++,
    () => undefined,
  );
  return n;
}

/** Removes the run's leftovers; returns a one-line account (never throws). */
export async function cleanupRun(plan: ClusterPlan, runTag: string, budgetMs = 20_000): Promise<string> {
  const deadline = monoMs() + budgetMs;
  const notes: string[] = [];
  const redis = new Redis({ host: HOST, port: nodeNamed(plan, 'redis-1').directPort, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, commandTimeout: 3000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${fenceKey(`bench:${runTag}:`)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0' && monoMs() < deadline);
    notes.push(`${deleted} Redis fencing counters`);
  } catch (err) {
    notes.push(`Redis: ${errorMessage(err)}`);
  } finally {
    redis.disconnect();
  }
  const zkNode = plan.nodes.find((n) => n.system === 'zookeeper');
  if (zkNode) {
    try {
      await using s = await openZkSession(`${HOST}:${zkNode.directPort}`, 5000);
      const prefix = encodeURIComponent(`bench:${runTag}:`);
      const dirs = (await s.zk.get_children(LOCK_ROOT, false).catch(() => [] as string[])).filter((c) => c.startsWith(prefix));
      let deleted = 0;
      for (const d of dirs) deleted += await deleteTree(s.zk, `${LOCK_ROOT}/${d}`, deadline);
      deleted += await deleteTree(s.zk, `${FLOOR_ROOT}/${runTag}`, deadline);
      notes.push(`${deleted} znodes`);
    } catch (err) {
      notes.push(`ZooKeeper: ${errorMessage(err)}`);
    }
  }
  return `removed ${notes.join(', ')}`;
}
