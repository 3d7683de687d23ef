// Latency percentile curves per lock on a "nines" axis (HdrHistogram style): the tail, not just the
// median, decides whether a lock fits a latency budget. Dense curves come from the HDR histograms
// stored in bench.json; without them, the summary percentiles are plotted.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResult, CaseResult } from '../../bench/results.ts';
import { decodeHistogram } from '../../core/stats.ts';
import { lockColour, lockOrder, type ChartSpec } from './common.ts';
import { keysPanel } from './bench-throughput.ts';

export interface PercentileRow {
  readonly lock: string;
  readonly keys: string;
  /** 0–100; 100 is plotted as 99.9999 (the max). */
  readonly percentile: number;
  readonly latencyMs: number;
}

const DENSE_PERCENTILES = [50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.7, 99.9, 99.95, 99.99, 99.999];

/** The client count the latency curves are drawn at: 16 if swept, else the largest below 16. */
export function focusClients(b: BenchResult): number | undefined {
  const swept = [...new Set(b.cases.filter((c) => c.kind === 'sweep').map((c) => c.clients))];
  if (swept.length === 0) return undefined;
  if (swept.includes(16)) return 16;
  const below = swept.filter((c) => c < 16);
  return below.length > 0 ? Math.max(...below) : Math.min(...swept);
}

function curve(c: CaseResult): { percentile: number; latencyMs: number }[] {
  const encoded = c.histograms['cycle'];
  if (encoded !== undefined) {
    try {
      const h = decodeHistogram(encoded);
      if (h.totalCount > 0) {
        const pts = DENSE_PERCENTILES.map((p) => ({ percentile: p, latencyMs: h.getValueAtPercentile(p) / 1000 }));
        pts.push({ percentile: 100, latencyMs: h.maxValue / 1000 });
        return pts;
      }
    } catch {
      // A histogram that does not decode falls back to the summary below.
    }
  }
  const s = c.latency.cycle;
  if (!s || s.count === 0) return [];
  return [
    { percentile: 50, latencyMs: s.p50 },
    { percentile: 90, latencyMs: s.p90 },
    { percentile: 99, latencyMs: s.p99 },
    { percentile: 99.9, latencyMs: s.p999 },
    { percentile: 100, latencyMs: s.max },
  ];
}

export function latencyRows(b: BenchResult, clients: number): PercentileRow[] {
  const rows: PercentileRow[] = [];
  for (const c of b.cases) {
    if (c.kind !== 'sweep' || c.latencyMs !== 0 || c.clients !== clients || c.status !== 'ok') continue;
    for (const p of curve(c)) if (p.latencyMs > 0) rows.push({ lock: c.lock, keys: keysPanel(c.keys), ...p });
  }
  return rows;
}

export function latencyChart(rows: readonly PercentileRow[], clients: number): ChartSpec | undefined {
  if (rows.length === 0) return undefined;
  const locks = lockOrder(rows.map((r) => r.lock));
  const panels = [...new Set(rows.map((r) => r.keys))].sort((a, b) => (a.startsWith('1 key') ? -1 : b.startsWith('1 key') ? 1 : a.localeCompare(b)));
  const spec = {
    data: { values: rows },
    title: { text: 'Cycle latency percentiles', subtitle: `acquire → released, ${clients} concurrent clients, no injected latency; rightmost point = max` },
    transform: [{ calculate: '1 / (1 - min(datum.percentile, 99.9999) / 100)', as: 'inv' }],
    facet: { column: { field: 'keys', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: {
      width: 380,
      height: 240,
      mark: { type: 'line', point: { size: 30, filled: true }, strokeWidth: 2 },
      encoding: {
        x: {
          field: 'inv',
          type: 'quantitative',
          title: 'percentile',
          scale: { type: 'log', domain: [2, 1000000] },
          // Leaving out 0% (=1): its label collides with 50%.
          axis: { values: [2, 10, 100, 1000, 10000, 100000, 1000000], grid: true, labelExpr: "datum.value >= 1000000 ? 'max' : format(100 - 100 / datum.value, '.5~f') + '%'" },
        },
        y: { field: 'latencyMs', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' }, axis: { tickCount: 6, format: '~g' } },
        color: lockColour(locks),
        tooltip: [{ field: 'lock' }, { field: 'keys' }, { field: 'percentile', title: 'percentile (%)' }, { field: 'latencyMs', title: 'latency (ms)', format: '.3f' }],
      },
    },
  };
  return { name: 'bench-latency', heading: 'Latency percentiles', spec: spec as unknown as TopLevelSpec };
}
