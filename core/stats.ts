// Latency statistics from HDR histograms. Values are recorded in microseconds (HDR records
// integers) and reported in milliseconds; histograms merge, so per-worker results combine exactly.
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
