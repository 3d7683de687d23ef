// A plain ZooKeeper session for the floor's raw operations and cleanup (the lock recipe has its own
// in locks/zookeeper-lock.ts): connect with a deadline, close on dispose.
import ZooKeeper from 'zookeeper';
import { errorMessage } from '../../../core/errors.ts';
import { withDeadline } from '../../../core/wait.ts';

const ZNODEEXISTS = -110;

export interface ZkSession extends AsyncDisposable {
  readonly zk: ZooKeeper;
  close(): Promise<void>;
}

export async function openZkSession(connect: string, timeoutMs = 15_000, digest?: string): Promise<ZkSession> {
  const zk = new ZooKeeper({ connect, timeout: 4000, debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR, host_order_deterministic: false });
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

export const ZK_PERSISTENT = ZooKeeper.constants.ZOO_PERSISTENT;
export const ZK_EPHEMERAL = ZooKeeper.constants.ZOO_EPHEMERAL;
