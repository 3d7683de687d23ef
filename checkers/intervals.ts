// Hold intervals: who held (or may have held) which key, when, in the two views built from the
// history (the resource view, built from the audit log, is in resource-view.ts). Building them is
// where every rule for ambiguous histories lives, so the rules are spelled out here once:
//
// believed (what clients believed): from acquire `ok` to the same process's next release invoke
//   on that key. With no release, the hold runs to the process's next acquire invoke on the key
//   (a client that acquires again has given the old lease up; our clients are not reentrant), or
//   to its process's death where the history records one (a `crash` line: a dead client believes
//   nothing and can touch nothing), or else to the end of the history — a client that vanished
//   without a record never said it let go.
// cut (the same, cut at the validity deadline): the believed interval ended at
//   min(end, lease.validUntilMs), where an `extend` ok moves the deadline. Without validUntilMs
//   (ZooKeeper: session based) the cut interval is the believed one. A lease that was already
//   expired when the acquire returned gives an empty interval: the client should not have used it.
//   An `extend` that completed `info` adds a *possible* tail from the old deadline to the
//   extension's bound (below).
// possible holds (`info` acquires, and acquires still outstanding when the history ends): the
//   server may have granted the lock at any point after the invoke, so the possible hold starts at
//   the acquire invoke and ends at the first bound known, in this order:
//     1. lease.validUntilMs on the info completion, if the client could tell;
//     2. completion time + ttlMs, when the invoke's value carries {ttlMs}: a grant that landed at
//        the latest moment the client was still waiting expires ttl later;
//     3. otherwise the process's next acquire or release invoke on the key (the worker has moved
//        on and cleaned up its own attempt), its death, or the end of the history.
//   Possible holds appear in the believed and the cut view alike. An op with an unknown outcome may
//   or may not have taken effect, so a possible hold decides nothing on its own (see overlap.ts).
// evidence (forced holds): an unknown acquire is known to have taken effect when its process
//   - released the key with `ok` before acquiring it again (the lock found it held by us), or
//   - entered the key's critical section at the resource before its next acquire or release.
//   The grant then certainly existed at one moment: somewhere in the release's span, or at the
//   enter. Nothing more is certain (the grant may have come just before), so a forced hold is
//   that moment's window, and it proves an overlap only with a hold that covers the whole window.
import type { Op } from '../core/history.ts';
import type { OpPair } from './pairs.ts';

export type HoldView = 'believed' | 'cut' | 'resource';

/** Why a hold interval ends where it does. */
export type HoldEnd =
  | 'release' // the release invoke
  | 'next-acquire' // the same process acquired the key again without releasing
  | 'end-of-history' // never released
  | 'crashed' // its process died (the history's crash line)
  | 'validity' // cut at the lease's validity deadline
  | 'lease' // possible hold bounded by validUntilMs on the info completion
  | 'ttl' // possible hold bounded by completion + ttlMs
  | 'extend-ttl' // possible tail of an uncertain extend
  | 'released' // evidence window: the release that proved an unknown acquire took effect
  | 'entered' // evidence window: the resource enter that proved it
  | 'exit' // audit exit
  | 're-enter' // the same client entered the same key again without an exit
  | 'next-enter' // the same client entered another key: a client is in one section at a time
  | 'left' // the client's next release or acquire invoke in the history proves it had left
  | 'outside-access' // a read or write by a client that was not inside (a point)
  | 'end-of-audit';

export interface Hold {
  readonly key: string;
  /** Client process (history) or client (audit). */
  readonly process: number;
  readonly startMs: number;
  readonly endMs: number;
  /** False for possible holds (info acquires, uncertain extends). */
  readonly definite: boolean;
  readonly endReason: HoldEnd;
  // `| undefined` rather than absent: every hold then has one shape, which keeps a million of them
  // cheap to build (JSON output drops undefined fields all the same).
  readonly owner?: string | undefined;
  readonly token?: string | undefined;
  /** The acquire invoke behind a history hold (undefined for resource sections). */
  readonly invokeMs?: number | undefined;
}

function makeHold(key: string, process: number, startMs: number, endMs: number, definite: boolean, endReason: HoldEnd, owner: string | undefined, token: string | undefined, invokeMs: number | undefined): Hold {
  return { key, process, startMs, endMs, definite, endReason, owner, token, invokeMs };
}

export interface HistoryHolds {
  readonly believed: Hold[];
  readonly cut: Hold[];
  /**
   * Forced holds: the window in which an unknown acquire's grant certainly existed (endReason
   * `released` or `entered`). The same for both views.
   */
  readonly forced: Hold[];
}

/** Times (ms, ascending) at which a client entered a key at the resource; for the evidence rule. */
export type EntersOf = (process: number, key: string) => Float64Array | undefined;

/** Reads {ttlMs} from an invoke's value, if it carries a positive one. */
export function ttlOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ttl = (value as { ttlMs?: unknown }).ttlMs;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? ttl : undefined;
}

interface OpenHold {
  readonly startMs: number;
  readonly invokeMs: number;
  readonly owner: string | undefined;
  readonly token: string | undefined;
  validUntilMs: number | undefined;
  /** Upper bound of an uncertain extension, past validUntilMs. */
  possibleUntilMs: number | undefined;
}

interface PendingPossible {
  /** The acquire invoke: where the possible hold starts. */
  readonly startMs: number;
  /** Rules 1 and 2 above; undefined = rule 3 (ends at the next invoke). */
  readonly boundMs: number | undefined;
  readonly boundReason: HoldEnd;
  readonly owner: string | undefined;
}

/** Index of the first element ≥ x in an ascending array. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] ?? Infinity) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Builds believed, cut and forced holds from paired client ops (as returned by pairOps, in invoke
 * order) and the history's end time; `entersOf` supplies the resource's enters for evidence.
 */
export function historyHolds(pairs: readonly OpPair[], historyEndMs: number, entersOf?: EntersOf, crashes: ReadonlyMap<number, number> = new Map()): HistoryHolds {
  const believed: Hold[] = [];
  const cut: Hold[] = [];
  const forced: Hold[] = [];
  // Per process, per key: the definite hold and a possible hold awaiting its end (rule 3) or its
  // evidence horizon (the next invoke).
  const held = new Map<number, Map<string, OpenHold>>();
  const pendingPossible = new Map<number, Map<string, PendingPossible>>();

  const mapFor = <T>(m: Map<number, Map<string, T>>, process: number): Map<string, T> => {
    let inner = m.get(process);
    if (!inner) {
      inner = new Map();
      m.set(process, inner);
    }
    return inner;
  };

  const endHold = (process: number, key: string, hold: OpenHold, endMs: number, endReason: HoldEnd): void => {
    const { startMs, owner, token, invokeMs } = hold;
    if (endMs > startMs) believed.push(makeHold(key, process, startMs, endMs, true, endReason, owner, token, invokeMs));
    const deadline = hold.validUntilMs ?? Infinity;
    if (deadline >= endMs) {
      if (endMs > startMs) cut.push(makeHold(key, process, startMs, endMs, true, endReason, owner, token, invokeMs));
      return;
    }
    if (deadline > startMs) cut.push(makeHold(key, process, startMs, deadline, true, 'validity', owner, token, invokeMs));
    if (hold.possibleUntilMs !== undefined && hold.possibleUntilMs > deadline) {
      const tailEnd = Math.min(endMs, hold.possibleUntilMs);
      const tailStart = Math.max(startMs, deadline);
      if (tailEnd > tailStart) cut.push(makeHold(key, process, tailStart, tailEnd, false, tailEnd < endMs ? 'extend-ttl' : endReason, owner, token, invokeMs));
    }
  };

  /**
   * Ends a pending possible hold at the process's next invoke on the key (`horizonMs`): the
   * possible interval, and a forced window if evidence shows the grant happened.
   */
  const settlePending = (process: number, key: string, horizonMs: number, horizonReason: HoldEnd, release: OpPair | undefined): void => {
    const pending = pendingPossible.get(process);
    const p = pending?.get(key);
    if (!pending || !p) return;
    pending.delete(key);
    const endMs = p.boundMs ?? horizonMs;
    const reason = p.boundMs === undefined ? horizonReason : p.boundReason;
    if (endMs > p.startMs) {
      const h = makeHold(key, process, p.startMs, endMs, false, reason, p.owner, undefined, p.startMs);
      believed.push(h);
      cut.push(h);
    }
    // Evidence, earliest first: an enter before the horizon, else a release that found it held.
    const enters = entersOf?.(process, key);
    if (enters !== undefined) {
      const at = enters[lowerBound(enters, p.startMs)];
      if (at !== undefined && at <= horizonMs) {
        forced.push(makeHold(key, process, at, at, true, 'entered', p.owner, undefined, p.startMs));
        return;
      }
    }
    if (release?.completion?.type === 'ok') {
      forced.push(makeHold(key, process, release.invoke.timeMs, release.completion.timeMs, true, 'released', p.owner, undefined, p.startMs));
    }
  };

  function acquired(process: number, key: string, invoke: Op, completion: Op | undefined): void {
    if (completion?.type === 'ok') {
      const lease = completion.lease;
      const hold: OpenHold = { startMs: completion.timeMs, invokeMs: invoke.timeMs, owner: lease?.owner, token: lease?.token, validUntilMs: lease?.validUntilMs, possibleUntilMs: undefined };
      mapFor(held, process).set(key, hold);
      return;
    }
    if (completion?.type === 'fail') return;
    // info, or no completion at all (the process crashed or the history ended): possibly held.
    const owner = completion?.lease?.owner;
    const leaseEnd = completion?.lease?.validUntilMs;
    const ttl = ttlOf(invoke.value);
    let boundMs: number | undefined;
    let boundReason: HoldEnd = 'end-of-history';
    if (leaseEnd !== undefined) {
      boundMs = leaseEnd;
      boundReason = 'lease';
    } else if (ttl !== undefined && completion) {
      boundMs = completion.timeMs + ttl;
      boundReason = 'ttl';
    }
    mapFor(pendingPossible, process).set(key, { startMs: invoke.timeMs, boundMs, boundReason, owner });
  }

  function extended(hold: OpenHold | undefined, invoke: Op, completion: Op): void {
    if (!hold) return;
    const ttl = ttlOf(invoke.value);
    if (completion.type === 'ok') {
      // The client's own deadline counts from when it sent the extend.
      const until = completion.lease?.validUntilMs ?? (ttl === undefined ? undefined : invoke.timeMs + ttl);
      if (until !== undefined) hold.validUntilMs = until;
      return;
    }
    if (completion.type === 'info' && hold.validUntilMs !== undefined) {
      const until = completion.lease?.validUntilMs ?? (ttl === undefined ? Infinity : completion.timeMs + ttl);
      hold.possibleUntilMs = Math.max(hold.possibleUntilMs ?? -Infinity, until);
    }
  }

  for (const pair of pairs) {
    const { process, key, invoke, completion } = pair;
    const t = invoke.timeMs;
    if (pair.f === 'release' || pair.f === 'acquire') {
      const isRelease = pair.f === 'release';
      const processHeld = held.get(process);
      const hold = processHeld?.get(key);
      // A release settles the definite hold if there is one; only otherwise is it evidence for an
      // unknown acquire.
      settlePending(process, key, t, isRelease ? 'release' : 'next-acquire', isRelease && !hold ? pair : undefined);
      if (processHeld && hold) {
        processHeld.delete(key);
        endHold(process, key, hold, t, isRelease ? 'release' : 'next-acquire');
      }
    }
    if (pair.f === 'acquire') acquired(process, key, invoke, completion);
    else if (pair.f === 'extend' && completion) extended(held.get(process)?.get(key), invoke, completion);
  }

  // What is still open ends at its process's death, if the history records one after it began.
  const endOf = (process: number, startMs: number): [number, HoldEnd] => {
    const died = crashes.get(process);
    return died !== undefined && died >= startMs ? [died, 'crashed'] : [historyEndMs, 'end-of-history'];
  };
  for (const [process, keys] of held) {
    for (const [key, hold] of keys) endHold(process, key, hold, ...endOf(process, hold.startMs));
  }
  for (const [process, keys] of pendingPossible) {
    for (const [key, p] of [...keys]) {
      const [endMs, reason] = endOf(process, p.startMs);
      settlePending(process, key, endMs, reason, undefined);
    }
  }
  return { believed, cut, forced };
}
