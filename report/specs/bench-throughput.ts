// Throughput vs clients per lock, one panel for one shared key (contended) and one for a key per
// client (independent locks): where each lock's ceiling is, and what contention costs it. The
// rates span two decades (Redis in the tens of thousands, ZooKeeper in the hundreds), so the y
// axis is logarithmic: on a linear one ZooKeeper's line lay flat against zero.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResult } from '../../bench/results.ts';
import { lockColour, lockOrder, type ChartSpec } from './common.ts';

export interface ThroughputRow {
  readonly lock: string;
  readonly clients: number;
  /** "1 key (contended)" or "key per client", as the panel heading says it. */
  readonly keys: string;
  readonly cyclesPerSec: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly id: string;
}

export const keysPanel = (keys: string): string => (keys === 'many' ? 'key per client' : keys === '1' ? '1 key (contended)' : `${keys} keys`);

/** Closed-loop sweep cases without injected latency. */
export function throughputRows(b: BenchResult): ThroughputRow[] {
  return b.cases
    .filter((c) => c.kind === 'sweep' && c.latencyMs === 0 && c.status === 'ok')
    .map((c) => ({ lock: c.lock, clients: c.clients, keys: keysPanel(c.keys), cyclesPerSec: c.cyclesPerSec, p50Ms: c.latency.cycle?.p50 ?? null, p99Ms: c.latency.cycle?.p99 ?? null, id: c.id }));
}

export function throughputChart(all: readonly ThroughputRow[]): ChartSpec | undefined {
  // A log scale has no zero; a case that completed no cycle stays in the table beside the chart.
  const rows = all.filter((r) => r.cyclesPerSec > 0);
  if (rows.length === 0) return undefined;
  const locks = lockOrder(rows.map((r) => r.lock));
  const clients = [...new Set(rows.map((r) => r.clients))].sort((a, b) => a - b);
  const panels = [...new Set(rows.map((r) => r.keys))].sort((a, b) => (a.startsWith('1 key') ? -1 : b.startsWith('1 key') ? 1 : a.localeCompare(b)));
  const spec = {
    data: { values: rows },
    title: { text: 'Throughput vs clients', subtitle: 'acquire + release cycles per second, closed loop, no injected latency; log scale' },
    facet: { column: { field: 'keys', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: {
      width: 300,
      height: 240,
      mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2 },
      encoding: {
        x: { field: 'clients', type: 'quantitative', title: 'concurrent clients', scale: { type: 'log', base: 2 }, axis: { values: clients, format: 'd', grid: true } },
        y: { field: 'cyclesPerSec', type: 'quantitative', title: 'cycles/s (log scale)', scale: { type: 'log' }, axis: { format: '~s' } },
        color: lockColour(locks, { legend: { orient: 'right' } }),
        tooltip: [
          { field: 'lock' },
          { field: 'clients' },
          { field: 'keys' },
          { field: 'cyclesPerSec', title: 'cycles/s', format: ',.0f' },
          { field: 'p50Ms', title: 'cycle p50 (ms)', format: '.3f' },
          { field: 'p99Ms', title: 'cycle p99 (ms)', format: '.3f' },
        ],
      },
    },
  };
  return { name: 'bench-throughput', heading: 'Throughput vs clients', spec: spec as unknown as TopLevelSpec };
}
