// etcd's raw floor operations on the etcd3 client: serializable gets (the member answers them
// from its own store, without Raft), puts (one Raft write each), and put + delete, the two writes
// of a lock cycle. A target is one client on every member, as the etcd locks open theirs (etcd3
// sends each call to a member it picks at random; a follower forwards writes to the leader).
import { monoMs } from '../../../core/clock.ts';
import { etcdAccess, sessionAccess } from '../../../core/access.ts';
import type { FloorOps } from '../driver.ts';

type Client = import('etcd3').Etcd3;
/** No single cleanup call waits longer than this, whatever the caller's budget. */
const CALL_DEADLINE_MS = 10_000;

/** Against an external target: its account, and every key under "/<namespace>" (core/access.ts). */
function scoped(key: string): string {
  const ns = sessionAccess('etcd').namespace;
  return ns === undefined ? key : `/${ns}${key.startsWith('/') ? '' : '/'}${key}`;
}

async function open(address: string): Promise<Client> {
  const { Etcd3 } = await import('etcd3');
  const access = etcdAccess([sessionAccess('etcd')]);
  return new Etcd3({ hosts: address.split(',').map((a) => `${access.scheme}://${a}`), dialTimeout: 5000, ...access.options });
}

/** etcd3's close() is synchronous: it ends the client's channels. */
const closed = (...clients: readonly Client[]): Promise<void> => {
  for (const c of clients) c.close();
  return Promise.resolve();
};

export const etcdFloorOps: FloorOps = {
  async roundTrips(address) {
    const c = await open(address);
    return { ops: () => c.get(scoped('/lockbench/floor/rtt')).serializable(true).string(), close: () => closed(c) };
  },

  async quorumWrites(address, dir) {
    const c = await open(address);
    const key = scoped(`${dir}/w`);
    return { ops: { write: () => c.put(key).value('').exec(), undo: () => c.delete().key(key).exec() }, close: () => closed(c) };
  },

  async pairs(targets, scope) {
    const clients = await Promise.all(targets.map((t) => open(String(t))));
    return {
      ops: async (i) => {
        const c = clients[i];
        if (!c) return;
        const key = scoped(`${scope}/p${i}`);
        await c.put(key).value('').exec();
        await c.delete().key(key).exec();
      },
      close: () => closed(...clients),
    };
  },

  // Keys only: a pattern is a key, or a prefix ending in '*'. A key also takes everything under
  // `<key>/` with it, as a directory's removal would. Redis globs (no leading '/') are not etcd's.
  async removeMatching(address, patterns, deadlineMs) {
    const c = await open(address);
    // etcd3 takes a wall-clock deadline per call; the caller's is on the monotonic clock.
    const options = (): { deadline: Date } => ({ deadline: new Date(Date.now() + Math.min(CALL_DEADLINE_MS, Math.max(0, deadlineMs - monoMs()))) });
    try {
      let deleted = 0;
      for (const p of patterns.filter((x) => x.startsWith('/'))) {
        if (monoMs() > deadlineMs) break;
        if (p.endsWith('*')) {
          deleted += Number((await c.delete().prefix(p.slice(0, -1)).options(options()).exec()).deleted);
          continue;
        }
        deleted += Number((await c.delete().key(p).options(options()).exec()).deleted);
        deleted += Number((await c.delete().prefix(`${p}/`).options(options()).exec()).deleted);
      }
      return deleted;
    } finally {
      c.close();
    }
  },
};
