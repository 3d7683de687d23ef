// The report of a matrix folder: the verdicts in a few lines first (matrix-summary.ts), the
// verdict heatmap, every cell's figures with a link to the scenario's own report (rendered beside
// it), and the scenarios that did not run.
import { basename } from 'node:path';
import type { MatrixCell } from '../chaos/matrix.ts';
import { intervalText, rateText } from '../chaos/trials.ts';
import { lockLabel } from '../locks/labels.ts';
import type { RunReportParts } from './bench-report.ts';
import type { MatrixRun } from './load-run.ts';
import { matrixSummary } from './matrix-summary.ts';
import { matrixHeatmap } from './specs/matrix-heatmap.ts';
import type { ChartSpec } from './specs/common.ts';
import { esc, ms, pct, tableHtml } from './tables.ts';

/** The scenario folder of a cell inside the matrix folder, if it has one. */
export function scenarioOf(c: MatrixCell, scenarios: readonly string[]): string | undefined {
  // runDir is absolute where the matrix ran; the folder may have moved since, so match by name.
  const candidates = [c.runDir === null ? undefined : basename(c.runDir), `${c.lock}-${c.fault}`];
  return candidates.find((n): n is string => n !== undefined && scenarios.includes(n));
}

export function matrixReport(run: MatrixRun): RunReportParts {
  const mx = run.matrix;
  const charts: ChartSpec[] = [];
  const heat = matrixHeatmap(mx.cells, mx.faults, mx.locks);
  const rows = mx.cells.map((c) => {
    const sc = scenarioOf(c, run.scenarios);
    return [
      lockLabel(c.lock),
      c.fault,
      c.trials
        ? { text: rateText(c.trials), cls: c.verdict === 'not run' ? 'none' : c.verdict, title: `${c.trials.invalid} invalid, ${c.trials.unknown} unknown, ${c.trials.valid} valid of ${c.trials.completed} completed trials; 95% interval ${intervalText(c.trials.violationRate)}` }
        : { text: c.verdict, cls: c.verdict === 'not run' ? 'none' : c.verdict },
      c.definiteOverlaps,
      c.possibleOverlaps,
      ms(c.maxOverlapMs, 1),
      c.lostUpdates,
      c.fencingRejections,
      pct(c.acquireSuccessInFault),
      ms(c.acquireP99InFaultMs, 1),
      c.livenessOk === null ? '–' : c.livenessOk ? 'ok' : 'FAILED',
      c.agrees === null ? '–' : c.agrees ? 'yes' : { text: 'NO', cls: 'invalid', title: `expected: ${c.expected}` },
      sc !== undefined ? { text: 'report', href: `${sc}/report.html` } : c.error !== undefined ? { text: 'not run', title: c.error } : '–',
    ];
  });
  const table = tableHtml({
    headers: ['lock', 'fault', (mx.trials ?? 1) > 1 ? 'violation rate' : 'verdict', 'definite overlaps', 'possible', 'max overlap', 'lost updates', 'fencing rejections', 'acquire ok in faults', 'acquire p99 in faults', 'liveness', 'agrees', 'scenario'],
    rows,
  });
  const sections = [];
  if (heat) {
    charts.push(heat);
    sections.push({ heading: heat.heading, chart: heat });
  }
  sections.push({ heading: 'Every scenario', side: table });
  const failed = mx.cells.filter((c) => c.error !== undefined);
  if (failed.length > 0) sections.push({ heading: 'Scenarios that did not run', side: tableHtml({ headers: ['lock', 'fault', 'error'], rows: failed.map((c) => [lockLabel(c.lock), c.fault, c.error ?? '']) }) });
  const perCell = (mx.trials ?? 1) > 1 ? ` ${mx.trials ?? 1} trials per scenario: a cell gives the violation rate with its 95% Wilson interval, and its figures summed over the trials.` : '';
  const intro = `<p>Matrix <code>${esc(mx.matrixId)}</code>: ${mx.locks.length} locks × ${mx.faults.length} faults, ${(mx.wallMs / 1000).toFixed(0)} s wall time.${perCell} Each scenario folder has its own report. Files: <a href="matrix.json">matrix.json</a> · <a href="matrix.md">matrix.md</a>.</p>`;
  return { charts, page: { title: `lockbench matrix — ${mx.matrixId}`, summary: matrixSummary(mx), intro, sections } };
}
