// The effect of injected WAN latency: a lock that needs more round trips per cycle (ZooKeeper's
// quorum writes, Redlock's majority) pays the link latency that many times. Left: one client's
// cycle latency; right: throughput of many clients on independent keys.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResult } from '../../bench/results.ts';
import { lockColour, lockOrder, type ChartSpec } from './common.ts';
import { focusClients } from './bench-latency.ts';

export interface WanRow {
  readonly lock: string;
  readonly latencyMs: number;
  readonly clients: number;
  readonly cycleP50Ms: number | null;
  readonly cycleP99Ms: number | null;
  readonly cyclesPerSec: number;
  readonly id: string;
}

/** Sweep cases at the smallest client count (latency panel) and the focus count (throughput). */
export function wanRows(b: BenchResult): { latency: WanRow[]; throughput: WanRow[]; latencyClients: number; throughputClients: number } | undefined {
  const sweeps = b.cases.filter((c) => c.kind === 'sweep' && c.status === 'ok' && c.keys === 'many');
  if (!sweeps.some((c) => c.latencyMs > 0)) return undefined;
  const latencyClients = Math.min(...sweeps.map((c) => c.clients));
  const throughputClients = focusClients(b) ?? latencyClients;
  const row = (c: (typeof sweeps)[number]): WanRow => ({ lock: c.lock, latencyMs: c.latencyMs, clients: c.clients, cycleP50Ms: c.latency.cycle?.p50 ?? null, cycleP99Ms: c.latency.cycle?.p99 ?? null, cyclesPerSec: c.cyclesPerSec, id: c.id });
  return {
    latency: sweeps.filter((c) => c.clients === latencyClients).map(row),
    throughput: sweeps.filter((c) => c.clients === throughputClients).map(row),
    latencyClients,
    throughputClients,
  };
}

export function wanChart(w: NonNullable<ReturnType<typeof wanRows>>): ChartSpec {
  const locks = lockOrder([...w.latency, ...w.throughput].map((r) => r.lock));
  const latencies = [...new Set([...w.latency, ...w.throughput].map((r) => r.latencyMs))].sort((a, b) => a - b);
  const x = { field: 'latencyMs', type: 'quantitative', title: 'injected one-way latency per link (ms)', axis: { values: latencies, format: 'd', grid: true } };
  const tooltip = [
    { field: 'lock' },
    { field: 'latencyMs', title: 'injected (ms)' },
    { field: 'clients' },
    { field: 'cycleP50Ms', title: 'cycle p50 (ms)', format: '.2f' },
    { field: 'cycleP99Ms', title: 'cycle p99 (ms)', format: '.2f' },
    { field: 'cyclesPerSec', title: 'cycles/s', format: ',.0f' },
  ];
  const panel = (values: readonly WanRow[], title: string, y: Record<string, unknown>): Record<string, unknown> => ({
    width: 300,
    height: 240,
    title: { text: title, fontSize: 12, fontWeight: 'bold' },
    data: { values },
    mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2 },
    encoding: { x, y, color: lockColour(locks), tooltip },
  });
  const spec = {
    title: { text: 'Effect of injected WAN latency', subtitle: 'Toxiproxy latency toxic on every client link, both directions; one key per client' },
    hconcat: [
      panel(w.latency, `cycle latency p50, ${w.latencyClients} client${w.latencyClients === 1 ? '' : 's'}`, { field: 'cycleP50Ms', type: 'quantitative', title: 'cycle latency p50 (ms)' }),
      panel(w.throughput, `throughput, ${w.throughputClients} clients`, { field: 'cyclesPerSec', type: 'quantitative', title: 'cycles/s', axis: { format: '~s' } }),
    ],
  };
  return { name: 'bench-wan', heading: 'Effect of injected WAN latency', spec: spec as unknown as TopLevelSpec };
}
