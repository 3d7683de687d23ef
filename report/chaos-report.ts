// The report of a chaos run: the verdict and what it rests on first (chaos-summary.ts), then the
// checkers, a timeline per key with its overlapping pairs beside it, acquire latency with
// availability in and outside faults, and the faults.
import type { CheckerResult } from '../checkers/verdict.ts';
import type { RunReportParts } from './bench-report.ts';
import { chaosModel, type ChaosModel } from './chaos-data.ts';
import { chaosSummary } from './chaos-summary.ts';
import type { PageSection } from './html.ts';
import type { ChaosRun } from './load-run.ts';
import { acquireLatencyChart } from './specs/chaos-latency.ts';
import { timelineChart } from './specs/chaos-timeline.ts';
import { faultPhrase, type ChartSpec } from './specs/common.ts';
import { esc, ms, tableHtml } from './tables.ts';

const MAX_PAIRS_LISTED = 15;

function pairsTable(m: ChaosModel, key: string): string {
  const pairs = m.pairs.filter((p) => p.key === key);
  if (pairs.length === 0) return '<p>No definite overlap on this key in any view.</p>';
  const s = (x: number): string => ((x - m.t0Ms) / 1000).toFixed(3);
  return tableHtml({
    caption: `definite overlapping pairs on ${key}${pairs.length > MAX_PAIRS_LISTED ? ` (first ${MAX_PAIRS_LISTED} of ${pairs.length})` : ''}`,
    headers: ['view', 'clients', 'from (s)', 'overlap', 'tokens', 'faults active'],
    rows: pairs
      .slice(0, MAX_PAIRS_LISTED)
      .map((p) => [p.view, `${p.a.process} & ${p.b.process}`, s(p.fromMs), ms(p.overlapMs, 1), `${p.a.token ?? '–'} / ${p.b.token ?? '–'}`, p.faults.map((f) => f.fault).join(', ') || 'none']),
  });
}

function availabilityTable(m: ChaosModel): string {
  const a = m.check.checkers.availability;
  if (!('byF' in a)) return `<p>The availability checker failed: ${esc(a.summary)}</p>`;
  const counts = Object.entries(a.byF).map(([f, c]) => [f, `${c.inFault.ok} / ${c.inFault.fail} / ${c.inFault.info}`, `${c.outsideFault.ok} / ${c.outsideFault.fail} / ${c.outsideFault.info}`]);
  const lat = a.acquireLatencyMs;
  const row = (name: string, p: typeof lat.ok): (string | number)[] => [name, p ? p.count : 0, ms(p?.p50), ms(p?.p99), ms(p?.max)];
  return (
    tableHtml({ caption: 'ops ok / fail / info', headers: ['op', 'in faults', 'outside faults'], rows: counts }) +
    tableHtml({ caption: 'acquire latency', headers: ['acquires', 'count', 'p50', 'p99', 'max'], rows: [row('ok, all', lat.ok), row('ok in faults', lat.okInFault), row('ok outside faults', lat.okOutsideFault), row('every completed', lat.all)] })
  );
}

export function chaosReport(run: ChaosRun): RunReportParts & { model: ChaosModel } {
  const m = chaosModel(run);
  const charts: ChartSpec[] = [];
  const sections: PageSection[] = [];
  sections.push({
    heading: 'Checkers',
    side: tableHtml({
      headers: ['checker', 'verdict', 'summary'],
      rows: (Object.entries(m.check.checkers) as [string, CheckerResult][]).map(([name, c]) => [name, { text: c.verdict, cls: c.verdict }, c.summary]),
    }),
  });
  for (const t of m.timelines) {
    const chart = timelineChart(m, t);
    charts.push(chart);
    const proof = t.witness === undefined ? '' : `<p><b>Smallest window proving the violation</b> (${esc(t.witness.view)} view, ${t.witness.startS.toFixed(3)}–${t.witness.endS.toFixed(3)} s):</p><ul>${t.witness.events.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`;
    sections.push({ heading: chart.heading, chart, side: proof + pairsTable(m, t.key) });
  }
  if (m.omittedKeys.length > 0) {
    sections.push({ heading: 'Keys without a timeline', intro: `<p>Only ${m.timelines.length} keys get a timeline (those with overlaps first); not drawn: ${esc(m.omittedKeys.join(', '))}.</p>` });
  }
  const lat = acquireLatencyChart(m);
  if (lat) {
    charts.push(lat);
    sections.push({ heading: lat.heading, chart: lat, side: availabilityTable(m) });
  }
  const applied = run.result?.faults ?? [];
  const t0 = m.t0Ms;
  sections.push({
    heading: 'Faults as applied',
    side:
      applied.length > 0
        ? tableHtml({
            headers: ['#', 'fault', 'at (s)', 'lasted', 'targets', 'met a holder'],
            rows: applied.map((f) => [f.id, f.kind + (f.construction ? ' (construction)' : ''), ((f.startedMs - t0) / 1000).toFixed(3), f.healedMs !== undefined ? `${((f.healedMs - f.startedMs) / 1000).toFixed(3)} s` : 'not healed', JSON.stringify(f.targets).slice(0, 200), f.metHolder === undefined ? '' : f.metHolder ? 'yes' : 'no']),
          })
        : m.faults.length > 0
          ? tableHtml({ headers: ['fault', 'start (s)', 'end (s)', 'healed'], rows: m.faults.map((f) => [f.label, f.startS.toFixed(3), f.endS.toFixed(3), f.healed ? 'yes' : 'no']) })
          : '<p>None.</p>',
  });
  const r = run.result;
  const o = r?.options;
  const setup = o ? `${o.clients} clients on ${o.keys} key(s), TTL ${o.ttlMs} ms, fencing ${o.fencing ? 'on' : 'off'}, seed ${o.seed}, ` : '';
  const files = ['summary.md', 'results.json', 'manifest.json', 'history.jsonl', 'audit.jsonl'];
  const intro = [
    `<p>Run <code>${esc(m.runId)}</code>: ${esc(m.lock)} ${esc(faultPhrase(m.fault))}; ${esc(setup)}${m.durationS.toFixed(1)} s recorded. Times are seconds since the run started.</p>`,
    `<p class="links">Files: ${files.map((f) => `<a href="${f}">${f}</a>`).join(' · ')}</p>`,
  ].join('\n');
  return { charts, page: { title: `lockbench chaos — ${m.lock} ${faultPhrase(m.fault)}`, summary: chaosSummary(run, m), intro, sections }, model: m };
}

