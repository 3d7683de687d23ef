// bench.json's cluster-size points as a text table, with each point's throughput and p99 as
// ratios to the same lock's smallest size: ratios measured in one run are what the figures are worth.
import { lockLabel } from '../locks/labels.ts';
import type { ScalabilityResult } from './results.ts';
import { renderTable } from './text-table.ts';

/** The table and its note; empty when the run has neither. */
export function renderClusterSize(s: Pick<ScalabilityResult, 'clusterSize' | 'clusterSizeNote'> | undefined): string {
  if (!s || (s.clusterSize.length === 0 && !s.clusterSizeNote)) return '';
  const out = ['CLUSTER SIZE (closed loop on independent keys; ratios to the same lock\'s smallest size; ms)'];
  if (s.clusterSize.length > 0) {
    const smallest = new Map<string, (typeof s.clusterSize)[number]>();
    for (const p of s.clusterSize) {
      const m = smallest.get(p.lock);
      if (p.status !== 'failed' && (!m || p.nodes < m.nodes)) smallest.set(p.lock, p);
    }
    const ratio = (x: number | null, base: number | null | undefined): string | undefined => (x !== null && base ? (x / base).toFixed(2) : undefined);
    const rows = [...s.clusterSize]
      .sort((a, b) => a.lock.localeCompare(b.lock) || a.nodes - b.nodes)
      .map((p) => {
        const base = smallest.get(p.lock);
        const status = p.status === 'failed' ? `FAILED ${p.error ?? ''}` : p.status === 'interrupted' ? 'interrupted' : (p.overlap ?? undefined);
        return [lockLabel(p.lock), p.nodes, p.cluster, p.clients, p.cyclesPerSec, ratio(p.cyclesPerSec, base?.cyclesPerSec), p.p50Ms, p.p99Ms, ratio(p.p99Ms, base?.p99Ms), p.errors, status, p.bottleneck?.kind];
      });
    out.push(renderTable(['lock', 'nodes', 'cluster', 'clients', 'cycles/s', '×', 'p50', 'p99', 'p99 ×', 'errors', 'overlap', 'bottleneck'], rows));
  }
  if (s.clusterSizeNote) out.push(s.clusterSizeNote);
  return `${out.join('\n')}\n`;
}
