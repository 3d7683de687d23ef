// `zookeeper`: the lock recipe from the ZooKeeper documentation, over the `zookeeper` npm client
// (the official C client), one session per lock client.
//   acquire  create <dir>/_c_<uuid>-lock-<seq> (ephemeral, sequential). The uuid prefix lets us find
//            our node again when the create's reply is lost (connection loss). List the children
//            (no watch); lowest sequence holds; otherwise watch only the predecessor and re-list when
//            it changes. Fencing token: the czxid of our node, which grows with every grant.
//   release  delete our node; "no node" means the session already ended (not-held).
// Sessions: on disconnect ('connecting') every lease of the session is suspect and its `lost`
// signal fires (the client cannot know whether the session will survive); on expiry ('close' with
// -112) the session is dead and the next acquire opens a new one. Leases carry no validity
// deadline: a ZooKeeper lock lasts as long as its session, not a TTL.
// Outcomes: our node is lowest → lease; the wait budget ran out and our node was deleted → busy;
// no session could be had → unavailable; a create or delete whose result was lost and could not be
// resolved → unknown (LockUnknownError).
import { randomUUID } from 'node:crypto';
import ZooKeeper from 'zookeeper';
import { monoMs, sleep } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { waitFor, withDeadline } from '../core/wait.ts';
import {
  LockUnknownError,
  tuning,
  type AcquireOptions,
  type AcquireOutcome,
  type Lease,
  type LockClient,
  type LockClientContext,
  type ReleaseOutcome,
} from './lock-client.ts';
import type { LockSpec } from './spec.ts';
import { zookeeperChroot, zookeeperDigest } from '../core/access.ts';
import { newZooKeeperClient } from '../core/zookeeper-client.ts';

const ROOT = '/lockbench/locks';
const ZNONODE = -101;
const ZNODEEXISTS = -110;
const ZCONNECTIONLOSS = -4;
const ZOPERATIONTIMEOUT = -7;
const ZSESSIONEXPIRED = -112;
const ZINVALIDSTATE = -9;

/** node-zookeeper rejects with Error("<rc> <text>") or a message ending in "<NAME> <rc>". */
export function zkErrorCode(err: unknown): number | undefined {
  const m = /^(-?\d+)\s/.exec(errorMessage(err)) ?? /\s(-\d+)"?\s*$/.exec(errorMessage(err));
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

const isConnectionLoss = (code: number | undefined): boolean => code === ZCONNECTIONLOSS || code === ZOPERATIONTIMEOUT;

/** The sequence number after the last "-lock-" (the uuid prefix differs per client, so never sort by name). */
export function sequenceOf(child: string): number {
  const i = child.lastIndexOf('-lock-');
  return i < 0 ? Number.NaN : Number(child.slice(i + 6));
}

interface Session {
  readonly zk: ZooKeeper;
  /** Aborted when this session disconnects or ends; leases granted while connected share it. */
  lost: AbortController;
  connected: boolean;
  dead: boolean;
  readonly createdDirs: Set<string>;
}

export class ZookeeperLock implements LockClient {
  readonly name = 'zookeeper';
  private session: Session | undefined;
  private readonly sessionTimeoutMs: number;
  private readonly connect: string;
  private readonly digest: string | undefined;

  private constructor(ctx: LockClientContext) {
    if (ctx.zookeeper.length === 0) throw new Error('the zookeeper lock needs at least one ZooKeeper node');
    this.connect = ctx.zookeeper.map((e) => `${e.host}:${e.port}`).join(',') + zookeeperChroot(ctx.zookeeper);
    this.digest = zookeeperDigest(ctx.zookeeper);
    this.sessionTimeoutMs = tuning(ctx, 'sessionTimeoutMs', 4000);
  }

  static async create(ctx: LockClientContext): Promise<ZookeeperLock> {
    const lock = new ZookeeperLock(ctx);
    await lock.connected(15_000);
    return lock;
  }

  /** The negotiated session timeout of the current session, ms. */
  get negotiatedSessionTimeoutMs(): number | undefined {
    const t = (this.session?.zk as { timeout?: number } | undefined)?.timeout;
    return typeof t === 'number' && t > 0 ? t : undefined;
  }

  private openSession(): Session {
    const zk = newZooKeeperClient({ connect: this.connect, sessionTimeoutMs: this.sessionTimeoutMs });
    const s: Session = { zk, lost: new AbortController(), connected: false, dead: false, createdDirs: new Set() };
    zk.on('connect', () => {
      if (this.digest !== undefined) zk.add_auth('digest', this.digest, () => undefined);
      s.connected = true;
    });
    zk.on('connecting', () => {
      // Disconnected: whether the session survives is unknown until we reconnect, so every lease
      // of the session is suspect from now on.
      s.connected = false;
      s.lost.abort(new Error('ZooKeeper connection lost; lease suspect'));
      s.lost = new AbortController();
    });
    zk.on('close', () => {
      s.connected = false;
      s.dead = true;
      s.lost.abort(new Error('ZooKeeper session closed or expired; lease lost'));
    });
    zk.init({});
    return s;
  }

  /** A connected session, opening a new one if the old one ended. */
  private async connected(timeoutMs: number): Promise<Session> {
    if (!this.session || this.session.dead) this.session = this.openSession();
    const s = this.session;
    // Read through a function: the fields change from event handlers, behind the type checker's back.
    const isConnected = (): boolean => s.connected;
    if (isConnected()) return s;
    await waitFor(() => Promise.resolve(isConnected() || s.dead), { what: `a ZooKeeper session with ${this.connect}`, timeoutMs: Math.max(1, timeoutMs), intervalMs: 10 });
    if (!isConnected()) throw new Error(`the ZooKeeper session with ${this.connect} ended before it connected`);
    return s;
  }

  private async ensureDir(s: Session, dir: string): Promise<void> {
    if (s.createdDirs.has(dir)) return;
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const path = '/' + parts.slice(0, i).join('/');
      try {
        await s.zk.create(path, '', ZooKeeper.constants.ZOO_PERSISTENT);
      } catch (err) {
        if (zkErrorCode(err) !== ZNODEEXISTS) throw err;
      }
    }
    s.createdDirs.add(dir);
  }

  /** Creates our ephemeral sequential node; on a lost reply, finds it again by its uuid prefix. */
  private async createOwnNode(s: Session, dir: string, prefix: string, deadline: number): Promise<string> {
    for (;;) {
      try {
        return await s.zk.create(`${dir}/${prefix}`, '', ZooKeeper.constants.ZOO_EPHEMERAL_SEQUENTIAL);
      } catch (err) {
        const code = zkErrorCode(err);
        if (!isConnectionLoss(code)) throw err;
        // The create may have happened. Reconnect within the session and look for our prefix.
        await this.connected(Math.max(0, deadline - monoMs()));
        if (s.dead) throw err;
        const children = await s.zk.get_children(dir, false);
        const mine = children.find((c) => c.startsWith(prefix));
        if (mine) return `${dir}/${mine}`;
        if (monoMs() >= deadline) throw err;
      }
    }
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const acquiredAtMs = monoMs();
    const deadline = acquiredAtMs + opts.waitMs;
    let s: Session;
    try {
      s = await this.connected(Math.max(1000, opts.waitMs));
    } catch (err) {
      return { acquired: false, reason: 'unavailable', detail: errorMessage(err) };
    }
    const dir = `${ROOT}/${encodeURIComponent(key)}`;
    const prefix = `_c_${randomUUID()}-lock-`;
    let ourPath: string;
    try {
      await this.ensureDir(s, dir);
      ourPath = await this.createOwnNode(s, dir, prefix, deadline);
    } catch (err) {
      const code = zkErrorCode(err);
      if (isConnectionLoss(code)) throw new LockUnknownError('acquire', `create's reply was lost: ${errorMessage(err)}`, { cause: err });
      return { acquired: false, reason: 'unavailable', detail: errorMessage(err) };
    }
    const ourName = ourPath.slice(dir.length + 1);
    const lost = s.lost.signal;
    try {
      for (;;) {
        const children = (await s.zk.get_children(dir, false)).slice().sort((a, b) => sequenceOf(a) - sequenceOf(b));
        const index = children.indexOf(ourName);
        if (index < 0) return { acquired: false, reason: 'unavailable', detail: 'our lock node vanished (session ended)' };
        if (index === 0) {
          const stat = await s.zk.exists(ourPath, false);
          const lease: Lease = { key, owner: ourName, acquiredAtMs, validUntilMs: undefined, token: BigInt(stat.czxid), lost };
          this.paths.set(ourName, ourPath);
          return { acquired: true, lease };
        }
        const predecessor = `${dir}/${children[index - 1] ?? ''}`;
        // Watch only the predecessor: one waiter wakes per release (no herd).
        let wake: () => void = () => undefined;
        const changed = new Promise<void>((resolve) => (wake = resolve));
        try {
          await s.zk.w_exists(predecessor, () => wake());
        } catch (err) {
          if (zkErrorCode(err) === ZNONODE) continue;
          throw err;
        }
        const remaining = deadline - monoMs();
        if (remaining <= 0) break;
        const timeout = new AbortController();
        let onLost: () => void = () => undefined;
        const sessionLost = new Promise<void>((resolve) => (onLost = resolve));
        lost.addEventListener('abort', onLost, { once: true });
        try {
          await Promise.race([changed, sleep(remaining, timeout.signal).catch(() => undefined), sessionLost]);
        } finally {
          timeout.abort();
          lost.removeEventListener('abort', onLost);
        }
        if (lost.aborted) break;
      }
    } catch (err) {
      if (!isConnectionLoss(zkErrorCode(err))) throw new LockUnknownError('acquire', errorMessage(err), { cause: err });
    }
    // Out of budget, or the session wobbled while we waited: give up our place in the queue.
    await this.deleteNode(s, ourPath, 2 * this.sessionTimeoutMs);
    return lost.aborted ? { acquired: false, reason: 'unavailable', detail: 'ZooKeeper connection lost while waiting' } : { acquired: false, reason: 'busy' };
  }

  private readonly paths = new Map<string, string>();

  /** Deletes a node, retrying through connection loss; if that fails, ends the session (which drops its ephemerals). */
  private async deleteNode(s: Session, path: string, budgetMs: number): Promise<'deleted' | 'gone' | 'unknown'> {
    const deadline = monoMs() + budgetMs;
    for (;;) {
      try {
        await s.zk.delete_(path, -1);
        return 'deleted';
      } catch (err) {
        const code = zkErrorCode(err);
        if (code === ZNONODE || code === ZSESSIONEXPIRED || code === ZINVALIDSTATE || s.dead) return 'gone';
        if (!isConnectionLoss(code) || monoMs() >= deadline) {
          this.endSession(s);
          return 'unknown';
        }
        await sleep(50);
      }
    }
  }

  private endSession(s: Session): void {
    if (s.dead) return;
    s.dead = true;
    s.lost.abort(new Error('session closed by the client'));
    s.zk.close();
  }

  async release(lease: Lease): Promise<ReleaseOutcome> {
    const s = this.session;
    const path = this.paths.get(lease.owner);
    this.paths.delete(lease.owner);
    if (!s || !path || s.dead) return 'not-held';
    const r = await this.deleteNode(s, path, 2 * this.sessionTimeoutMs);
    if (r === 'deleted') return 'released';
    if (r === 'gone') return 'not-held';
    // We closed the session to drop the node; the server removes it when it sees the close or the session expires.
    throw new LockUnknownError('release', 'delete did not complete; session closed');
  }

  async close(): Promise<void> {
    if (this.session) this.endSession(this.session);
    await withDeadline(sleep(0), 'close', 1000);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export const createZookeeperLock = (ctx: LockClientContext): Promise<LockClient> => ZookeeperLock.create(ctx);

// create + (list) + delete: two quorum writes and a read; a waiter is granted one delete and one list after a release.
export const zookeeperLockSpec: LockSpec = {
  name: 'zookeeper',
  model: { system: 'zookeeper', lease: 'session', family: 'consensus', nodes: 'all', partitionSide: 'server', fencingTokens: true },
  floor: { roundTrips: 1, writes: 2, over: 'one-node', handoff: { roundTrips: 1, writes: 1 } },
  colour: '#4c78a8',
  sources: ['locks/zookeeper-lock.ts'],
  create: createZookeeperLock,
};
