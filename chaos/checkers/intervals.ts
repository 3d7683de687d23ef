// Hold intervals: who held (or may have held) which key, when — in the three views the overlap
// checker compares. Building them is where every rule for ambiguous histories lives, so the rules
// are spelled out here once:
//
// believed (what clients believed): from acquire `ok` to the same process's next release invoke
//   on that key. With no release, the hold runs to the process's next acquire invoke on the key
//   (a client that acquires again has given the old lease up; our clients are not reentrant) or
//   else to the end of the history — a crashed client never said it let go.
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
//        on and cleaned up its own attempt), or the end of the history.
//   Possible holds appear in the believed and the cut view alike; they make overlaps `unknown`.
// resource (what the resource saw): audit enter → exit of the same client on the same key. An
//   enter with no exit is open until the end of the audit log; a second enter by the same client
//   on the same key closes the first at that moment.
import type { AuditEntry, Op } from '../../core/history.ts';
import type { OpPair } from './pairs.ts';

export type HoldView = 'believed' | 'cut' | 'resource';

/** Why a hold interval ends where it does. */
export type HoldEnd =
  | 'release' // the release invoke
  | 'next-acquire' // the same process acquired the key again without releasing
  | 'end-of-history' // never released
  | 'validity' // cut at the lease's validity deadline
  | 'lease' // possible hold bounded by validUntilMs on the info completion
  | 'ttl' // possible hold bounded by completion + ttlMs
  | 'extend-ttl' // possible tail of an uncertain extend
  | 'exit' // audit exit
  | 're-enter' // the same client entered again without an exit
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
}

function makeHold(key: string, process: number, startMs: number, endMs: number, definite: boolean, endReason: HoldEnd, owner?: string, token?: string): Hold {
  return { key, process, startMs, endMs, definite, endReason, owner, token };
}

export interface HistoryHolds {
  readonly believed: Hold[];
  readonly cut: Hold[];
}

/** Reads {ttlMs} from an invoke's value, if it carries a positive one. */
export function ttlOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ttl = (value as { ttlMs?: unknown }).ttlMs;
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? ttl : undefined;
}

interface OpenHold {
  readonly startMs: number;
  readonly owner: string | undefined;
  readonly token: string | undefined;
  validUntilMs: number | undefined;
  /** Upper bound of an uncertain extension, past validUntilMs. */
  possibleUntilMs: number | undefined;
}

interface PendingPossible {
  readonly startMs: number;
}

/**
 * Builds believed and cut holds from paired client ops (as returned by pairOps, in invoke order)
 * and the history's end time.
 */
export function historyHolds(pairs: readonly OpPair[], historyEndMs: number): HistoryHolds {
  const believed: Hold[] = [];
  const cut: Hold[] = [];
  // Per process, per key: the definite hold and a possible hold awaiting its bound (rule 3).
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

  const push = (h: Hold, alsoCut: boolean): void => {
    if (h.endMs <= h.startMs) return;
    believed.push(h);
    if (alsoCut) cut.push(h);
  };

  const endHold = (process: number, key: string, hold: OpenHold, endMs: number, endReason: HoldEnd): void => {
    const { startMs, owner, token } = hold;
    push(makeHold(key, process, startMs, endMs, true, endReason, owner, token), false);
    const deadline = hold.validUntilMs ?? Infinity;
    if (deadline >= endMs) {
      if (endMs > startMs) cut.push(makeHold(key, process, startMs, endMs, true, endReason, owner, token));
      return;
    }
    if (deadline > startMs) cut.push(makeHold(key, process, startMs, deadline, true, 'validity', owner, token));
    if (hold.possibleUntilMs !== undefined && hold.possibleUntilMs > deadline) {
      const tailEnd = Math.min(endMs, hold.possibleUntilMs);
      const tailStart = Math.max(startMs, deadline);
      if (tailEnd > tailStart) cut.push(makeHold(key, process, tailStart, tailEnd, false, tailEnd < endMs ? 'extend-ttl' : endReason, owner, token));
    }
  };

  const possible = (process: number, key: string, startMs: number, endMs: number, endReason: HoldEnd, owner?: string): void => {
    push(makeHold(key, process, startMs, endMs, false, endReason, owner), true);
  };

  const settlePending = (process: number, key: string, endMs: number, endReason: HoldEnd): void => {
    const pending = pendingPossible.get(process);
    const p = pending?.get(key);
    if (!pending || !p) return;
    pending.delete(key);
    possible(process, key, p.startMs, endMs, endReason);
  };

  function acquired(process: number, key: string, invoke: Op, completion: Op | undefined): void {
    if (completion?.type === 'ok') {
      const lease = completion.lease;
      const hold: OpenHold = { startMs: completion.timeMs, owner: lease?.owner, token: lease?.token, validUntilMs: lease?.validUntilMs, possibleUntilMs: undefined };
      mapFor(held, process).set(key, hold);
      return;
    }
    if (completion?.type === 'fail') return;
    // info, or no completion at all (the process crashed or the history ended): possibly held.
    const owner = completion?.lease?.owner;
    const leaseEnd = completion?.lease?.validUntilMs;
    if (leaseEnd !== undefined) {
      possible(process, key, invoke.timeMs, leaseEnd, 'lease', owner);
      return;
    }
    const ttl = ttlOf(invoke.value);
    if (ttl !== undefined && completion) {
      possible(process, key, invoke.timeMs, completion.timeMs + ttl, 'ttl', owner);
      return;
    }
    mapFor(pendingPossible, process).set(key, { startMs: invoke.timeMs });
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
      settlePending(process, key, t, pair.f === 'release' ? 'release' : 'next-acquire');
      const processHeld = held.get(process);
      const hold = processHeld?.get(key);
      if (processHeld && hold) {
        processHeld.delete(key);
        endHold(process, key, hold, t, pair.f === 'release' ? 'release' : 'next-acquire');
      }
    }
    if (pair.f === 'acquire') acquired(process, key, invoke, completion);
    else if (pair.f === 'extend' && completion) extended(held.get(process)?.get(key), invoke, completion);
  }

  for (const [process, keys] of held) for (const [key, hold] of keys) endHold(process, key, hold, historyEndMs, 'end-of-history');
  for (const [process, keys] of pendingPossible) for (const [key, p] of keys) possible(process, key, p.startMs, historyEndMs, 'end-of-history');
  return { believed, cut };
}

/** Resource holds from the audit log: enter → exit of the same client on the same key. */
export function resourceHolds(audit: readonly AuditEntry[]): Hold[] {
  const holds: Hold[] = [];
  const open = new Map<string, { startMs: number; token: string | undefined }>();
  let endMs = 0;
  const close = (id: string, key: string, client: number, at: number, endReason: HoldEnd): void => {
    const o = open.get(id);
    if (!o) return;
    open.delete(id);
    if (at > o.startMs) holds.push(makeHold(key, client, o.startMs, at, true, endReason, undefined, o.token));
  };
  for (const e of audit) {
    if (e.timeMs > endMs) endMs = e.timeMs;
    if (e.event !== 'enter' && e.event !== 'exit') continue;
    const id = `${e.client}\u0000${e.key}`;
    if (e.event === 'enter') {
      close(id, e.key, e.client, e.timeMs, 're-enter');
      open.set(id, { startMs: e.timeMs, token: e.token });
    } else {
      close(id, e.key, e.client, e.timeMs, 'exit');
    }
  }
  for (const id of [...open.keys()]) {
    const sep = id.indexOf('\u0000');
    close(id, id.slice(sep + 1), Number(id.slice(0, sep)), endMs, 'end-of-audit');
  }
  return holds;
}
