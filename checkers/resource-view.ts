// The resource view: what the resource saw, in the order it saw it. The resource applies events
// one at a time and appends each before replying, so the audit file's order is exact, while two
// events can carry the same timeMs; every decision here is made in file order, never by sorting
// on time. Rules:
//   - A section is a client's enter → exit on a key. A client is in one critical section at a
//     time, so an unclosed section also ends at the client's next action that proves it left:
//     its next enter on any key (audit), its next release or acquire invoke in the history, or
//     its process's death (the history's crash line: a dead client is inside nothing).
//     Without that rule a worker whose resource call failed (so it never sent its exit) would be
//     "inside" until it next entered the same key, long after it moved on.
//   - Two clients' sections on a key overlap when one enters while the other is inside.
//   - A read or write by a client that is not inside a key, while another client is, is an
//     overlap too: the access is a point, paired with each client inside at that moment.
// Everything here is definite: the resource recorded what happened, no outcome is unknown.
import type { AuditEntry } from '../core/history.ts';
import type { Hold, HoldEnd } from './intervals.ts';
import type { OpPair } from './pairs.ts';

interface Section {
  readonly key: string;
  readonly client: number;
  readonly startMs: number;
  readonly token: string | undefined;
  /** When the history proves the client had left (its next release/acquire invoke), or Infinity. */
  readonly leftByMs: number;
  endMs: number;
  endReason: HoldEnd | undefined;
}

/** Two resource holds that were in force at once, found in file order. */
export interface ResourceOverlap {
  readonly a: Hold;
  readonly b: Hold;
}

export interface ResourceView {
  readonly holds: Hold[];
  /** Pairs in the order they were found; `a` was inside first. */
  readonly overlaps: ResourceOverlap[];
}

/** Per process, the ascending times of its release and acquire invokes and its death: proofs that it left. */
function leavingTimes(pairs: readonly OpPair[], crashes: ReadonlyMap<number, number>): Map<number, Float64Array> {
  const lists = new Map<number, number[]>();
  const add = (process: number, atMs: number): void => {
    let l = lists.get(process);
    if (!l) {
      l = [];
      lists.set(process, l);
    }
    l.push(atMs);
  };
  for (const p of pairs) if (p.f === 'release' || p.f === 'acquire') add(p.process, p.invoke.timeMs);
  for (const [process, atMs] of crashes) add(process, atMs);
  const out = new Map<number, Float64Array>();
  // Per process the history is in time order already; sorting guards hand-made histories.
  for (const [process, l] of lists) out.set(process, Float64Array.from(l).sort());
  return out;
}

/** First element > x in an ascending array, or Infinity. */
function firstAfter(a: Float64Array | undefined, x: number): number {
  if (a === undefined) return Infinity;
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] ?? Infinity) <= x) lo = mid + 1;
    else hi = mid;
  }
  return a[lo] ?? Infinity;
}

/**
 * Builds the resource view from the audit log (in file order) and the history's op pairs (for the
 * proof that a client left a section it never exited).
 */
export function resourceView(audit: readonly AuditEntry[], pairs: readonly OpPair[], crashes: ReadonlyMap<number, number> = new Map()): ResourceView {
  const leaving = leavingTimes(pairs, crashes);
  const leftReason = (s: Section): HoldEnd => (crashes.get(s.client) === s.leftByMs ? 'crashed' : 'left');
  const sections: Section[] = [];
  const found: [Section, Section][] = [];
  const outside: [Section, Hold][] = [];
  const openOf = new Map<number, Section>();
  const inside = new Map<string, Section[]>();
  let lastMs = 0;

  const close = (s: Section, atMs: number, reason: HoldEnd): void => {
    if (s.endReason !== undefined) return;
    // A proof of leaving that came earlier than the event that closes it wins.
    if (s.leftByMs < atMs) {
      s.endMs = s.leftByMs;
      s.endReason = leftReason(s);
    } else {
      s.endMs = atMs;
      s.endReason = reason;
    }
    if (openOf.get(s.client) === s) openOf.delete(s.client);
    const list = inside.get(s.key);
    if (list) {
      const i = list.indexOf(s);
      if (i >= 0) list.splice(i, 1);
    }
  };

  /** Clients inside `key` at time t, after closing those the history shows had left by then. */
  const insideAt = (key: string, t: number): Section[] => {
    const list = inside.get(key);
    if (!list) return [];
    // Backwards, because close() removes the section from this very list.
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i];
      if (s !== undefined && s.leftByMs <= t) close(s, t, leftReason(s));
    }
    return list;
  };

  for (const e of audit) {
    const t = e.timeMs;
    if (t > lastMs) lastMs = t;
    if (e.event === 'enter') {
      const mine = openOf.get(e.client);
      if (mine) close(mine, t, mine.key === e.key ? 're-enter' : 'next-enter');
      const list = insideAt(e.key, t);
      const s: Section = { key: e.key, client: e.client, startMs: t, token: e.token, leftByMs: firstAfter(leaving.get(e.client), t), endMs: Infinity, endReason: undefined };
      for (const other of list) found.push([other, s]);
      list.push(s);
      if (!inside.has(e.key)) inside.set(e.key, list);
      openOf.set(e.client, s);
      sections.push(s);
    } else if (e.event === 'exit') {
      const mine = openOf.get(e.client);
      if (mine && mine.key === e.key) close(mine, t, 'exit');
    } else if (e.event === 'read' || e.event === 'write') {
      const list = insideAt(e.key, t);
      if (list.length === 0 || list.some((s) => s.client === e.client)) continue;
      const point: Hold = { key: e.key, process: e.client, startMs: t, endMs: t, definite: true, endReason: 'outside-access', owner: undefined, token: e.token, invokeMs: undefined };
      for (const other of list) outside.push([other, point]);
    }
  }
  for (const s of [...openOf.values()]) close(s, lastMs, 'end-of-audit');

  const holdOf = new Map<Section, Hold>();
  const toHold = (s: Section): Hold => {
    let h = holdOf.get(s);
    if (!h) {
      h = { key: s.key, process: s.client, startMs: s.startMs, endMs: s.endMs, definite: true, endReason: s.endReason ?? 'end-of-audit', owner: undefined, token: s.token, invokeMs: undefined };
      holdOf.set(s, h);
    }
    return h;
  };
  const holds = sections.map(toHold);
  const overlaps: ResourceOverlap[] = [];
  for (const [a, b] of found) overlaps.push({ a: toHold(a), b: toHold(b) });
  for (const [a, point] of outside) overlaps.push({ a: toHold(a), b: point });
  return { holds, overlaps };
}
