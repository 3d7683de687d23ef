// The lock × fault verdict matrix as a heatmap: one cell per scenario, coloured by verdict, with
// the definite overlaps and lost updates behind it, and a mark where the result disagrees with
// what the literature expects.
import type { TopLevelSpec } from 'vega-lite';
import type { MatrixCell } from '../../chaos/matrix.ts';
import { intervalText } from '../../chaos/trials.ts';
import { lockOrder, type ChartSpec } from './common.ts';

export const VERDICT_COLOURS: Readonly<Record<MatrixCell['verdict'], string>> = {
  valid: '#a1d99b',
  invalid: '#de2d26',
  unknown: '#fdb863',
  'not run': '#d9d9d9',
};
const VERDICT_ORDER: readonly MatrixCell['verdict'][] = ['valid', 'invalid', 'unknown', 'not run'];

function cellLabel(c: MatrixCell): string {
  if (!c.ran && c.verdict === 'not run') return 'not run';
  const t = c.trials;
  if (t) {
    // A rate, not one verdict: "invalid in 7 of 10" over "40–89%", within the cell's two lines.
    const unknown = t.unknown > 0 ? ` · ${t.unknown} unknown` : '';
    return `invalid in ${t.invalid} of ${t.completed}${c.agrees === false ? ' ⚠' : ''}\n${intervalText(t.violationRate)}${unknown}`;
  }
  // Two lines at most, so the label stays inside its cell.
  const head = c.verdict.toUpperCase() + (c.agrees === false ? ' ⚠ unexpected' : '');
  return `${head}\n${c.definiteOverlaps} overlap${c.definiteOverlaps === 1 ? '' : 's'} · ${c.lostUpdates} lost`;
}

export function matrixHeatmap(cells: readonly MatrixCell[], faultsOrder: readonly string[], locksOrder: readonly string[]): ChartSpec | undefined {
  if (cells.length === 0) return undefined;
  const locks = locksOrder.length > 0 ? [...locksOrder] : lockOrder(cells.map((c) => c.lock));
  const faults = faultsOrder.length > 0 ? [...faultsOrder] : [...new Set(cells.map((c) => c.fault))];
  const verdicts = VERDICT_ORDER.filter((v) => cells.some((c) => c.verdict === v));
  const rows = cells.map((c) => ({
    lock: c.lock,
    fault: c.fault,
    verdict: c.verdict,
    label: cellLabel(c),
    definiteOverlaps: c.definiteOverlaps,
    possibleOverlaps: c.possibleOverlaps,
    maxOverlapMs: Math.round(c.maxOverlapMs * 10) / 10,
    lostUpdates: c.lostUpdates,
    fencingRejections: c.fencingRejections,
    acquireOkInFault: c.acquireSuccessInFault === null ? 'n/a' : `${(c.acquireSuccessInFault * 100).toFixed(0)}%`,
    expected: c.expected,
    agrees: c.agrees === null ? 'n/a' : c.agrees ? 'yes' : 'NO',
    trials: c.trials ? `${c.trials.invalid} invalid, ${c.trials.unknown} unknown of ${c.trials.completed} (95% ${intervalText(c.trials.violationRate)})` : 'one run',
  }));
  const withTrials = cells.some((c) => c.trials !== undefined);
  const spec = {
    data: { values: rows },
    width: { step: 160 },
    height: { step: 62 },
    title: {
      text: 'Lock × fault verdicts',
      subtitle: withTrials
        ? ['Each cell is a scenario\'s trials: how many were invalid, with the 95% Wilson interval; the colour is the worst verdict among them.', '⚠ = some trial disagrees with what the literature expects for this lock and fault.']
        : ['Each cell is one chaos run: the merged verdict, definite overlapping holders (resource + believed views) and lost updates.', '⚠ = the result disagrees with what the literature expects for this lock and fault.'],
    },
    encoding: {
      x: { field: 'fault', type: 'nominal', sort: faults, title: null, axis: { orient: 'top', labelAngle: 0, labelLimit: 156, labelFontSize: 12, domain: false, ticks: false } },
      y: { field: 'lock', type: 'nominal', sort: locks, title: null, axis: { labelFontSize: 12, domain: false, ticks: false } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 3 },
        encoding: {
          color: { field: 'verdict', type: 'nominal', title: 'verdict', scale: { domain: verdicts, range: verdicts.map((v) => VERDICT_COLOURS[v]) }, legend: { orient: 'right' } },
          tooltip: [
            { field: 'lock' },
            { field: 'fault' },
            { field: 'verdict' },
            { field: 'definiteOverlaps', title: 'definite overlaps' },
            { field: 'possibleOverlaps', title: 'possible overlaps' },
            { field: 'maxOverlapMs', title: 'max overlap (ms)' },
            { field: 'lostUpdates', title: 'lost updates' },
            { field: 'fencingRejections', title: 'fencing rejections' },
            { field: 'acquireOkInFault', title: 'acquire ok in faults' },
            { field: 'trials' },
            { field: 'expected' },
            { field: 'agrees' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11, lineBreak: '\n', lineHeight: 14 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: "datum.verdict == 'invalid'", value: 'white' }, value: 'black' },
        },
      },
    ],
  };
  return { name: 'matrix-heatmap', heading: 'Lock × fault verdicts', spec: spec as unknown as TopLevelSpec };
}
