// Mutual exclusion: did two clients hold the same key at once? Checked in three views (see
// intervals.ts for how history holds are built, resource-view.ts for the audit log's view).
// A sweep over hold start times per key keeps the holds still active in a min-heap by end time,
// so the cost is O(n log n + pairs), not O(n²): a run of a million ops must check in seconds.
//
// Unknown outcomes, as Jepsen's checkers treat them: an op whose outcome is unknown may or may not
// have taken effect, and the run is valid if some choice of outcomes gives a history in which no
// two clients hold a key at once (a grant lasts until its release or its lease ends), invalid if
// no choice does. For this lock model the search is short: choosing "did not take effect" for an
// unknown acquire removes a hold and can only remove overlaps, so the best choice is exactly
// "none took effect except those the evidence proves did" (intervals.ts: a release that found the
// lock held, or an enter at the resource). A verdict is therefore invalid iff two definite holds
// overlap or a definite hold covers a forced hold's whole window, and valid otherwise; overlaps
// that need an unknown op to have taken effect are counted as possible, as information. No search
// budget can run out, so this checker is unknown only when it could not run.
import type { FaultWindow } from './fault-windows.ts';
import type { CheckInput } from './input.ts';
import { historyHolds } from './intervals.ts';
import type { EntersOf } from './intervals.ts';
import { resourceView } from './resource-view.ts';
import type { AuditEntry } from '../core/history.ts';
import type { Hold, HoldView } from './intervals.ts';
import { mergeVerdicts } from './verdict.ts';
import type { CheckerResult, Verdict } from './verdict.ts';

/** Two holds of one key by different processes that intersect in time. */
export interface OverlapPair {
  readonly view: HoldView;
  readonly key: string;
  /** Both holds definite: a proven violation. Otherwise a possible one. */
  readonly definite: boolean;
  readonly fromMs: number;
  readonly toMs: number;
  readonly overlapMs: number;
  /** The hold that started first. */
  readonly a: Hold;
  readonly b: Hold;
  /** Fault windows intersecting [fromMs, toMs]. */
  readonly faults: readonly FaultWindow[];
}

/** One step of a witness: an op in the history or an event at the resource. */
export interface WitnessEvent {
  readonly process: number;
  readonly atMs: number;
  /** e.g. "acquire ok", "release invoke", "lease validity deadline", "enter". */
  readonly what: string;
}

/**
 * The smallest window on a key that proves the verdict invalid: the ops of one overlapping pair
 * (both grants and the first end after them, or a grant covering an unknown acquire's evidence).
 */
export interface Witness {
  readonly view: HoldView;
  readonly key: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly a: Hold;
  readonly b: Hold;
  readonly events: readonly WitnessEvent[];
  readonly faults: readonly FaultWindow[];
}

export interface OverlapViewResult {
  readonly verdict: Verdict;
  /** True when the view could not be built (no audit log for the resource view). */
  readonly skipped: boolean;
  readonly holds: number;
  readonly possibleHolds: number;
  /** Unknown acquires that the evidence shows took effect. */
  readonly forcedHolds: number;
  readonly definitePairs: number;
  readonly possiblePairs: number;
  /** Longest overlap among definite pairs, or among possible ones when there is no definite pair. */
  readonly maxOverlapMs: number;
  readonly totalDefiniteOverlapMs: number;
  /** Start of the first definite overlap, if any. */
  readonly firstDefiniteAtMs?: number;
  /** Keys with at least one overlapping pair. */
  readonly keys: readonly string[];
  /** The first `maxReportedPairs` definite and the first `maxReportedPairs` possible pairs. */
  readonly pairs: readonly OverlapPair[];
  /** True when more pairs were found than reported. */
  readonly truncated: boolean;
  /** Per key with a definite pair: the smallest window that shows it, keys sorted. */
  readonly witnesses: readonly Witness[];
}

export interface OverlapResult extends CheckerResult {
  readonly views: { readonly believed: OverlapViewResult; readonly cut: OverlapViewResult; readonly resource: OverlapViewResult };
}

export interface OverlapOptions {
  /** Cap per kind (definite / possible) of pairs kept with details; all are counted. Default 1000. */
  readonly maxReportedPairs?: number;
}

/**
 * Calls `visit(a, b)` once for every pair of holds on the same key, by different processes, whose
 * intervals intersect in more than a point (max(start) < min(end)); `a` started no later than `b`.
 * Pairs come in order of the later start time.
 */
export function sweepOverlaps(holds: readonly Hold[], visit: (a: Hold, b: Hold) => void): void {
  const order = holds.filter((h) => h.endMs > h.startMs).sort((x, y) => x.startMs - y.startMs);
  const active = new Map<string, Hold[]>();
  for (const h of order) {
    let heap = active.get(h.key);
    if (!heap) {
      heap = [];
      active.set(h.key, heap);
    }
    while (heap.length > 0 && (heap[0]?.endMs ?? Infinity) <= h.startMs) heapPop(heap);
    for (const other of heap) if (other.process !== h.process) visit(other, h);
    heapPush(heap, h);
  }
}

function heapPush(heap: Hold[], h: Hold): void {
  heap.push(h);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent];
    if (!p || p.endMs <= h.endMs) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = h;
}

function heapPop(heap: Hold[]): void {
  const last = heap.pop();
  if (!last || heap.length === 0) return;
  let i = 0;
  const n = heap.length;
  while (true) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const left = heap[l];
    const right = heap[r];
    if (!left) break;
    const child = right && right.endMs < left.endMs ? r : l;
    const c = right && right.endMs < left.endMs ? right : left;
    if (c.endMs >= last.endMs) break;
    heap[i] = c;
    i = child;
  }
  heap[i] = last;
}

const startWhat = (h: Hold, view: HoldView): string => {
  if (view === 'resource') return h.endReason === 'outside-access' ? 'read/write while not inside' : 'enter';
  if (h.endReason === 'entered') return 'enter at the resource after an acquire with unknown outcome';
  if (h.endReason === 'released') return 'release ok after an acquire with unknown outcome';
  return h.definite ? 'acquire ok' : 'acquire invoke (outcome unknown)';
};

const endWhat: Readonly<Record<Hold['endReason'], string>> = {
  release: 'release invoke',
  'next-acquire': 'next acquire invoke (no release)',
  'end-of-history': 'end of the history (never released)',
  crashed: 'its process crashed',
  validity: 'lease validity deadline',
  lease: 'lease deadline of the unknown acquire',
  ttl: 'TTL after the unknown acquire gave up',
  'extend-ttl': 'bound of an unknown extend',
  released: 'release ok',
  entered: 'enter',
  exit: 'exit',
  're-enter': 'entered the same key again',
  'next-enter': 'entered another key',
  left: 'next release or acquire invoke (it had left)',
  'outside-access': 'read/write while not inside',
  'end-of-audit': 'end of the audit log (never exited)',
};

function startEvents(h: Hold, view: HoldView): WitnessEvent[] {
  const events: WitnessEvent[] = [];
  if (view !== 'resource' && h.invokeMs !== undefined && (h.endReason === 'entered' || h.endReason === 'released')) {
    events.push({ process: h.process, atMs: h.invokeMs, what: 'acquire invoke, outcome unknown' });
  }
  events.push({ process: h.process, atMs: h.startMs, what: startWhat(h, view) });
  return events;
}

/** The proof of one definite pair and its window: [first grant, first end after both grants]. */
function witnessOf(view: HoldView, key: string, a: Hold, b: Hold, forced: Hold | undefined): Omit<Witness, 'faults'> {
  if (forced !== undefined) {
    // `a` covers the forced window: its grant, the unknown acquire and its evidence, its end.
    const events = [...startEvents(a, view), ...startEvents(forced, view), { process: a.process, atMs: a.endMs, what: endWhat[a.endReason] }];
    const fromMs = Math.min(a.startMs, forced.invokeMs ?? forced.startMs);
    return { view, key, fromMs, toMs: a.endMs, a, b: forced, events: events.sort((x, y) => x.atMs - y.atMs) };
  }
  const first = a.endMs <= b.endMs ? a : b;
  const events = [...startEvents(a, view), ...startEvents(b, view)];
  if (first.endReason !== 'outside-access') events.push({ process: first.process, atMs: first.endMs, what: endWhat[first.endReason] });
  return { view, key, fromMs: a.startMs, toMs: Math.max(b.startMs, Math.min(a.endMs, b.endMs)), a, b, events: events.sort((x, y) => x.atMs - y.atMs) };
}

/** Accumulates one view's pairs: counts all, keeps the first `cap` of each kind and a witness per key. */
class PairTally {
  definitePairs = 0;
  possiblePairs = 0;
  maxDefiniteMs = 0;
  maxPossibleMs = 0;
  totalDefiniteOverlapMs = 0;
  firstDefiniteAtMs: number | undefined;
  readonly pairs: OverlapPair[] = [];
  readonly keys = new Set<string>();
  private readonly witnessByKey = new Map<string, Omit<Witness, 'faults'>>();

  constructor(
    private readonly view: HoldView,
    private readonly cap: number,
    private readonly faultsDuring: (fromMs: number, toMs: number) => FaultWindow[],
  ) {}

  add(a: Hold, b: Hold, definite: boolean, forced?: Hold): void {
    const fromMs = b.startMs;
    const toMs = Math.max(fromMs, Math.min(a.endMs, b.endMs));
    const overlapMs = toMs - fromMs;
    this.keys.add(a.key);
    let report: boolean;
    if (definite) {
      this.definitePairs += 1;
      this.totalDefiniteOverlapMs += overlapMs;
      if (overlapMs > this.maxDefiniteMs) this.maxDefiniteMs = overlapMs;
      if (this.firstDefiniteAtMs === undefined || fromMs < this.firstDefiniteAtMs) this.firstDefiniteAtMs = fromMs;
      report = this.definitePairs <= this.cap;
      const w = witnessOf(this.view, a.key, a, forced ?? b, forced);
      const best = this.witnessByKey.get(a.key);
      if (best === undefined || w.toMs - w.fromMs < best.toMs - best.fromMs) this.witnessByKey.set(a.key, w);
    } else {
      this.possiblePairs += 1;
      if (overlapMs > this.maxPossibleMs) this.maxPossibleMs = overlapMs;
      report = this.possiblePairs <= this.cap;
    }
    if (report) this.pairs.push({ view: this.view, key: a.key, definite, fromMs, toMs, overlapMs, a, b, faults: this.faultsDuring(fromMs, toMs) });
  }

  result(holds: readonly Hold[], forcedHolds: number): OverlapViewResult {
    const witnesses = [...this.witnessByKey.values()]
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
      .slice(0, this.cap)
      .map((w) => ({ ...w, faults: this.faultsDuring(w.fromMs, w.toMs) }));
    return {
      verdict: this.definitePairs > 0 ? 'invalid' : 'valid',
      skipped: false,
      holds: holds.length,
      possibleHolds: holds.reduce((n, h) => (h.definite ? n : n + 1), 0),
      forcedHolds,
      definitePairs: this.definitePairs,
      possiblePairs: this.possiblePairs,
      maxOverlapMs: this.definitePairs > 0 ? this.maxDefiniteMs : this.maxPossibleMs,
      totalDefiniteOverlapMs: this.totalDefiniteOverlapMs,
      ...(this.firstDefiniteAtMs === undefined ? {} : { firstDefiniteAtMs: this.firstDefiniteAtMs }),
      keys: [...this.keys].sort(),
      pairs: this.pairs,
      truncated: this.definitePairs > this.cap || this.possiblePairs > this.cap,
      witnesses,
    };
  }
}

/**
 * Definite holds of other processes that cover a forced hold's whole window: per key, holds
 * sorted by start with a running maximum of their ends, so each forced window costs a binary
 * search plus the matches.
 */
function coveringHolds(holds: readonly Hold[], forced: readonly Hold[], visit: (cover: Hold, f: Hold) => void): void {
  if (forced.length === 0) return;
  const byKey = new Map<string, Hold[]>();
  for (const h of holds) {
    if (!h.definite) continue;
    let l = byKey.get(h.key);
    if (!l) {
      l = [];
      byKey.set(h.key, l);
    }
    l.push(h);
  }
  const index = new Map<string, { sorted: Hold[]; maxEnd: Float64Array }>();
  for (const f of forced) {
    let entry = index.get(f.key);
    if (!entry) {
      const sorted = (byKey.get(f.key) ?? []).sort((x, y) => x.startMs - y.startMs);
      const maxEnd = new Float64Array(sorted.length);
      let m = -Infinity;
      sorted.forEach((h, i) => {
        m = Math.max(m, h.endMs);
        maxEnd[i] = m;
      });
      entry = { sorted, maxEnd };
      index.set(f.key, entry);
    }
    // Holds that started strictly before the window: the prefix [0, n).
    let lo = 0;
    let hi = entry.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((entry.sorted[mid]?.startMs ?? Infinity) < f.startMs) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && (entry.maxEnd[i] ?? -Infinity) > f.endMs; i--) {
      const h = entry.sorted[i];
      if (h !== undefined && h.endMs > f.endMs && h.process !== f.process) visit(h, f);
    }
  }
}

/** Checks one history view: definite and possible pairs among holds, and forced windows. */
export function checkHolds(view: HoldView, holds: readonly Hold[], faultsDuring: (fromMs: number, toMs: number) => FaultWindow[], options: OverlapOptions = {}, forced: readonly Hold[] = []): OverlapViewResult {
  const tally = new PairTally(view, options.maxReportedPairs ?? 1000, faultsDuring);
  sweepOverlaps(holds, (a, b) => tally.add(a, b, a.definite && b.definite));
  coveringHolds(holds, forced, (cover, f) => tally.add(cover, f, true, f));
  return tally.result(holds, forced.length);
}

function checkResource(audit: readonly AuditEntry[], input: CheckInput, faultsDuring: (fromMs: number, toMs: number) => FaultWindow[], options: OverlapOptions): OverlapViewResult {
  const { holds, overlaps } = resourceView(audit, input.paired.pairs, input.paired.crashes);
  const tally = new PairTally('resource', options.maxReportedPairs ?? 1000, faultsDuring);
  for (const { a, b } of overlaps) tally.add(a, b, true);
  return tally.result(holds, 0);
}

const skippedView: OverlapViewResult = {
  verdict: 'valid',
  skipped: true,
  holds: 0,
  possibleHolds: 0,
  forcedHolds: 0,
  definitePairs: 0,
  possiblePairs: 0,
  maxOverlapMs: 0,
  totalDefiniteOverlapMs: 0,
  keys: [],
  pairs: [],
  truncated: false,
  witnesses: [],
};

/** Per client and key, the ascending times it entered at the resource: evidence for unknown acquires. */
function entersFrom(audit: readonly AuditEntry[] | undefined): EntersOf | undefined {
  if (audit === undefined) return undefined;
  const lists = new Map<string, number[]>();
  for (const e of audit) {
    if (e.event !== 'enter') continue;
    const id = `${e.client}\u0000${e.key}`;
    let l = lists.get(id);
    if (!l) {
      l = [];
      lists.set(id, l);
    }
    l.push(e.timeMs);
  }
  const arrays = new Map<string, Float64Array>();
  for (const [id, l] of lists) arrays.set(id, Float64Array.from(l));
  return (process, key) => arrays.get(`${process}\u0000${key}`);
}

/** The overlap checker: invalid on any definite overlap in any view, else valid (see the top). */
export function checkOverlap(input: CheckInput, options: OverlapOptions = {}): OverlapResult {
  const { believed, cut, forced } = historyHolds(input.paired.pairs, input.paired.endMs, entersFrom(input.audit), input.paired.crashes);
  const during = (fromMs: number, toMs: number): FaultWindow[] => input.faults.during(fromMs, toMs);
  const views = {
    believed: checkHolds('believed', believed, during, options, forced),
    cut: checkHolds('cut', cut, during, options, forced),
    resource: input.audit === undefined ? skippedView : checkResource(input.audit, input, during, options),
  };
  const verdict = mergeVerdicts([views.believed.verdict, views.cut.verdict, views.resource.verdict]);
  const describe = (name: string, v: OverlapViewResult): string => {
    if (v.skipped) return `${name}: skipped (no audit log)`;
    if (v.definitePairs + v.possiblePairs === 0) return `${name}: none`;
    const parts = [];
    if (v.definitePairs > 0) parts.push(`${v.definitePairs} definite`);
    if (v.possiblePairs > 0) parts.push(`${v.possiblePairs} possible only if an unknown op took effect`);
    return `${name}: ${parts.join(' + ')} (max ${v.maxOverlapMs.toFixed(1)} ms, keys ${v.keys.slice(0, 5).join(', ')}${v.keys.length > 5 ? ', …' : ''})`;
  };
  const summary = `${describe('believed', views.believed)}; ${describe('cut', views.cut)}; ${describe('resource', views.resource)}`;
  return { verdict, summary, views };
}
