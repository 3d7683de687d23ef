// Scalability charts from bench.json's scalability section, each drawn only when the run measured
// its points: throughput and p99 against the locks held at once, grants/s and the servers' work
// per grant against the waiters on one lock (polling against queueing), and throughput and p99
// against the cluster's size. Counts and rates span decades, so both axes are logarithmic.
import type { TopLevelSpec } from 'vega-lite';
import type { ScalabilityResult } from '../../bench/results.ts';
import { lockColour, lockOrder, type ChartSpec } from './common.ts';

interface Panel {
  readonly field: string;
  readonly title: string;
  readonly log: boolean;
}

const positive = (x: number | null): x is number => x !== null && Number.isFinite(x) && x > 0;

/** Two panels side by side over the same x, one line per lock; rows whose y is missing or ≤ 0 (log) are left out of that panel. */
function twoPanels(o: {
  name: string;
  heading: string;
  subtitle: string;
  rows: readonly Record<string, unknown>[];
  x: { field: string; title: string; log: boolean };
  panels: readonly [Panel, Panel];
  tooltip: readonly Record<string, unknown>[];
}): ChartSpec | undefined {
  const locks = lockOrder(o.rows.map((r) => String(r['lock'])));
  const xs = [...new Set(o.rows.map((r) => r[o.x.field]).filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
  const panel = (p: Panel): Record<string, unknown> | undefined => {
    const values = o.rows.filter((r) => (p.log ? positive(r[p.field] as number | null) : typeof r[p.field] === 'number'));
    if (values.length === 0) return undefined;
    return {
      width: 280,
      height: 220,
      data: { values },
      mark: { type: 'line', point: { size: 50, filled: true }, strokeWidth: 2 },
      encoding: {
        x: { field: o.x.field, type: 'quantitative', title: o.x.title, scale: o.x.log ? { type: 'log', nice: false, padding: 16 } : { zero: false, nice: false, padding: 16 }, axis: { values: xs, format: '~s', grid: true } },
        y: { field: p.field, type: 'quantitative', title: p.title, scale: p.log ? { type: 'log' } : {}, axis: { format: '~s' } },
        color: lockColour(locks, { legend: { orient: 'right' } }),
        tooltip: o.tooltip,
      },
    };
  };
  const drawn = o.panels.map(panel).filter((p): p is Record<string, unknown> => p !== undefined);
  if (drawn.length === 0) return undefined;
  const spec = { title: { text: o.heading, subtitle: o.subtitle }, hconcat: drawn, resolve: { scale: { color: 'shared' } } };
  return { name: o.name, heading: o.heading, spec: spec as unknown as TopLevelSpec };
}

export function heldLocksChart(s: ScalabilityResult): ChartSpec | undefined {
  if (s.held.length === 0) return undefined;
  return twoPanels({
    name: 'bench-scale-held',
    heading: 'Locks held at once',
    subtitle: 'a closed loop on other keys while N locks are held; log scales',
    rows: s.held.map((p) => ({ ...p })),
    x: { field: 'heldLocks', title: 'locks held at once', log: true },
    panels: [
      { field: 'cyclesPerSec', title: 'cycles/s', log: true },
      { field: 'p99Ms', title: 'cycle p99 (ms)', log: true },
    ],
    tooltip: [
      { field: 'lock' },
      { field: 'heldLocks', title: 'locks held' },
      { field: 'clients' },
      { field: 'cyclesPerSec', title: 'cycles/s', format: ',.0f' },
      { field: 'p50Ms', title: 'p50 (ms)', format: '.3f' },
      { field: 'p99Ms', title: 'p99 (ms)', format: '.3f' },
      { field: 'memoryBytesPerLock', title: 'server bytes per held lock', format: ',.0f' },
    ],
  });
}

export function waitersChart(s: ScalabilityResult): ChartSpec | undefined {
  if (s.waiters.length === 0) return undefined;
  return twoPanels({
    name: 'bench-scale-waiters',
    heading: 'Waiters on one lock',
    subtitle: 'W clients on one key: grants per second, and the servers\u2019 requests per grant (polling grows with W, queueing does not); log scales',
    rows: s.waiters.map((p) => ({ ...p })),
    x: { field: 'waiters', title: 'waiters on one lock', log: true },
    panels: [
      { field: 'grantsPerSec', title: 'grants/s', log: true },
      { field: 'serverOpsPerGrant', title: 'server requests per grant', log: true },
    ],
    tooltip: [
      { field: 'lock' },
      { field: 'waiters' },
      { field: 'grantsPerSec', title: 'grants/s', format: ',.1f' },
      { field: 'p99WaitMs', title: 'wait p99 (ms)', format: ',.1f' },
      { field: 'serverOpsPerGrant', title: 'server requests per grant', format: ',.1f' },
      { field: 'opsUnit', title: 'counted' },
    ],
  });
}

export function clusterSizeChart(s: ScalabilityResult): ChartSpec | undefined {
  if (s.clusterSize.length === 0) return undefined;
  return twoPanels({
    name: 'bench-scale-cluster-size',
    heading: 'Cluster size',
    subtitle: 'the same case on clusters of different sizes (Redlock masters, ZooKeeper members); throughput on a log scale',
    rows: s.clusterSize.map((p) => ({ ...p })),
    x: { field: 'nodes', title: 'nodes in the cluster', log: false },
    panels: [
      { field: 'cyclesPerSec', title: 'cycles/s', log: true },
      { field: 'p99Ms', title: 'cycle p99 (ms)', log: true },
    ],
    tooltip: [
      { field: 'lock' },
      { field: 'system' },
      { field: 'nodes' },
      { field: 'clients' },
      { field: 'cyclesPerSec', title: 'cycles/s', format: ',.0f' },
      { field: 'p50Ms', title: 'p50 (ms)', format: '.3f' },
      { field: 'p99Ms', title: 'p99 (ms)', format: '.3f' },
    ],
  });
}

/** Every scalability chart the run has points for (none when bench.json has no scalability section). */
export function scalabilityCharts(s: ScalabilityResult | undefined): ChartSpec[] {
  if (!s) return [];
  return [heldLocksChart(s), waitersChart(s), clusterSizeChart(s)].filter((c): c is ChartSpec => c !== undefined);
}
