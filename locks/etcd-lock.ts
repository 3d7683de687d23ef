// `etcd`: Go's clientv3/concurrency.Mutex recipe (research/locks.md §3), built from the npm
// `etcd3` client's building blocks, over one lease per lock client (its "session").
//   session  `client.lease(ttl, { autoKeepAlive: true })`, granted on first use and again after it
//            is lost. TTL = ceil(sessionTimeoutMs / 1000) s, at least 2 (etcd's minimum lease TTL;
//            a keep-alive reply carries the TTL the server granted, and that one is used).
//   acquire  myKey = <prefix>/<key>/<lease id in hex>. One txn: If(CreateRevision(myKey) == 0)
//            Then(Put(myKey, lease), Get(first-created under the prefix)) Else(Get(myKey), Get(first
//            created)). myRev = the txn's revision, or myKey's create revision if it existed (a
//            retried txn whose first reply was lost lands there: the txn is idempotent). Held when
//            the first-created key is ours. Otherwise wait FIFO: read the LAST key created before
//            ours (create revision ≤ myRev − 1), watch only it from the read's revision until it
//            is deleted, repeat until none is left. Each read is one read-only txn that also
//            checks myKey still has create revision myRev, which is Go's re-read of myKey after
//            waiting folded into the same round trip: a key gone while we waited means the session
//            expired (etcd issue 11456, found by Jepsen on etcd 3.4.3), and then it is not held.
//            Fencing token: myRev, the create revision of our own key (int64, so BigInt).
//   release  txn If(CreateRevision(myKey) == myRev) Then(Delete(myKey)). The compare failing means
//            the key is gone: normally the lease expired (not-held). etcd3 retries a timed-out txn,
//            so a first attempt may have deleted it already: then our lease is still alive, which
//            one LeaseTimeToLive tells apart (released).
// `lost`: etcd3's Lease emits 'lost' only after 2 × TTL without a keep-alive reply, although the
// server may expire the lease after 1 × TTL (research/locks.md §3, "traps"). So a lease's signal
// also fires on 'keepaliveFailed' (suspect: the stream broke; etcd3 reconnects, and later grants
// get a fresh signal) and when no keep-alive has been answered within TTL of the send time of the
// last one that was (presumed expired: the session is dropped and the next acquire grants a new
// lease), whichever comes first. validUntilMs is undefined: the lock lasts as long as its session.
// Watches: a watch stream sits on one member, and a member cut from its peers delivers no events
// and no error; so a waiter also re-reads every `recheckMs`, and never waits on a watch alone.
// Outcomes: our key is first → lease; the wait budget ran out → our key deleted → busy; no session,
// the session wobbled while we waited, or our key vanished → unavailable (definitely not held);
// the acquire txn failed and reading myKey could not tell whether the put happened, or the release
// could not be confirmed → the session is dropped (its lease expires within a TTL, taking our keys
// with it, so no orphan key can block the queue) and the outcome is unknown (LockUnknownError).
// Every call has a deadline on each attempt (etcd-connection.ts), and every loop is bounded by
// waitMs.
import type { Etcd3, ILeaseKeepAliveResponse, IRangeResponse, ITxnResponse, Lease as EtcdLease, MultiRangeBuilder } from 'etcd3';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';
import { classifyEtcdError, etcdErrorText, isLeaseGone, leaseIdHex, openEtcd, sessionTtlSec } from './etcd-connection.ts';
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
import { etcdRoot } from '../core/access.ts';

const ROOT = '/lockbench/locks';
/** The prefix under which every waiter on `key` puts its own key (`root`: under an external target's namespace, core/access.ts). */
export function lockPrefix(key: string, root: string = ROOT): string {
  return `${root}/${encodeURIComponent(key)}/`;
}

/** The lease's grant owner value: our key's lease and create revision, unique per grant. */
export function ownerOf(leaseHex: string, createRevision: bigint): string {
  return `${leaseHex}@${createRevision}`;
}

/** The first range response of a txn, as etcd3 returns it (responses[i].response_range). */
export function rangeAt(txn: ITxnResponse, i: number): IRangeResponse | undefined {
  return txn.responses[i]?.response_range;
}

/**
 * myRev from the acquire txn: its revision when the put ran (succeeded), else the create revision
 * of myKey that the Else branch read; undefined if neither is there (the key vanished in between).
 */
export function ownRevision(txn: ITxnResponse): bigint | undefined {
  if (txn.succeeded) return BigInt(txn.header.revision);
  const mine = rangeAt(txn, 0)?.kvs[0];
  return mine ? BigInt(mine.create_revision) : undefined;
}

export class LeaseDeadline {
  /** Send times of keep-alives not yet answered, oldest first (one stream answers in order). */
  private readonly unanswered: number[] = [];
  private lastAnsweredSentMs: number;

  constructor(
    /** When the grant request left (the server starts the TTL no earlier). */
    grantSentMs: number,
    private ttlMs: number,
  ) {
    this.lastAnsweredSentMs = grantSentMs;
  }

  /** A keep-alive was sent at `atMs`. */
  sent(atMs: number): void {
    this.unanswered.push(atMs);
  }

  /**
   * A keep-alive was answered; `ttlSec` is the lease's TTL the server reports (etcd rounds a short
   * TTL up to its minimum), adopted when positive. The oldest unanswered send is the one answered;
   * if none is recorded, the deadline does not move.
   */
  answered(ttlSec?: number): void {
    const sentMs = this.unanswered.shift();
    if (sentMs !== undefined) this.lastAnsweredSentMs = Math.max(this.lastAnsweredSentMs, sentMs);
    if (ttlSec !== undefined && Number.isFinite(ttlSec) && ttlSec > 0) this.ttlMs = ttlSec * 1000;
  }

  /** The keep-alive stream broke: what was sent on it will never be answered. */
  streamBroke(): void {
    this.unanswered.length = 0;
  }

  /** Host monotonic ms after which the lease may be gone on the server. */
  get deadlineMs(): number {
    return this.lastAnsweredSentMs + this.ttlMs;
  }

  get ttlMsNow(): number {
    return this.ttlMs;
  }
}

interface Session {
  readonly lease: EtcdLease;
  /** The lease id (decimal, as etcd3 gives it) and in hex (our keys' last segment). */
  id: string;
  hex: string;
  readonly deadline: LeaseDeadline;
  /** Aborted when the session becomes suspect or ends; replaced after a suspect stretch. */
  lost: AbortController;
  dead: boolean;
  timer: NodeJS.Timeout | undefined;
}

interface Held {
  readonly myKey: string;
  readonly myRev: bigint;
  readonly session: Session;
}

type Wake = 'deleted' | 'recheck' | 'deadline' | 'lost';

export class EtcdLock implements LockClient {
  readonly name = 'etcd';
  private current: Session | undefined;
  private opening: Promise<Session> | undefined;
  private readonly held = new Map<string, Held>();
  private readonly ttlSec: number;
  private readonly recheckMs: number;
  private readonly root: string;
  private closed = false;

  private constructor(
    private readonly client: Etcd3,
    ctx: LockClientContext,
  ) {
    this.ttlSec = sessionTtlSec(tuning(ctx, 'sessionTimeoutMs', 4000));
    this.root = etcdRoot(ctx.endpoints['etcd'] ?? [], ROOT);
    this.recheckMs = tuning(ctx, 'recheckMs', 1000);
  }

  static async create(ctx: LockClientContext): Promise<EtcdLock> {
    const endpoints = ctx.endpoints['etcd'] ?? [];
    const client = openEtcd(endpoints, { callTimeoutMs: tuning(ctx, 'nodeTimeoutMs', 1000) });
    const lock = new EtcdLock(client, ctx);
    try {
      await lock.session(15_000);
    } catch (err) {
      client.close();
      throw err;
    }
    return lock;
  }

  /** The session lease's TTL now, ms (the server's, once a keep-alive has reported it). */
  get sessionTtlMs(): number | undefined {
    return this.current?.deadline.ttlMsNow;
  }

  /** The current session's lease id (decimal), for tests that revoke it from outside. */
  get sessionLeaseId(): string | undefined {
    return this.current && !this.current.dead ? this.current.id : undefined;
  }

  private async session(budgetMs: number): Promise<Session> {
    const s = this.current;
    if (s && !s.dead) return s;
    this.opening ??= this.openSession(budgetMs).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openSession(budgetMs: number): Promise<Session> {
    if (this.closed) throw new Error('the etcd lock client is closed');
    const grantSentMs = monoMs();
    const lease = this.client.lease(this.ttlSec, { autoKeepAlive: true });
    const s: Session = { lease, id: '', hex: '', deadline: new LeaseDeadline(grantSentMs, this.ttlSec * 1000), lost: new AbortController(), dead: false, timer: undefined };
    lease.on('keepaliveFired', () => s.deadline.sent(monoMs()));
    lease.on('keepaliveSucceeded', (res: ILeaseKeepAliveResponse) => {
      s.deadline.answered(Number(res.TTL));
      this.armExpiry(s);
    });
    lease.on('keepaliveFailed', (err: unknown) => {
      s.deadline.streamBroke();
      this.suspect(s, `etcd lease keep-alive failed (${etcdErrorText(err)}); lease suspect`);
    });
    lease.on('lost', (err: unknown) => this.endSession(s, `etcd lease lost (${etcdErrorText(err)})`));
    this.armExpiry(s);
    try {
      s.id = await withDeadline(lease.grant(), 'an etcd lease grant', Math.max(1, budgetMs));
    } catch (err) {
      this.endSession(s, `etcd lease grant failed: ${errorMessage(err)}`);
      throw err;
    }
    s.hex = leaseIdHex(s.id);
    this.current = s;
    return s;
  }

  /** (Re)arms the timer that declares the lease presumed expired at its deadline. */
  private armExpiry(s: Session): void {
    if (s.dead) return;
    clearTimeout(s.timer);
    const check = (): void => {
      const left = s.deadline.deadlineMs - monoMs();
      if (left > 0) {
        s.timer = setTimeout(check, left);
        return;
      }
      this.endSession(s, `no etcd keep-alive answered within the lease TTL (${s.deadline.ttlMsNow} ms); lease presumed expired`);
    };
    s.timer = setTimeout(check, Math.max(0, s.deadline.deadlineMs - monoMs()));
  }

  /** The session may have lost its lease: leases granted so far are suspect; later ones get a new signal. */
  private suspect(s: Session, why: string): void {
    if (s.dead) return;
    s.lost.abort(new Error(why));
    s.lost = new AbortController();
  }

  /** Drops the session: every lease of it is lost; keep-alives stop, so the server expires it within a TTL. */
  private endSession(s: Session, why: string): void {
    if (s.dead) return;
    s.dead = true;
    clearTimeout(s.timer);
    s.lost.abort(new Error(why));
    // Stop keep-alives (etcd3 `release()` is passive) and revoke in the background to free the queue sooner.
    s.lease.release();
    if (s.id !== '' && !this.closed) void this.client.leaseClient.leaseRevoke({ ID: s.id }).catch(() => undefined);
    if (this.current === s) this.current = undefined;
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const acquiredAtMs = monoMs();
    const deadline = acquiredAtMs + opts.waitMs;
    let s: Session;
    try {
      s = await this.session(Math.max(1000, opts.waitMs));
    } catch (err) {
      return { acquired: false, reason: 'unavailable', detail: errorMessage(err) };
    }
    const lost = s.lost.signal;
    const pfx = lockPrefix(key, this.root);
    const myKey = pfx + s.hex;
    const first = (): MultiRangeBuilder => this.client.getAll().prefix(pfx).sort('Create', 'Ascend').limit(1);

    let myRev: bigint | undefined;
    let ownerRev: bigint | undefined;
    try {
      const txn = await this.client
        .if(myKey, 'Create', '==', 0)
        .then(this.client.put(myKey).value('').lease(s.id), first())
        .else(this.client.get(myKey), first())
        .commit();
      myRev = ownRevision(txn);
      const firstKv = rangeAt(txn, 1)?.kvs[0];
      ownerRev = firstKv ? BigInt(firstKv.create_revision) : undefined;
    } catch (err) {
      const kind = classifyEtcdError(err);
      if (kind !== 'unknown') return { acquired: false, reason: 'unavailable', detail: etcdErrorText(err) };
      // The put may have happened: our key's name is fixed, so reading it tells.
      try {
        const r = await this.client.get(myKey).exec();
        const mine = r.kvs[0];
        if (!mine) return { acquired: false, reason: 'unavailable', detail: `acquire txn failed and did not happen: ${etcdErrorText(err)}` };
        myRev = BigInt(mine.create_revision);
        ownerRev = undefined; // unknown: find out by waiting below
      } catch (err2) {
        this.endSession(s, 'an acquire txn could not be resolved; session dropped so its key expires');
        throw new LockUnknownError('acquire', `txn reply lost (${etcdErrorText(err)}) and myKey unreadable (${etcdErrorText(err2)})`, { cause: err });
      }
    }
    if (myRev === undefined) return { acquired: false, reason: 'unavailable', detail: 'our lock key vanished before the acquire txn returned (session expired)' };

    if (ownerRev === myRev && !lost.aborted) return this.grant(key, myKey, myRev, s, acquiredAtMs, lost);
    if (ownerRev !== undefined && monoMs() >= deadline) {
      // A try-lock (waitMs 0), or the txn took the whole budget: someone else is first.
      await this.leaveQueue(s, myKey, myRev);
      return { acquired: false, reason: 'busy' };
    }
    try {
      const w = await this.waitPredecessors(pfx, myKey, myRev, deadline, lost);
      if (w === 'ours' && !lost.aborted) return this.grant(key, myKey, myRev, s, acquiredAtMs, lost);
      if (w === 'gone') return { acquired: false, reason: 'unavailable', detail: 'our lock key vanished while we waited (session expired)' };
    } catch (err) {
      // A read or watch failed with the budget left: leave the queue, as Go's Lock does on a wait error.
      await this.leaveQueue(s, myKey, myRev);
      return { acquired: false, reason: 'unavailable', detail: `waiting for the lock failed: ${etcdErrorText(err)}` };
    }
    await this.leaveQueue(s, myKey, myRev);
    return lost.aborted ? { acquired: false, reason: 'unavailable', detail: 'etcd session suspect while waiting' } : { acquired: false, reason: 'busy' };
  }

  private grant(key: string, myKey: string, myRev: bigint, s: Session, acquiredAtMs: number, lost: AbortSignal): AcquireOutcome {
    const owner = ownerOf(s.hex, myRev);
    this.held.set(owner, { myKey, myRev, session: s });
    const lease: Lease = { key, owner, acquiredAtMs, validUntilMs: undefined, token: myRev, lost };
    return { acquired: true, lease };
  }

  /**
   * Waits until no key created before ours is left: 'ours' (we hold it), 'gone' (our key vanished:
   * session expired), 'budget' (deadline passed, or the session became suspect).
   */
  private async waitPredecessors(pfx: string, myKey: string, myRev: bigint, deadline: number, lost: AbortSignal): Promise<'ours' | 'gone' | 'budget'> {
    for (;;) {
      const txn = await this.client
        .if(myKey, 'Create', '==', myRev.toString())
        .then(this.client.getAll().prefix(pfx).maxCreateRevision((myRev - 1n).toString()).sort('Create', 'Descend').limit(1))
        .commit();
      if (!txn.succeeded) return 'gone';
      const pred = rangeAt(txn, 0)?.kvs[0];
      if (!pred) return 'ours';
      if (lost.aborted || monoMs() >= deadline) return 'budget';
      // The predecessor exists at the read's revision, so its delete comes after it. Watching from
      // the next revision, not the read's own as Go does, lets etcd register the watch as already
      // synced when nothing was written since; a watch from a past revision waits for etcd's
      // catch-up loop, which runs every 100 ms (mvcc watchable store), and so did every handoff.
      const wake = await this.waitDelete(pred.key, (BigInt(txn.header.revision) + 1n).toString(), deadline, lost);
      if (wake === 'deadline' || wake === 'lost') return 'budget';
    }
  }

  /** Watches `key` from `revision` until it is deleted, the recheck interval passes, the deadline, or the session is suspect. */
  private async waitDelete(key: Buffer, revision: string, deadline: number, lost: AbortSignal): Promise<Wake> {
    const watcher = this.client.watch().key(key).startRevision(revision).watcher();
    let done: (w: Wake) => void = () => undefined;
    const woken = new Promise<Wake>((resolve) => (done = resolve));
    const onLost = (): void => done('lost');
    watcher.on('delete', () => done('deleted'));
    // A cancelled watch (compacted revision, server error) is no answer: re-read now.
    watcher.on('error', () => done('recheck'));
    lost.addEventListener('abort', onLost, { once: true });
    const left = deadline - monoMs();
    const timer = setTimeout(() => done(left <= this.recheckMs ? 'deadline' : 'recheck'), Math.max(0, Math.min(left, this.recheckMs)));
    try {
      return await woken;
    } finally {
      clearTimeout(timer);
      lost.removeEventListener('abort', onLost);
      // Cancelling waits for the server's confirmation, which a cut member never sends: bound it.
      void withDeadline(watcher.cancel(), 'an etcd watch cancel', 5000).catch(() => undefined);
    }
  }

  /** Deletes our key if it is still ours (giving up our place); if that cannot be confirmed, drops the session. */
  private async leaveQueue(s: Session, myKey: string, myRev: bigint): Promise<void> {
    try {
      await this.client.if(myKey, 'Create', '==', myRev.toString()).then(this.client.delete().key(myKey)).commit();
    } catch {
      this.endSession(s, 'could not delete our waiting key; session dropped so it expires');
    }
  }

  async release(lease: Lease): Promise<ReleaseOutcome> {
    const h = this.held.get(lease.owner);
    if (!h) return 'not-held';
    this.held.delete(lease.owner);
    let txn: ITxnResponse;
    try {
      txn = await this.client.if(h.myKey, 'Create', '==', h.myRev.toString()).then(this.client.delete().key(h.myKey)).commit();
    } catch (err) {
      if (classifyEtcdError(err) !== 'unknown') return this.releaseFailedBeforeApply(h, err);
      this.endSession(h.session, 'a release could not be confirmed; session dropped so its key expires');
      throw new LockUnknownError('release', etcdErrorText(err), { cause: err });
    }
    if (txn.succeeded) return 'released';
    return this.whoDeleted(h);
  }

  /** The delete was not applied (not sent, or refused): the key may still be ours; drop the session so it goes. */
  private releaseFailedBeforeApply(h: Held, err: unknown): never {
    this.endSession(h.session, 'a release failed; session dropped so its key expires');
    throw new LockUnknownError('release', `delete not applied (${etcdErrorText(err)}); the key expires with the session`, { cause: err });
  }

  /**
   * Our key was gone at release: the lease expired or was revoked (not-held), or an earlier attempt
   * of this same txn deleted it and its reply was lost (released: the lease is still alive).
   */
  private async whoDeleted(h: Held): Promise<ReleaseOutcome> {
    try {
      const r = await this.client.leaseClient.leaseTimeToLive({ ID: h.session.id, keys: false });
      return Number(r.TTL) > 0 ? 'released' : 'not-held';
    } catch (err) {
      if (isLeaseGone(err)) return 'not-held';
      throw new LockUnknownError('release', `our key was gone and the lease could not be read: ${etcdErrorText(err)}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const s = this.current;
    this.current = undefined;
    if (s && !s.dead) {
      s.dead = true;
      clearTimeout(s.timer);
      s.lost.abort(new Error('the etcd lock client was closed'));
      // Revoke so our keys go now rather than a TTL later; bounded, and harmless if it fails.
      await withDeadline(s.lease.revoke(), 'an etcd lease revoke', 3000).catch(() => undefined);
    }
    this.closed = true;
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export const createEtcdLock = (ctx: LockClientContext): Promise<LockClient> => EtcdLock.create(ctx);

// Uncontended: the acquire txn (one Raft write: the put) and the release txn (one: the delete);
// the lease is granted once per client, not per cycle. Handoff: the holder's delete (W), then the
// waiter's read-only txn (one linearizable read round trip), as ZooKeeper's delete + list.
export const etcdLockSpec: LockSpec = {
  name: 'etcd',
  model: { system: 'etcd', lease: 'session', family: 'consensus', nodes: 'all', partitionSide: 'server', fencingTokens: true },
  floor: { roundTrips: 0, writes: 2, over: 'one-node', handoff: { roundTrips: 1, writes: 1 } },
  colour: '#54a24b',
  sources: ['locks/etcd-lock.ts', 'locks/etcd-connection.ts'],
  create: createEtcdLock,
};
