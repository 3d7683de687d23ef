// The report of a sweep: the rate at each value first, then the violation-rate curve against the
// swept parameter, and one row per value linking to that value's trials report (rendered beside it).
import { rateText, seedsText, trialsText } from '../chaos/trials.ts';
import type { RunReportParts } from './bench-report.ts';
import type { SweepRun } from './load-run.ts';
import type { PageSection } from './html.ts';
import { faultPhrase, type ChartSpec } from './specs/common.ts';
import { sweepRateChart } from './specs/sweep-rate.ts';
import { esc, tableHtml } from './tables.ts';
import { rateClass } from './trials-report.ts';

const sec = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(3)} s`);

export function sweepReport(run: SweepRun): RunReportParts {
  const f = run.sweep;
  const charts: ChartSpec[] = [];
  const table = tableHtml({
    collapse: 'open',
    headers: [f.param, 'violation rate (95% Wilson interval)', 'unknown', 'first fault → first violation, median', 'lost updates per trial', 'liveness failures', 'heal → first grant, median', 'longest without a grant, max', 'trials'],
    rows: f.points.map((p) => {
      const s = p.stats;
      return [
        String(p.value),
        { text: rateText(s), cls: rateClass(s) },
        `${s.unknown} of ${s.completed}`,
        sec(s.medianFirstViolationMs),
        s.lostUpdatesPerTrial.map((x) => (x === null ? '?' : String(x))).join(', ') || '–',
        `${s.livenessFailures} of ${s.completed}`,
        sec(s.medianHealToFirstGrantMs),
        sec(s.maxLongestNoGrantInFaultsMs),
        { text: 'report', href: `${p.dir}/report.html` },
      ];
    }),
  });
  const chart = sweepRateChart(f);
  const sections: PageSection[] = [];
  if (chart) {
    charts.push(chart);
    sections.push({ heading: chart.heading, chart, side: table });
  } else sections.push({ heading: 'Every value', side: table });
  const intro = [
    `<p>Sweep <code>${esc(f.id)}</code>: ${esc(f.lock)} ${esc(faultPhrase(f.fault))} at ${f.values.length} values of <code>--${esc(f.param)}</code> (${esc(f.unit)}), ${trialsText(f.trialsPerValue)} each, ${seedsText(f.seed, f.trialsPerValue)} at every value.</p>`,
    f.interrupted ? '<p><b>Interrupted (Ctrl-C):</b> only the values listed ran.</p>' : '',
    '<p class="links">Files: <a href="sweep.json">sweep.json</a> · <a href="sweep.md">sweep.md</a></p>',
  ].join('\n');
  const summary = `<p>${esc(f.lock)} ${esc(faultPhrase(f.fault))}, by <code>--${esc(f.param)}</code>:</p><ul>${f.points.map((p) => `<li>${esc(String(p.value))} ${esc(f.unit)}: <span class="verdict ${rateClass(p.stats)}">${esc(rateText(p.stats))}</span></li>`).join('')}</ul>`;
  return { charts, page: { title: `lockbench sweep — ${f.lock} ${faultPhrase(f.fault)} against ${f.param}`, summary, intro, sections } };
}
