// Availability: how often each kind of op worked, inside and outside fault windows, and how long
// acquires took. Not a safety property, so it never makes a run invalid; but a run in which no
// acquire ever succeeded tested nothing, and says so with `unknown`.
import type { CheckInput } from './input.ts';
import type { CheckerResult, Verdict } from './verdict.ts';

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

/** Exact nearest-rank percentiles, in ms. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

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

type MutableCounts = { -readonly [K in keyof Counts]: number };

const zero = (): MutableCounts => ({ ok: 0, fail: 0, info: 0, pending: 0 });
const split = (): { all: MutableCounts; inFault: MutableCounts; outsideFault: MutableCounts } => ({ all: zero(), inFault: zero(), outsideFault: zero() });

function count(s: ReturnType<typeof split>, type: keyof Counts, inFault: boolean): void {
  s.all[type] += 1;
  (inFault ? s.inFault : s.outsideFault)[type] += 1;
}

/** Nearest-rank percentiles of an ascending array; null when it is empty. */
export function percentiles(sorted: Float64Array): Percentiles | null {
  const n = sorted.length;
  if (n === 0) return null;
  const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? NaN;
  return { count: n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: sorted[n - 1] ?? NaN };
}

function sortedOf(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function checkAvailability(input: CheckInput): AvailabilityResult {
  const { pairs, endMs } = input.paired;
  const faults = input.faults;
  const total = split();
  const byF = new Map<string, ReturnType<typeof split>>();
  const okLatency: number[] = [];
  const allLatency: number[] = [];
  const okInFault: number[] = [];
  const okOutside: number[] = [];
  for (const pair of pairs) {
    const c = pair.completion;
    const type = c === undefined ? 'pending' : c.type === 'invoke' ? 'info' : c.type;
    const toMs = c?.timeMs ?? endMs;
    const inFault = faults.anyDuring(pair.invoke.timeMs, toMs);
    let f = byF.get(pair.f);
    if (!f) {
      f = split();
      byF.set(pair.f, f);
    }
    count(total, type, inFault);
    count(f, type, inFault);
    if (pair.f === 'acquire' && c !== undefined) {
      const latencyMs = c.timeMs - pair.invoke.timeMs;
      allLatency.push(latencyMs);
      if (type === 'ok') {
        okLatency.push(latencyMs);
        (inFault ? okInFault : okOutside).push(latencyMs);
      }
    }
  }

  const acquire = byF.get('acquire');
  const acquireOk = acquire?.all.ok ?? 0;
  const verdict: Verdict = acquireOk > 0 ? 'valid' : 'unknown';
  const ok = percentiles(sortedOf(okLatency));
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
    total,
    byF: Object.fromEntries(byF),
    acquireLatencyMs: {
      ok,
      all: percentiles(sortedOf(allLatency)),
      okInFault: percentiles(sortedOf(okInFault)),
      okOutsideFault: percentiles(sortedOf(okOutside)),
    },
  };
}
