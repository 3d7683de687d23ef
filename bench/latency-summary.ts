// Percentile summaries for bench.json. HDR reports a percentile as the highest value equivalent to
// its bucket (3.001 ms for samples of exactly 3 ms) while the max is exact, so a p99.9 could read
// above the max; percentiles are clamped to the max so the columns always read in order.
import { summarize, type LatencyHistogram, type LatencySummaryMs } from '../core/stats.ts';

export function summaryMs(h: LatencyHistogram): LatencySummaryMs {
  const s = summarize(h);
  const cap = (x: number): number => Math.min(x, s.max);
  return { ...s, p50: cap(s.p50), p90: cap(s.p90), p99: cap(s.p99), p999: cap(s.p999) };
}
