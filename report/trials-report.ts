// The report of a scenario's trials: the rate first, then the figures over the trials, and one
// row per trial linking to that trial's own report (rendered beside it).
import { rateText, seedsText, trialsText, type TrialsStats } from '../chaos/trials.ts';
import type { RunReportParts } from './bench-report.ts';
import type { TrialsRun } from './load-run.ts';
import { faultPhrase } from './specs/common.ts';
import { esc, tableHtml, type CellLike } from './tables.ts';

const sec = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(3)} s`);

/** The verdict colour of a trials aggregate: any overlap, else any unknown, else valid when some trial finished. */
export const rateClass = (s: Pick<TrialsStats, 'invalid' | 'unknown' | 'completed'>): string => (s.invalid > 0 ? 'invalid' : s.unknown > 0 ? 'unknown' : s.completed > 0 ? 'valid' : 'none');

/** The figures of a trials aggregate as table rows, shared by the trials and sweep pages. */
export function statsRows(s: TrialsStats): CellLike[][] {
  return [
    ['violation rate (95% Wilson interval)', { text: rateText(s), cls: rateClass(s) }],
    ['unknown', `${s.unknown} of ${s.completed}`],
    ['did not complete', s.incomplete],
    ['first fault → first violation, median', `${sec(s.medianFirstViolationMs)}${s.trialsWithViolationTime > 0 ? ` (over ${s.trialsWithViolationTime})` : ''}`],
    ['lost updates per trial', s.lostUpdatesPerTrial.map((x) => (x === null ? '?' : String(x))).join(', ') || '–'],
    ['liveness failures', `${s.livenessFailures} of ${s.completed}`],
    ['disagrees with what is known', `${s.disagreements} of ${s.completed}`],
    ['heal → first grant, median', sec(s.medianHealToFirstGrantMs)],
    ['longest fault-phase stretch without a grant, max', sec(s.maxLongestNoGrantInFaultsMs)],
  ];
}

/** The rate first, then what else went wrong, so the page answers before its tables. */
export function trialsSummary(s: TrialsStats): string {
  const notes = [
    s.disagreements > 0 ? `${s.disagreements} of ${s.completed} disagree with what is expected` : '',
    s.livenessFailures > 0 ? `liveness failed in ${s.livenessFailures}` : '',
    s.incomplete > 0 ? `${s.incomplete} did not complete and are not counted` : '',
  ].filter((x) => x !== '');
  return `<p><span class="verdict ${rateClass(s)}">${esc(rateText(s))}</span>${notes.length > 0 ? ` — ${esc(notes.join('; '))}` : ''}</p>`;
}

export function trialsReport(run: TrialsRun): RunReportParts {
  const f = run.trials;
  const rows = f.trials.map((t) => [
    t.trial,
    t.seed,
    { text: t.completed ? t.verdict : `${t.verdict}, stopped early`, cls: t.completed ? t.verdict : 'none', ...(t.aborted === null ? {} : { title: t.aborted }) },
    sec(t.firstViolationAfterFaultMs),
    t.definiteOverlaps,
    t.lostUpdates ?? '?',
    t.livenessOk === null ? '–' : t.livenessOk ? 'ok' : { text: 'FAILED', cls: 'invalid' },
    sec(t.recovery?.healToFirstGrantMs),
    sec(t.recovery?.longestNoGrantInFaultsMs),
    t.dir === null ? '–' : { text: 'report', href: `${t.dir}/report.html` },
  ]);
  const o = f.options;
  const intro = [
    `<p>Trials <code>${esc(f.id)}</code>: ${esc(o.lock)} ${esc(faultPhrase(o.fault))}, ${f.trials.length} of ${trialsText(f.planned)} run, ${seedsText(o.seed, f.planned)}; ${o.clients} clients on ${o.keys} key(s), TTL ${o.ttlMs} ms, fencing ${o.fencing ? 'on' : 'off'}, fault phase ${o.durationMs / 1000} s each. Only trials that ran to the end count in the rates.</p>`,
    f.interrupted ? '<p><b>Interrupted (Ctrl-C):</b> the figures cover the trials that ran.</p>' : '',
    '<p class="links">Files: <a href="trials.json">trials.json</a> · <a href="trials.md">trials.md</a></p>',
  ].join('\n');
  return {
    charts: [],
    page: {
      title: `lockbench trials — ${o.lock} ${faultPhrase(o.fault)}: ${rateText(f.stats)}`,
      summary: trialsSummary(f.stats),
      intro,
      sections: [
        { heading: 'Over the trials', side: tableHtml({ headers: ['figure', 'value'], rows: statsRows(f.stats) }) },
        { heading: 'Every trial', side: tableHtml({ collapse: 'open', headers: ['trial', 'seed', 'verdict', 'first violation after first fault', 'definite overlaps', 'lost updates', 'liveness', 'heal → first grant', 'longest without a grant', 'trial'], rows }) },
      ],
    },
  };
}
