// The `mutex` workload, after Jepsen's lock-set: acquire a key's lock, read-modify-write the
// resource's counter for that key inside the critical section (read, hold, write read+1), release.
// Every step is an op in the history; what the resource saw is in its audit log. If the lock fails
// to exclude, the audit shows overlapping holders and the counter loses increments.
// Outcomes → ops: acquire ok / fail (definitely not held) / info (unknown, LockUnknownError or any
// other error); incr ok (write accepted) / fail (rejected by fencing) / info (resource error);
// release ok / fail (not-held: it had expired or been taken over) / info (unknown).
import { monoMs, sleep } from '../../core/clock.ts';
import { errorMessage } from '../../core/errors.ts';
import type { HistoryRecorder } from '../../core/history-recorder.ts';
import type { LeaseRecord } from '../../core/history.ts';
import type { Lease, LockClient } from '../../locks/lock-client.ts';
import type { ResourceClient } from '../../resource/client.ts';

export interface MutexOptions {
  readonly keys: readonly string[];
  readonly ttlMs: number;
  readonly waitMs: number;
  /** Time spent between the read and the write, ms. */
  readonly holdMs: number;
  /** Pass the lease's fencing token to the resource. */
  readonly fencing: boolean;
  /**
   * Check the lease (validity deadline, session signal) before writing, as a careful client does.
   * Off by default: most code does not, and a pause between the check and the write defeats it anyway.
   */
  readonly checkLease?: boolean;
  /** Stop after this many acquire attempts by this client. */
  readonly maxAcquires: number;
  /** Stop at this host monotonic time (ms). */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
  /** Uniform random in [0, 1); seeded by the caller. */
  readonly random: () => number;
  /** Told when this client enters (key) and leaves (undefined) the critical section; the nemesis aims faults with it. */
  readonly onHolding?: (key: string | undefined) => void;
}

export interface MutexCounts {
  acquires: number;
  acquired: number;
  increments: number;
}

function leaseRecord(lease: Lease): LeaseRecord {
  return {
    owner: lease.owner,
    ...(lease.validUntilMs !== undefined && { validUntilMs: lease.validUntilMs }),
    ...(lease.token !== undefined && { token: lease.token.toString() }),
  };
}

const errorTag = (err: unknown): string => errorMessage(err).slice(0, 200);

/** One client's loop. Never throws for a lock or resource outcome: those become ops. */
export async function runMutexClient(process: number, lock: LockClient, resource: ResourceClient, history: HistoryRecorder, opts: MutexOptions): Promise<MutexCounts> {
  const counts: MutexCounts = { acquires: 0, acquired: 0, increments: 0 };
  while (counts.acquires < opts.maxAcquires && monoMs() < opts.deadlineMs && !opts.signal?.aborted) {
    const key = opts.keys[Math.floor(opts.random() * opts.keys.length)] ?? 'k';
    counts.acquires++;
    const acq = history.invoke(process, 'acquire', { key, value: { ttlMs: opts.ttlMs } });
    let lease: Lease;
    try {
      const outcome = await lock.acquire(key, { ttlMs: opts.ttlMs, waitMs: opts.waitMs });
      if (!outcome.acquired) {
        history.complete(acq, 'fail', { error: outcome.reason });
        continue;
      }
      lease = outcome.lease;
      history.complete(acq, 'ok', { lease: leaseRecord(lease) });
      counts.acquired++;
    } catch (err) {
      history.complete(acq, 'info', { error: errorTag(err) });
      // Back off a little: an unknown outcome usually means the service is struggling.
      await sleep(10 + opts.random() * 40);
      continue;
    }

    const token = opts.fencing && lease.token !== undefined ? { token: lease.token.toString() } : {};
    const incr = history.invoke(process, 'incr', { key });
    try {
      await resource.enter(key, process, token);
      // Told once the resource has seen us enter: a fault aimed at a holder then strikes inside the
      // critical section, where the resource can see what it causes.
      opts.onHolding?.(key);
      const read = await resource.read(key, process, token);
      if (opts.holdMs > 0) await sleep(opts.holdMs);
      // A careful client checks its lease before writing. A pause between this check and the write
      // still produces a stale write: that is the case fencing tokens exist for.
      if (opts.checkLease === true && (lease.lost.aborted || (lease.validUntilMs !== undefined && monoMs() >= lease.validUntilMs))) {
        await resource.exit(key, process, token);
        history.complete(incr, 'fail', { error: lease.lost.aborted ? 'lease-lost' : 'lease-expired' });
        await releaseLease(process, lock, lease, history, opts);
        continue;
      }
      const w = await resource.write(key, process, read + 1, token);
      await resource.exit(key, process, token);
      if (w.accepted) {
        history.complete(incr, 'ok', { value: { read, wrote: read + 1 } });
        counts.increments++;
      } else {
        history.complete(incr, 'fail', { value: { read, wrote: read + 1 }, error: w.reason });
      }
    } catch (err) {
      history.complete(incr, 'info', { error: errorTag(err) });
    }

    await releaseLease(process, lock, lease, history, opts);
  }
  return counts;
}

async function releaseLease(process: number, lock: LockClient, lease: Lease, history: HistoryRecorder, opts: MutexOptions): Promise<void> {
  const rel = history.invoke(process, 'release', { key: lease.key });
  try {
    const r = await lock.release(lease);
    if (r === 'released') history.complete(rel, 'ok');
    else history.complete(rel, 'fail', { error: r });
  } catch (err) {
    history.complete(rel, 'info', { error: errorTag(err) });
  } finally {
    opts.onHolding?.(undefined);
  }
}

/** One acquire and release with a generous budget: can this client still get the lock? */
export async function livenessCheck(process: number, lock: LockClient, history: HistoryRecorder, key: string, o: { ttlMs: number; waitMs: number }): Promise<{ ok: boolean; detail: string }> {
  const acq = history.invoke(process, 'acquire', { key, value: { ttlMs: o.ttlMs } });
  let lease: Lease;
  try {
    const outcome = await lock.acquire(key, o);
    if (!outcome.acquired) {
      history.complete(acq, 'fail', { error: outcome.reason });
      return { ok: false, detail: `not acquired: ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ''}` };
    }
    lease = outcome.lease;
    history.complete(acq, 'ok', { lease: leaseRecord(lease) });
  } catch (err) {
    history.complete(acq, 'info', { error: errorTag(err) });
    return { ok: false, detail: `outcome unknown: ${errorTag(err)}` };
  }
  const rel = history.invoke(process, 'release', { key });
  try {
    const r = await lock.release(lease);
    history.complete(rel, r === 'released' ? 'ok' : 'fail', r === 'released' ? {} : { error: r });
    return r === 'released' ? { ok: true, detail: 'acquired and released' } : { ok: false, detail: `release found the lock ${r}` };
  } catch (err) {
    history.complete(rel, 'info', { error: errorTag(err) });
    return { ok: false, detail: `release outcome unknown: ${errorTag(err)}` };
  }
}
