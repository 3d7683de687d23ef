// Availability: how often each kind of op worked, inside and outside fault windows, and how long
// acquires took. Not a safety property, so it never makes a run invalid; but a run in which no
// acquire ever succeeded tested nothing, and says so with `unknown`.
import type { CheckInput } from './input.ts';
import type { OpPair } from './pairs.ts';
import type { CheckerResult, Verdict } from './verdict.ts';
import type { LatencySummaryMs } from '../core/stats.ts';

export interface Counts {
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  /** Invoked but never completed (the history ended, or the process crashed). */
  readonly pending: number;
}

/** Split by whether the op's invoke → completion span intersects any fault window. */
export interface SplitCounts {
  readonly all: Counts;
  readonly inFault: Counts;
  readonly outsideFault: Counts;
}

/** Exact nearest-rank percentiles, in ms: the latency summary's fields without the mean. */
export type Percentiles = Omit<LatencySummaryMs, 'mean'>;

export interface AvailabilityResult extends CheckerResult {
  readonly total: SplitCounts;
  readonly byF: Readonly<Record<string, SplitCounts>>;
  /** Acquire invoke → completion latency; null when there was none. */
  readonly acquireLatencyMs: {
    /** Acquires that completed ok. */
    readonly ok: Percentiles | null;
    /** Every completed acquire (ok, fail, info). */
    readonly all: Percentiles | null;
    readonly okInFault: Percentiles | null;
    readonly okOutsideFault: Percentiles | null;
  };
}

// Counting runs once per op of a million-op history, so it works on flat integer slots
// (scope × outcome) and preallocated latency arrays, and builds the result objects at the end.
// Slot of each outcome within a scope; scopes are outside (0-3) and inside a fault window (4-7).
const OK = 0;
const FAIL = 1;
const INFO = 2;
const PENDING = 3;
const OUTSIDE = 0;
const IN_FAULT = 4;

function outcomeSlot(pair: OpPair): number {
  const c = pair.completion;
  if (c === undefined) return PENDING;
  return c.type === 'ok' ? OK : c.type === 'fail' ? FAIL : INFO;
}

function countsOf(slots: Int32Array, scope: number): Counts {
  return { ok: slots[scope + OK] ?? 0, fail: slots[scope + FAIL] ?? 0, info: slots[scope + INFO] ?? 0, pending: slots[scope + PENDING] ?? 0 };
}

function splitOf(slots: Int32Array): SplitCounts {
  const all = new Int32Array(4);
  for (let i = 0; i < 4; i++) all[i] = (slots[OUTSIDE + i] ?? 0) + (slots[IN_FAULT + i] ?? 0);
  return { all: countsOf(all, 0), inFault: countsOf(slots, IN_FAULT), outsideFault: countsOf(slots, OUTSIDE) };
}

/** Nearest-rank percentiles of an ascending array; null when it is empty. */
export function percentiles(sorted: Float64Array): Percentiles | null {
  const n = sorted.length;
  if (n === 0) return null;
  const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? NaN;
  return { count: n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: sorted[n - 1] ?? NaN };
}

/** Latencies appended into a buffer sized for the worst case, then sorted in place. */
class LatencyList {
  private readonly values: Float64Array;
  private n = 0;
  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }
  push(ms: number): void {
    this.values[this.n++] = ms;
  }
  percentiles(): Percentiles | null {
    return percentiles(this.values.subarray(0, this.n).sort());
  }
}

export function checkAvailability(input: CheckInput): AvailabilityResult {
  const { pairs, endMs } = input.paired;
  const faults = input.faults;
  const total = new Int32Array(8);
  const slotsByF = new Map<string, Int32Array>();
  const acquires = pairs.reduce((n, p) => (p.f === 'acquire' ? n + 1 : n), 0);
  const okLatency = new LatencyList(acquires);
  const allLatency = new LatencyList(acquires);
  const okInFault = new LatencyList(acquires);
  const okOutside = new LatencyList(acquires);
  for (const pair of pairs) {
    const c = pair.completion;
    const outcome = outcomeSlot(pair);
    const inFault = faults.anyDuring(pair.invoke.timeMs, c?.timeMs ?? endMs);
    let slots = slotsByF.get(pair.f);
    if (slots === undefined) {
      slots = new Int32Array(8);
      slotsByF.set(pair.f, slots);
    }
    const slot = (inFault ? IN_FAULT : OUTSIDE) + outcome;
    total[slot] = (total[slot] ?? 0) + 1;
    slots[slot] = (slots[slot] ?? 0) + 1;
    if (pair.f === 'acquire' && c !== undefined) {
      const latencyMs = c.timeMs - pair.invoke.timeMs;
      allLatency.push(latencyMs);
      if (outcome === OK) {
        okLatency.push(latencyMs);
        (inFault ? okInFault : okOutside).push(latencyMs);
      }
    }
  }
  const byF = new Map<string, SplitCounts>();
  for (const [f, slots] of slotsByF) byF.set(f, splitOf(slots));

  const acquire = byF.get('acquire');
  const acquireOk = acquire?.all.ok ?? 0;
  const verdict: Verdict = acquireOk > 0 ? 'valid' : 'unknown';
  const ok = okLatency.percentiles();
  let summary: string;
  if (!acquire) summary = 'unknown: no acquire ops in the history, nothing was tested';
  else {
    const a = acquire.all;
    summary = `acquire ok ${a.ok} / fail ${a.fail} / info ${a.info}${a.pending > 0 ? ` / pending ${a.pending}` : ''}`;
    if (ok) summary += `; latency p50 ${ok.p50.toFixed(2)} ms, p99 ${ok.p99.toFixed(2)} ms, max ${ok.max.toFixed(2)} ms`;
    if (acquireOk === 0) summary = `unknown: no acquire succeeded, nothing was tested (${summary})`;
  }
  return {
    verdict,
    summary,
    total: splitOf(total),
    byF: Object.fromEntries(byF),
    acquireLatencyMs: {
      ok,
      all: allLatency.percentiles(),
      okInFault: okInFault.percentiles(),
      okOutsideFault: okOutside.percentiles(),
    },
  };
}
