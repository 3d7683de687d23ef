// The report of a bench run: the headline figures first (bench-summary.ts), then throughput,
// latency percentiles, WAN latency and fairness charts, each with the figures behind it, the
// scalability charts and ease of setup when the run measured them, then every case in one table
// with its path and bottleneck.
import { wanFigures } from '../bench/results.ts';
import type { BenchRun } from './load-run.ts';
import { benchSummary } from './bench-summary.ts';
import { anchorsSection, bottleneckCell, floorErrorsHtml, pathText, runFacts, scalabilitySections, setupSection } from './bench-sections.ts';
import type { Page, PageSection } from './html.ts';
import { fairnessCases, fairnessChart } from './specs/bench-fairness.ts';
import { focusClients, latencyChart, latencyRows } from './specs/bench-latency.ts';
import { throughputChart, throughputRows } from './specs/bench-throughput.ts';
import { wanChart, wanRows } from './specs/bench-wan.ts';
import { hasKnownDefect, knownDefectNotes, lockLabel } from '../locks/labels.ts';
import { lockOrder, type ChartSpec } from './specs/common.ts';
import { esc, int, ms, pct, tableHtml } from './tables.ts';

export interface RunReportParts {
  readonly charts: readonly ChartSpec[];
  readonly page: Page;
}

export function benchReport(run: BenchRun): RunReportParts {
  const b = run.bench;
  const cases = b.cases;
  const charts: ChartSpec[] = [];
  const sections: PageSection[] = [];
  const byLock = <T extends { lock: string }>(rows: readonly T[]): T[] => {
    const order = lockOrder(rows.map((r) => r.lock));
    return [...rows].sort((a, c) => order.indexOf(a.lock) - order.indexOf(c.lock));
  };

  const byId = new Map(cases.map((c) => [c.id, c]));
  const tput = throughputRows(b);
  const tputChart = throughputChart(tput);
  if (tputChart) {
    charts.push(tputChart);
    const rows = byLock(tput).sort((a, c) => a.keys.localeCompare(c.keys) || 0);
    sections.push({
      heading: tputChart.heading,
      chart: tputChart,
      side: tableHtml({
        headers: ['lock', 'keys', 'clients', 'cycles/s', 'cycle p50', 'cycle p99', 'path', 'bottleneck'],
        rows: rows.map((r) => {
          const c = byId.get(r.id);
          return [lockLabel(r.lock), r.keys, r.clients, c && hasKnownDefect(c) ? `${int(r.cyclesPerSec)} *` : int(r.cyclesPerSec), ms(r.p50Ms, 3), ms(r.p99Ms, 3), c ? pathText(c) : '—', c ? bottleneckCell(c) : '—'];
        }),
      }) + defectNotesHtml(knownDefectNotes(rows.flatMap((r) => {
        const c = byId.get(r.id);
        return c ? [{ lock: c.lock, clients: c.clients, keys: c.keys, perSec: c.cyclesPerSec, ...(c.latencyMs > 0 ? { context: `${c.latencyMs} ms injected per link` } : {}) }] : [];
      }))),
    });
  }

  const fc = focusClients(b);
  if (fc !== undefined) {
    const latChart = latencyChart(latencyRows(b, fc), fc);
    if (latChart) {
      charts.push(latChart);
      const focus = byLock(cases.filter((c) => c.kind === 'sweep' && c.latencyMs === 0 && c.clients === fc && c.status === 'ok'));
      sections.push({
        heading: latChart.heading,
        chart: latChart,
        side: tableHtml({
          headers: ['lock', 'keys', 'p50', 'p90', 'p99', 'p99.9', 'max', 'cycles'],
          rows: focus.map((c) => [lockLabel(c.lock), c.keys, ms(c.latency.cycle?.p50, 3), ms(c.latency.cycle?.p90, 3), ms(c.latency.cycle?.p99, 3), ms(c.latency.cycle?.p999, 3), ms(c.latency.cycle?.max, 3), int(c.cycles)]),
          caption: `cycle latency, ${fc} clients`,
        }),
      });
    }
  }

  const wan = wanRows(b);
  if (wan) {
    const chart = wanChart(wan);
    charts.push(chart);
    const all = byLock([...wan.latency, ...wan.throughput]).sort((a, c) => a.clients - c.clients || a.latencyMs - c.latencyMs);
    // One column per figure the systems' drivers measured under the toxics (redisRttP50Ms → "redis RTT p50").
    const figureNames = [...new Set(b.wan.flatMap((g) => wanFigures(g).map(([name]) => name)))];
    const groups = b.wan.map((g) => [`${g.latencyMs} ms ± ${g.jitterMs}`, `${g.links}`, ...figureNames.map((n) => ms(typeof g[n] === 'number' ? g[n] : undefined)), g.verified ? 'yes' : 'NO']);
    sections.push({
      heading: chart.heading,
      chart,
      side:
        tableHtml({ headers: ['lock', 'clients', 'injected', 'cycle p50', 'cycle p99', 'cycles/s'], rows: all.map((r) => [lockLabel(r.lock), r.clients, `${r.latencyMs} ms`, ms(r.cycleP50Ms), ms(r.cycleP99Ms), int(r.cyclesPerSec)]) }) +
        (groups.length > 0 ? tableHtml({ headers: ['toxic', 'links', ...figureNames.map(figureLabel), 'took effect'], rows: groups, caption: 'the toxics, as verified' }) : ''),
    });
  }

  const fair = fairnessCases(b);
  const fairChart = fairnessChart(fair);
  if (fairChart) {
    charts.push(fairChart);
    sections.push({
      heading: fairChart.heading,
      chart: fairChart,
      side: tableHtml({
        headers: ['lock', 'clients', 'grants', 'Jain index', 'in order', 'min share', 'max share'],
        rows: byLock(fair).map(({ lock, fairness: f }) => [lockLabel(lock), f.clients, int(f.grants), f.jainIndex.toFixed(3), pct(f.inOrderFraction, 1), pct(f.minShare, 1), pct(f.maxShare, 1)]),
      }),
    });
  }

  const scale = scalabilitySections(b);
  charts.push(...scale.charts);
  sections.push(...scale.sections);
  const setup = setupSection(b);
  if (setup) sections.push(setup);
  const anchors = anchorsSection(b);
  if (anchors) sections.push(anchors);

  if (b.goals.length > 0) {
    sections.push({ heading: 'Goals', side: tableHtml({ headers: ['goal', 'target', 'measured', 'met'], rows: b.goals.map((g) => [g.goal, g.target, g.measured, g.met === null ? 'not measured' : g.met ? 'yes' : 'NO']) }) });
  }
  sections.push({
    heading: 'Every case',
    side:
      cases.length === 0
        ? '<p>This run recorded no lock cases (only the floor, or it was interrupted before the first case).</p>'
        : tableHtml({
            headers: ['case', 'status', 'path', 'cycles/s', 'cycle p50', 'cycle p99', 'errors', 'overlap', 'bottleneck'],
            rows: cases.map((c) => {
              const e = c.errors;
              const errors = e.busy + e.unavailable + e.unknown + e.releaseNotHeld + e.releaseUnknown;
              return [
                c.id,
                c.status + (c.error !== undefined ? `: ${c.error}` : ''),
                pathText(c),
                int(c.cyclesPerSec),
                ms(c.latency.cycle?.p50, 3),
                ms(c.latency.cycle?.p99, 3),
                int(errors),
                c.overlap ? { text: c.overlap.verdict, cls: c.overlap.verdict } : '–',
                bottleneckCell(c),
              ];
            }),
          }),
  });

  const violations = b.violations.length > 0 ? `<p><span class="verdict invalid">mutual exclusion violated</span> in ${esc(b.violations.join(', '))}</p>` : '';
  const intro = `<p>Run <code>${esc(b.runId)}</code>, started ${esc(b.startedAt || '?')}, ${b.wallTimeMs > 0 ? `${(b.wallTimeMs / 1000).toFixed(0)} s wall time, ` : ''}${cases.length} cases${b.interrupted ? ', <b>interrupted</b>' : ''}. Files: <a href="bench.json">bench.json</a>.</p>${runFacts(b)}${violations}${floorErrorsHtml(b)}`;
  return { charts, page: { title: `lockbench bench — ${b.runId}`, summary: benchSummary(b), intro, sections } };
}

/** The notes a table's marked (*) cells refer to. */
function defectNotesHtml(notes: readonly string[]): string {
  return notes.map((n) => `<p class="links">* ${esc(n)}</p>`).join('');
}

/** "zkWriteP50Ms" → "zk write p50". */
function figureLabel(name: string): string {
  return name.replace(/P50Ms$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/\bRtt\b/, 'RTT').replace(/ Write\b/, ' write') + ' p50';
}
