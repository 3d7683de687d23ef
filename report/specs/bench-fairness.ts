// Fairness: every client contends for one key; how the grants were shared out. ZooKeeper's recipe
// queues waiters (each gets its turn); Redis-based locks poll, so the grants go to whoever retries
// at the right moment. The dashed line is a perfectly even share.
import type { TopLevelSpec } from 'vega-lite';
import type { BenchResult } from '../../bench/results.ts';
import type { FairnessResult } from '../../bench/fairness.ts';
import { lockColour, lockOrder, type ChartSpec } from './common.ts';

export interface FairnessRow {
  readonly lock: string;
  readonly client: number;
  readonly grants: number;
  readonly share: number;
  /** 1 / clients: the share every client would get if the lock were perfectly fair. */
  readonly even: number;
}

export interface FairnessCaseSummary {
  readonly lock: string;
  readonly id: string;
  readonly fairness: FairnessResult;
}

export function fairnessCases(b: BenchResult): FairnessCaseSummary[] {
  const out: FairnessCaseSummary[] = [];
  for (const c of b.cases) if (c.kind === 'fairness' && c.fairness && c.status === 'ok') out.push({ lock: c.lock, id: c.id, fairness: c.fairness });
  return out;
}

export function fairnessRows(cases: readonly FairnessCaseSummary[]): FairnessRow[] {
  return cases.flatMap(({ lock, fairness: f }) =>
    f.grantsPerClient.map((grants, client) => ({ lock, client, grants, share: f.grants === 0 ? 0 : grants / f.grants, even: f.clients === 0 ? 0 : 1 / f.clients })),
  );
}

export function fairnessChart(cases: readonly FairnessCaseSummary[]): ChartSpec | undefined {
  const rows = fairnessRows(cases);
  if (rows.length === 0) return undefined;
  const locks = lockOrder(rows.map((r) => r.lock));
  // The lock heading carries its two fairness figures, so the picture explains itself.
  // With no grant, Jain 1 and 100% in order would read as perfect fairness; say what happened.
  const headings = Object.fromEntries(
    cases.map((c) => [c.lock, c.fairness.grants === 0 ? `${c.lock}: no grant at all in this case` : `${c.lock}: Jain ${c.fairness.jainIndex.toFixed(2)}, in order ${(c.fairness.inOrderFraction * 100).toFixed(0)}%`]),
  );
  const clients = Math.max(...cases.map((c) => c.fairness.clients));
  const spec = {
    data: { values: rows.map((r) => ({ ...r, panel: headings[r.lock] ?? r.lock })) },
    title: {
      text: 'Fairness under contention',
      subtitle: [
        `${clients} clients on one key; bars = each client's share of the grants; dashed line = an even share.`,
        'Jain index: 1 = perfectly even, 1/n = one client got all; in order = grants that went to the longest waiter.',
      ],
    },
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: locks.map((l) => headings[l] ?? l), header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontSize: 12, labelFontWeight: 'bold' } } },
    spec: {
      width: 520,
      height: 90,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'client', type: 'ordinal', title: 'client', axis: { labelAngle: 0 } },
            y: { field: 'share', type: 'quantitative', title: 'share of grants', axis: { format: '.0%', tickCount: 3 } },
            color: lockColour(locks, { legend: null }),
            tooltip: [{ field: 'lock' }, { field: 'client' }, { field: 'grants' }, { field: 'share', format: '.1%' }],
          },
        },
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#333' }, encoding: { y: { aggregate: 'mean', field: 'even', type: 'quantitative' } } },
      ],
    },
    resolve: { scale: { y: 'shared' } },
  };
  return { name: 'bench-fairness', heading: 'Fairness under contention', spec: spec as unknown as TopLevelSpec };
}
