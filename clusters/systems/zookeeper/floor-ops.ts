// ZooKeeper's raw floor operations on the native client: `exists /` round trips (the connected
// server answers them itself), ephemeral creates (one quorum write each), and create + delete,
// the two quorum writes of the lock recipe.
import { sessionAccess } from '../../../core/access.ts';
import type { FloorOps } from '../driver.ts';
import { ZK_EPHEMERAL, deleteZkTree, ensureZkPath, openZkSession, type ZkSession } from './session.ts';


/** Against an external target: the run's namespace as chroot, and its digest auth (core/access.ts). */
function open(connect: string, timeoutMs?: number): Promise<ZkSession> {
  const { namespace, credentials } = sessionAccess('zookeeper');
  return openZkSession(namespace === undefined ? connect : `${connect}/${namespace}`, timeoutMs, credentials?.digest);
}

export const zookeeperFloorOps: FloorOps = {
  async roundTrips(address) {
    const s = await open(address);
    return { ops: () => s.zk.exists('/', false), close: () => s.close() };
  },

  async quorumWrites(address, dir) {
    const s = await open(address);
    try {
      await ensureZkPath(s.zk, dir);
    } catch (err) {
      await s.close();
      throw err;
    }
    const path = `${dir}/w`;
    return { ops: { write: () => s.zk.create(path, '', ZK_EPHEMERAL), undo: () => s.zk.delete_(path, -1) }, close: () => s.close() };
  },

  async pairs(targets, scope) {
    const opened = await Promise.all(targets.map((connect) => open(String(connect))));
    try {
      const first = opened[0];
      if (first) await ensureZkPath(first.zk, scope);
    } catch (err) {
      await Promise.all(opened.map((s) => s.close()));
      throw err;
    }
    return {
      ops: async (i) => {
        const s = opened[i];
        if (!s) return;
        const path = `${scope}/p${i}`;
        await s.zk.create(path, '', ZK_EPHEMERAL);
        await s.zk.delete_(path, -1);
      },
      close: async () => {
        await Promise.all(opened.map((s) => s.close()));
      },
    };
  },

  // Paths only: a pattern is a path whose last segment may end in '*' (every child starting with
  // what comes before it). Key globs (no leading '/') belong to other systems.
  async removeMatching(address, patterns, deadlineMs) {
    await using s = await open(address, 5000);
    let deleted = 0;
    for (const pattern of patterns.filter((p) => p.startsWith('/'))) {
      if (!pattern.endsWith('*')) {
        deleted += await deleteZkTree(s.zk, pattern, deadlineMs);
        continue;
      }
      const slash = pattern.lastIndexOf('/');
      const parent = pattern.slice(0, slash) || '/';
      const prefix = pattern.slice(slash + 1, -1);
      const children = (await s.zk.get_children(parent, false).catch(() => [] as string[])).filter((c) => c.startsWith(prefix));
      for (const c of children) deleted += await deleteZkTree(s.zk, `${parent === '/' ? '' : parent}/${c}`, deadlineMs);
    }
    return deleted;
  },
};
