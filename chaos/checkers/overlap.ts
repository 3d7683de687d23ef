// Mutual exclusion: did two clients hold the same key at once? Checked in three views (see
// intervals.ts for how holds are built). A sweep over hold start times per key keeps the holds
// still active in a min-heap by end time, so the cost is O(n log n + pairs), not O(n²): a run of a
// million ops must check in seconds.
import type { FaultWindow } from './fault-windows.ts';
import type { CheckInput } from './input.ts';
import { historyHolds, resourceHolds } from './intervals.ts';
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

export interface OverlapViewResult {
  readonly verdict: Verdict;
  /** True when the view could not be built (no audit log for the resource view). */
  readonly skipped: boolean;
  readonly holds: number;
  readonly possibleHolds: number;
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

/** Checks one view's holds for overlaps. */
export function checkHolds(view: HoldView, holds: readonly Hold[], faultsDuring: (fromMs: number, toMs: number) => FaultWindow[], options: OverlapOptions = {}): OverlapViewResult {
  const cap = options.maxReportedPairs ?? 1000;
  const pairs: OverlapPair[] = [];
  const keys = new Set<string>();
  let definitePairs = 0;
  let possiblePairs = 0;
  let maxDefiniteMs = 0;
  let maxPossibleMs = 0;
  let totalDefiniteOverlapMs = 0;
  let firstDefiniteAtMs: number | undefined;
  sweepOverlaps(holds, (a, b) => {
    const fromMs = b.startMs;
    const toMs = Math.min(a.endMs, b.endMs);
    const overlapMs = toMs - fromMs;
    const definite = a.definite && b.definite;
    keys.add(a.key);
    let report: boolean;
    if (definite) {
      definitePairs += 1;
      totalDefiniteOverlapMs += overlapMs;
      if (overlapMs > maxDefiniteMs) maxDefiniteMs = overlapMs;
      firstDefiniteAtMs ??= fromMs;
      report = definitePairs <= cap;
    } else {
      possiblePairs += 1;
      if (overlapMs > maxPossibleMs) maxPossibleMs = overlapMs;
      report = possiblePairs <= cap;
    }
    if (report) pairs.push({ view, key: a.key, definite, fromMs, toMs, overlapMs, a, b, faults: faultsDuring(fromMs, toMs) });
  });
  const verdict: Verdict = definitePairs > 0 ? 'invalid' : possiblePairs > 0 ? 'unknown' : 'valid';
  return {
    verdict,
    skipped: false,
    holds: holds.length,
    possibleHolds: holds.reduce((n, h) => (h.definite ? n : n + 1), 0),
    definitePairs,
    possiblePairs,
    maxOverlapMs: definitePairs > 0 ? maxDefiniteMs : maxPossibleMs,
    totalDefiniteOverlapMs,
    ...(firstDefiniteAtMs === undefined ? {} : { firstDefiniteAtMs }),
    keys: [...keys].sort(),
    pairs,
    truncated: definitePairs > cap || possiblePairs > cap,
  };
}

const skippedView: OverlapViewResult = {
  verdict: 'valid',
  skipped: true,
  holds: 0,
  possibleHolds: 0,
  definitePairs: 0,
  possiblePairs: 0,
  maxOverlapMs: 0,
  totalDefiniteOverlapMs: 0,
  keys: [],
  pairs: [],
  truncated: false,
};

/** The overlap checker: invalid on any definite overlap in any view, unknown on a possible one. */
export function checkOverlap(input: CheckInput, options: OverlapOptions = {}): OverlapResult {
  const { believed, cut } = historyHolds(input.paired.pairs, input.paired.endMs);
  const during = (fromMs: number, toMs: number): FaultWindow[] => input.faults.during(fromMs, toMs);
  const views = {
    believed: checkHolds('believed', believed, during, options),
    cut: checkHolds('cut', cut, during, options),
    resource: input.audit === undefined ? skippedView : checkHolds('resource', resourceHolds(input.audit), during, options),
  };
  const verdict = mergeVerdicts([views.believed.verdict, views.cut.verdict, views.resource.verdict]);
  const describe = (name: string, v: OverlapViewResult): string => {
    if (v.skipped) return `${name}: skipped (no audit log)`;
    if (v.definitePairs + v.possiblePairs === 0) return `${name}: none`;
    const parts = [];
    if (v.definitePairs > 0) parts.push(`${v.definitePairs} definite`);
    if (v.possiblePairs > 0) parts.push(`${v.possiblePairs} possible`);
    return `${name}: ${parts.join(' + ')} (max ${v.maxOverlapMs.toFixed(1)} ms, keys ${v.keys.slice(0, 5).join(', ')}${v.keys.length > 5 ? ', …' : ''})`;
  };
  const summary = `${describe('believed', views.believed)}; ${describe('cut', views.cut)}; ${describe('resource', views.resource)}`;
  return { verdict, summary, views };
}
