// `etcd3-lock`: the npm `etcd3` package's own `Lock`, exactly as its users call it —
// `client.lock(key).ttl(sec).acquire()`, retried after a delay until the wait budget is spent, and
// `release()` — WITHOUT fixing its behaviour: we measure it as users get it (as node-redlock).
//
// What it does (node_modules/etcd3/lib/lock.js, research/locks.md §3): each acquire attempt grants
// a new lease (a Raft write), then one txn If(CreateRevision(key) == 0) Then(Put(key, '', lease));
// if the key exists it revokes the lease (a third write) and throws EtcdLockFailedError. So it is a
// try-lock: no queue, no waiting, not FIFO (whoever retries first after a release wins). While held,
// the lease is kept alive by the package (every TTL/3). Release = revoke the lease, which deletes
// the key. It exposes neither the key's create revision nor its lease's events: no fencing token,
// and `lost` can tell nothing — the package emits its lease's 'lost' on a private object, and even
// that fires only 2 × TTL after the last keep-alive (research/locks.md §3), so the signal here never
// fires. A release after the lease expired still resolves (revoke treats "lease not found" as
// done), so the package cannot say "not held": a late release reads 'released'.
//
// Mapping:
//   acquire resolves                       → a lease (no deadline: the package keeps it alive)
//   EtcdLockFailedError (the key was held) → retry after `retryDelayMs` ± 50 %; budget spent → busy
//   the lease grant failed                 → unavailable (no key was written under it)
//   the txn failed after the grant         → the put may have happened: release() (what the
//                                            package's own `do()` does on an error); revoked →
//                                            unavailable (the key went with the lease), else unknown
//   release resolves → released; rejects with a timeout or dropped connection → unknown
// Retry delay: 20 ms, as node-redlock's, so the two polling locks are compared at the same
// cadence; every failed attempt costs three Raft writes, so polling much faster mostly loads the
// leader, and a handoff here is two writes (a few ms on this lab), so polling much slower mostly
// idles the lock.
import { EtcdLockFailedError, type Etcd3, type Lock } from 'etcd3';
import { monoMs, sleep } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';
import { classifyEtcdError, etcdErrorText, openEtcd, sessionTtlSec } from './etcd-connection.ts';
import {
  LockUnknownError,
  jitterMs,
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

const ROOT = '/lockbench/etcd3-lock/';
const never = new AbortController().signal;

export function etcd3LockKey(key: string, root: string = ROOT): string {
  return root + encodeURIComponent(key);
}

export class Etcd3Lock implements LockClient {
  readonly name = 'etcd3-lock';
  private readonly locks = new Map<string, Lock>();
  private readonly ttlSec: number;
  private readonly root: string;
  private readonly retryDelayMs: number;
  private grants = 0;

  private constructor(
    private readonly client: Etcd3,
    ctx: LockClientContext,
  ) {
    this.ttlSec = sessionTtlSec(tuning(ctx, 'sessionTimeoutMs', 4000));
    this.root = etcdRoot(ctx.endpoints['etcd'] ?? [], ROOT);
    this.retryDelayMs = tuning(ctx, 'retryDelayMs', 20);
  }

  static create(ctx: LockClientContext): Promise<Etcd3Lock> {
    const client = openEtcd(ctx.endpoints['etcd'] ?? [], { callTimeoutMs: tuning(ctx, 'nodeTimeoutMs', 1000) });
    return Promise.resolve(new Etcd3Lock(client, ctx));
  }

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const acquiredAtMs = monoMs();
    const deadline = acquiredAtMs + opts.waitMs;
    for (;;) {
      const lock = this.client.lock(etcd3LockKey(key, this.root)).ttl(this.ttlSec);
      try {
        await lock.acquire();
        const owner = `${key}#${++this.grants}`;
        this.locks.set(owner, lock);
        const lease: Lease = { key, owner, acquiredAtMs, validUntilMs: undefined, token: undefined, lost: never };
        return { acquired: true, lease };
      } catch (err) {
        if (!(err instanceof EtcdLockFailedError)) return this.attemptFailed(lock, err);
      }
      const delayMs = jitterMs(this.retryDelayMs / 2, this.retryDelayMs * 1.5);
      if (monoMs() + delayMs >= deadline) return { acquired: false, reason: 'busy' };
      await sleep(delayMs);
    }
  }

  /** An attempt failed otherwise than "held": find out whether its lease (and so maybe its key) exists. */
  private async attemptFailed(lock: Lock, err: unknown): Promise<AcquireOutcome> {
    const granted = await lock.leaseId().then(
      () => true,
      () => false,
    );
    if (!granted) return { acquired: false, reason: 'unavailable', detail: `etcd3 lease grant failed: ${etcdErrorText(err)}` };
    // etcd3's Lock leaves its lease alive when the txn throws; revoke it, as its `do()` does on
    // errors. A revoke that went through removes the key if the put happened: then nothing is held.
    const revoked = await withDeadline(lock.release(), 'an etcd3 lock release', 5000).then(
      () => true,
      () => false,
    );
    if (revoked || classifyEtcdError(err) !== 'unknown') return { acquired: false, reason: 'unavailable', detail: `etcd3 lock txn failed, its lease revoked: ${etcdErrorText(err)}` };
    throw new LockUnknownError('acquire', `etcd3 lock txn (${etcdErrorText(err)}) and the revoke of its lease both failed`, { cause: err });
  }

  async release(lease: Lease): Promise<ReleaseOutcome> {
    const lock = this.locks.get(lease.owner);
    if (!lock) return 'not-held';
    this.locks.delete(lease.owner);
    try {
      await lock.release();
      return 'released';
    } catch (err) {
      throw new LockUnknownError('release', `etcd3 lock release: ${errorMessage(err)}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    const held = [...this.locks.values()];
    this.locks.clear();
    // Revoke what is still held so its keys go now, not a TTL later; bounded, harmless if it fails.
    await Promise.all(held.map((l) => withDeadline(l.release(), 'an etcd3 lock release', 3000).catch(() => undefined)));
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export const createEtcd3Lock = (ctx: LockClientContext): Promise<LockClient> => Etcd3Lock.create(ctx);

// Uncontended: lease grant + txn put to acquire, lease revoke to release: three Raft writes. Handoff:
// the holder's revoke (W), then a waiter's txn (W); its lease grant can overlap the revoke.
export const etcd3LockSpec: LockSpec = {
  name: 'etcd3-lock',
  model: { system: 'etcd', lease: 'session', family: 'consensus', nodes: 'all', partitionSide: 'server', fencingTokens: false },
  floor: { roundTrips: 0, writes: 3, over: 'one-node', handoff: { roundTrips: 0, writes: 2 } },
  colour: '#9d755d',
  sources: ['locks/etcd3-lock.ts', 'locks/etcd-connection.ts'],
  create: createEtcd3Lock,
};
