// A plain ZooKeeper session for the floor's raw operations and cleanup (the lock recipe has its own
// in locks/zookeeper-lock.ts): connect with a deadline, close on dispose.
import ZooKeeper from 'zookeeper';
import { monoMs } from '../../../core/clock.ts';
import { errorMessage } from '../../../core/errors.ts';
import { withDeadline } from '../../../core/wait.ts';
import { newZooKeeperClient } from '../../../core/zookeeper-client.ts';

const ZNODEEXISTS = -110;
const ZNONODE = -101;

export interface ZkSession extends AsyncDisposable {
  readonly zk: ZooKeeper;
  close(): Promise<void>;
}

export async function openZkSession(connect: string, timeoutMs = 15_000, digest?: string): Promise<ZkSession> {
  const zk = newZooKeeperClient({ connect, sessionTimeoutMs: 4000 });
  const connected = new Promise<void>((resolve) => zk.once('connect', () => resolve()));
  zk.init({});
  const close = async (): Promise<void> => {
    try {
      zk.close();
    } catch {
      // Already closed.
    }
    await Promise.resolve();
  };
  try {
    await withDeadline(connected, `a ZooKeeper session with ${connect}`, timeoutMs);
    if (digest !== undefined) {
      const added = new Promise<void>((resolve, reject) => {
        zk.add_auth('digest', digest, (rc: number) => {
          if (rc === 0) resolve();
          else reject(new Error(`ZooKeeper refused the digest credentials (rc ${rc})`));
        });
      });
      await withDeadline(added, `ZooKeeper digest auth with ${connect}`, timeoutMs);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { zk, close, [Symbol.asyncDispose]: close };
}

/** Creates `path` and its parents as persistent nodes, if missing. */
export async function ensureZkPath(zk: ZooKeeper, path: string): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    try {
      await zk.create('/' + parts.slice(0, i).join('/'), '', ZooKeeper.constants.ZOO_PERSISTENT);
    } catch (err) {
      if (!errorMessage(err).includes(String(ZNODEEXISTS))) throw err;
    }
  }
}

/**
 * Removes `path` and everything under it, best effort and bounded by `deadlineMs` (monotonic);
 * returns how many znodes it removed. A znode it cannot remove is left (a caller that must know
 * counts what is left: countZkTree).
 */
export async function deleteZkTree(zk: ZooKeeper, path: string, deadlineMs = Number.POSITIVE_INFINITY): Promise<number> {
  if (monoMs() > deadlineMs) return 0;
  let n = 0;
  const children = await zk.get_children(path, false).catch(() => [] as string[]);
  for (const c of children) n += await deleteZkTree(zk, `${path}/${c}`, deadlineMs);
  await zk.delete_(path, -1).then(
    () => n++,
    () => undefined,
  );
  return n;
}

/** How many znodes are under `path` (0 when it does not exist). */
export async function countZkTree(zk: ZooKeeper, path: string): Promise<number> {
  let children: string[];
  try {
    children = await zk.get_children(path, false);
  } catch (err) {
    if (errorMessage(err).includes(String(ZNONODE))) return 0;
    throw err;
  }
  let n = children.length;
  for (const c of children) n += await countZkTree(zk, `${path}/${c}`);
  return n;
}

export const ZK_PERSISTENT = ZooKeeper.constants.ZOO_PERSISTENT;
export const ZK_EPHEMERAL = ZooKeeper.constants.ZOO_EPHEMERAL;
