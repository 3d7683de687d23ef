// Statistics. Latencies come from HDR histograms: values are recorded in microseconds (HDR records
// integers) and reported in milliseconds; histograms merge, so per-worker results combine exactly.
// Proportions (violations in N trials) get a Wilson score interval, and small samples a median.
import * as hdr from 'hdr-histogram-js';

export interface LatencySummaryMs {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export type LatencyHistogram = hdr.Histogram;

/** A histogram for latencies from 1 µs to 10 minutes, 3 significant digits. */
export function latencyHistogram(): LatencyHistogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function mergeHistograms(hs: readonly LatencyHistogram[]): LatencyHistogram {
  const out = latencyHistogram();
  for (const h of hs) out.add(h);
  return out;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function summarize(h: LatencyHistogram): LatencySummaryMs {
  const at = (p: number): number => round3(h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: round3(h.maxValue / 1000),
    mean: round3(h.mean / 1000),
  };
}

export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(s);
}

/** z for a two-sided 95% interval (the 97.5th percentile of the standard normal). */
export const Z_95 = 1.959963984540054;

export interface ProportionInterval {
  /** k / n, or null when n = 0. */
  readonly rate: number | null;
  readonly low: number;
  readonly high: number;
}

/**
 * The Wilson score interval for k successes in n trials. With the handful of trials a chaos run
 * affords, the textbook interval p ± z·sqrt(p(1-p)/n) collapses to zero width at k = 0 and k = n
 * ("0 of 3, 0–0%") and leaves [0, 1] elsewhere; Wilson's stays inside [0, 1] and keeps a width
 * that honestly shrinks with n. n = 0 says nothing: [0, 1].
 */
export function wilsonInterval(k: number, n: number, z: number = Z_95): ProportionInterval {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || k < 0 || k > n) throw new RangeError(`wilsonInterval needs whole numbers 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  if (n === 0) return { rate: null, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 and k = n the bound is exactly 0 or 1; floating point would leave ±1e-17.
  return { rate: p, low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

/** The median of a sample (mean of the two middle values for an even count), or null when empty. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const hi = s[mid] as number;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] as number) + hi) / 2;
}
