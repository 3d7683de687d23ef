// The evidence table: the classic Redis-vs-ZooKeeper comparison, etcd beside them (speed, consistency, behaviour
// under each fault, auto-release, ordering, fencing), where every cell is a figure or verdict
// measured by stored runs and links to them, and a cell no run supports says so. Sources: the
// newest bench run with lock cases, and every stored chaos run (standalone, matrix scenarios,
// trials, sweeps) grouped by scenario (chaos/scenario.ts): a cell combines the trials of exactly
// one scenario, the default one in a fault's own row, and a run with other outcome options gets a
// row of its own ("under crash, delayed restart (…)"), never a place in the default cell.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { BenchResult, CaseResult } from '../bench/results.ts';
import { prepareInput } from '../checkers/input.ts';
import { historyHolds } from '../checkers/intervals.ts';
import { faultKinds, storedLockModel } from '../chaos/options.ts';
import { agreement } from '../chaos/summary.ts';
import { aggregateTrials, rateText, trialOutcome, type TrialsStats } from '../chaos/trials.ts';
import { isOp, type Op } from '../core/history.ts';
import { readJsonlFile } from '../core/jsonl.ts';
import { knownDefectsIn, lockLabel } from '../locks/labels.ts';
import { citeIn, emptyFacts, factsOf, type LockFacts } from './choice-evidence.ts';
import { choicesHtml, choicesMarkdown, choicesSummaryHtml, CHOOSE_HEADING } from './choice-render.ts';
import { chooseWhich } from './choose-which.ts';
import { scalabilityAndSetupRows, speedConditions } from './evidence-bench-rows.ts';
import { findChaosRuns, groupByScenario, type ScenarioGroup, type StoredChaosRun } from './evidence-runs.ts';
import { renderPage } from './html.ts';
import { normalizeBench, type MatrixFile } from './load-run.ts';
import { focusClients } from './specs/bench-latency.ts';
import { KNOWN_LOCKS, lockOrder, slug } from './specs/common.ts';
import { esc, int, ms, pct, tableHtml, tableMarkdown, type Cell, type Table } from './tables.ts';

/** A run id's UTC stamp (yyyymmdd-hhmmssZ), which orders runs by start time. */
const stampOf = (name: string): string => /\d{8}-\d{6}Z/.exec(name)?.[0] ?? '';

interface Source {
  /** Folder, absolute. */
  readonly dir: string;
  readonly label: string;
}

type ChaosSource = StoredChaosRun;

/** Where the per-scenario lists of combined trials go, under results/. */
const TRIALS_INDEX_DIR = 'evidence-trials';

interface Evidence {
  readonly resultsDir: string;
  readonly bench: (Source & { readonly bench: BenchResult }) | undefined;
  readonly matrix: (Source & { readonly matrix: MatrixFile }) | undefined;
  /** Every stored chaos run, newest first. */
  readonly chaos: readonly ChaosSource[];
  /** The runs grouped by scenario. */
  readonly scenarios: readonly ScenarioGroup[];
  /** Index pages written for cells that combine several trials (names already taken). */
  readonly indexNames: Set<string>;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function gather(resultsDir: string): Promise<Evidence> {
  const entries = (await readdir(resultsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  const newestFirst = (names: string[]): string[] => names.sort((a, b) => stampOf(b).localeCompare(stampOf(a)) || b.localeCompare(a));

  let bench: Evidence['bench'];
  for (const name of newestFirst(entries.filter((n) => n.startsWith('bench-')))) {
    const raw = await readJson<Partial<BenchResult>>(join(resultsDir, name, 'bench.json'));
    if (raw && (raw.cases?.length ?? 0) > 0) {
      bench = { dir: join(resultsDir, name), label: name, bench: normalizeBench(raw, name) };
      break;
    }
  }

  let matrix: Evidence['matrix'];
  for (const name of newestFirst(entries.filter((n) => n.startsWith('matrix-')))) {
    const m = await readJson<MatrixFile>(join(resultsDir, name, 'matrix.json'));
    if (m) {
      matrix = { dir: join(resultsDir, name), label: name, matrix: m };
      break;
    }
  }
  const chaos = await findChaosRuns(resultsDir);
  return { resultsDir, bench, matrix, chaos, scenarios: groupByScenario(chaos), indexNames: new Set() };
}

const NO_RUN: Cell = { text: 'no run', cls: 'none' };

/** A link from results/ to a run: its report if rendered, else its summary, else the folder. */
async function linkTo(ev: Evidence, dir: string, preferred: readonly string[]): Promise<string> {
  for (const f of preferred) if (await isFile(join(dir, f))) return relative(ev.resultsDir, join(dir, f));
  return `${relative(ev.resultsDir, dir)}/`;
}

type Row = readonly [area: string, aspect: string, cells: readonly Cell[]];

function caseOf(b: BenchResult, lock: string, pred: (c: CaseResult) => boolean): CaseResult | undefined {
  return b.cases.find((c) => c.lock === lock && c.status === 'ok' && pred(c));
}

/** What the "which one" lines may cite, keyed by lock; filled in beside the cells. */
type FactsBook = Map<string, LockFacts>;

async function speedRows(ev: Evidence, locks: readonly string[], book: FactsBook): Promise<Row[]> {
  const b = ev.bench?.bench;
  if (!ev.bench || !b) return [['speed', 'bench figures', locks.map(() => ({ ...NO_RUN, text: 'no bench run with lock cases' }))], ...scalabilityAndSetupRows(undefined, locks, undefined)];
  const href = await linkTo(ev, ev.bench.dir, ['report.html', 'bench.json']);
  const fc = focusClients(b) ?? 1;
  const rate = (c: CaseResult): string => {
    if (c.cycles > 0) return `${int(c.cyclesPerSec)} cycles/s`;
    const e = c.errors;
    if (c.attempts === 0) return '0 cycles/s: no acquire completed in the measured window';
    return `0 cycles/s (${int(c.attempts)} attempts: ${int(e.busy)} busy, ${int(e.unavailable)} unavailable, ${int(e.unknown)} unknown)`;
  };
  const cellFor = (lock: string, pred: (c: CaseResult) => boolean, fmt: (c: CaseResult) => string): Cell => {
    const c = caseOf(b, lock, pred);
    return c ? { text: fmt(c), href, title: c.id } : NO_RUN;
  };
  const sweep = (clients: number, keys: string, latencyMs: number) => (c: CaseResult): boolean => c.kind === 'sweep' && c.clients === clients && c.keys === keys && c.latencyMs === latencyMs;
  const minClients = Math.min(...b.cases.filter((c) => c.kind === 'sweep').map((c) => c.clients));
  // Each speed row says which links and durability profile its cases ran on.
  const speedRow = (aspect: string, pred: (c: CaseResult) => boolean, fmt: (c: CaseResult) => string): Row => [
    'speed',
    `${aspect} (${speedConditions(b, locks.map((l) => caseOf(b, l, pred)))})`,
    locks.map((l) => cellFor(l, pred, fmt)),
  ];
  const p50Row = speedRow(`cycle latency p50, ${minClients} client, no contention`, sweep(minClients, 'many', 0), (c) => ms(c.latency.cycle?.p50, 3));
  const tputRow = speedRow(`throughput, ${fc} clients, key per client`, sweep(fc, 'many', 0), rate);
  const rows: Row[] = [
    p50Row,
    tputRow,
    speedRow(`throughput, ${fc} clients on one key`, sweep(fc, '1', 0), (c) => [rate(c), ...knownDefectsIn(c)].join(' — ')),
    speedRow(`cycle latency p99, ${fc} clients, key per client`, sweep(fc, 'many', 0), (c) => ms(c.latency.cycle?.p99, 2)),
  ];
  for (const l of locks) {
    const t = caseOf(b, l, sweep(fc, 'many', 0));
    const tCite = citeIn(tputRow, locks, l);
    if (t && t.cycles > 0 && tCite) factsOf(book, l).throughput = { perSec: t.cyclesPerSec, clients: fc, cite: tCite };
    const p50 = caseOf(b, l, sweep(minClients, 'many', 0))?.latency.cycle?.p50;
    const pCite = citeIn(p50Row, locks, l);
    if (p50 !== undefined && Number.isFinite(p50) && pCite) factsOf(book, l).latencyP50 = { ms: p50, cite: pCite };
  }
  const wanMs = [...new Set(b.cases.filter((c) => c.kind === 'sweep' && c.latencyMs > 0).map((c) => c.latencyMs))].sort((x, y) => x - y);
  for (const w of wanMs) {
    rows.push(speedRow(`cycle latency p50 with ${w} ms injected per link, ${minClients} client`, sweep(minClients, 'many', w), (c) => ms(c.latency.cycle?.p50, 1)));
  }
  const [scaleRow, setupRow] = scalabilityAndSetupRows(b, locks, href);
  if (scaleRow) rows.push(scaleRow);
  if (setupRow) {
    rows.push(setupRow);
    for (const s of b.setup ?? []) {
      const cite = citeIn(setupRow, locks, s.lock);
      if (cite) factsOf(book, s.lock).setup = { nodesToSurviveOneFailure: s.nodesToSurviveOneFailure, containers: s.containers, memoryBytesAtRest: s.memoryBytesAtRest, readyMs: s.readyMs, cite };
    }
  }
  const fairRow: Row = [
    'ordering / fairness',
    'fairness: all clients on one key',
    locks.map((l) =>
      cellFor(l, (c) => c.kind === 'fairness' && c.fairness !== undefined, (c) => {
        const f = c.kind === 'fairness' ? c.fairness : undefined;
        if (!f) return '–';
        // With no grant at all, Jain = 1 and "in order" = 100% would read as perfect fairness.
        if (f.grants === 0) return `no grant in ${int(c.attempts)} attempts (${f.clients} clients)`;
        return `Jain ${f.jainIndex.toFixed(2)}, ${pct(f.inOrderFraction)} of grants in FIFO order (${f.clients} clients)`;
      }),
    ),
  ];
  rows.push(fairRow);
  for (const l of locks) {
    const c = caseOf(b, l, (x) => x.kind === 'fairness' && x.fairness !== undefined);
    const f = c?.kind === 'fairness' ? c.fairness : undefined;
    const cite = citeIn(fairRow, locks, l);
    if (f && cite) factsOf(book, l).fairness = { inOrderFraction: f.inOrderFraction, jainIndex: f.jainIndex, grants: f.grants, cite };
  }
  const overlapRow: Row = [
    'consistency',
    'overlapping holders in every bench case (no faults)',
    locks.map((l): Cell => {
      const cases = b.cases.filter((c) => c.lock === l && c.overlap);
      if (cases.length === 0) return NO_RUN;
      const bad = cases.filter((c) => c.overlap?.verdict === 'invalid').length;
      return { text: bad === 0 ? `none in ${cases.length} cases` : `${bad} of ${cases.length} cases overlapped`, href, cls: bad === 0 ? 'valid' : 'invalid' };
    }),
  ];
  rows.push(overlapRow);
  for (const l of locks) {
    const cases = b.cases.filter((c) => c.lock === l && c.overlap);
    const cite = citeIn(overlapRow, locks, l);
    if (cases.length > 0 && cite) factsOf(book, l).benchOverlap = { cases: cases.length, overlapped: cases.filter((c) => c.overlap?.verdict === 'invalid').length, cite };
  }
  return rows;
}

function newestChaos(ev: Evidence, lock: string, fault: string, pred: (s: ChaosSource) => boolean = () => true): ChaosSource | undefined {
  return ev.chaos.find((s) => s.scenario.lock === lock && s.scenario.fault === fault && pred(s));
}

function faultCellText(s: ChaosSource): { text: string; cls: string } {
  const r = s.result;
  const ov = r.check.checkers.overlap;
  const lost = r.check.checkers['lost-updates'];
  const resourcePairs = 'views' in ov ? ov.views.resource.definitePairs + ov.views.believed.definitePairs : 0;
  const lostN = 'lost' in lost ? lost.lost : undefined;
  const a = agreement(r);
  const parts = [r.verdict.toUpperCase(), `${resourcePairs} overlap${resourcePairs === 1 ? '' : 's'}`, lostN === undefined ? 'lost updates unknown' : `${lostN} lost`];
  const avail = r.check.checkers.availability;
  const acq = 'byF' in avail ? avail.byF['acquire']?.inFault : undefined;
  const tries = acq ? acq.ok + acq.fail + acq.info : 0;
  if (acq && tries > 0 && r.options.fault !== 'none') parts.push(`acquire ok ${pct(acq.ok / tries)} in faults`);
  if (r.options.fencing) parts.push('fencing on');
  if (r.aborted) parts.push(`stopped early: ${r.aborted.slice(0, 60)}`);
  if (a.agrees === false) parts.push('⚠ unexpected');
  return { text: parts.join('; '), cls: r.verdict };
}

/** The combined figures of several trials of one scenario: the rate first, then what else varied. */
function combinedCellText(s: TrialsStats, runs: readonly ChaosSource[]): { text: string; cls: string } {
  const parts = [rateText(s)];
  const lost = s.lostUpdatesPerTrial.filter((x): x is number => x !== null);
  if (lost.length === 0) parts.push('lost updates unknown');
  else {
    const lo = Math.min(...lost);
    const hi = Math.max(...lost);
    parts.push(lo === hi ? `${lo} lost per trial` : `${lo}–${hi} lost per trial`);
  }
  const shares = runs.flatMap((r) => {
    const avail = r.result.check.checkers.availability;
    const acq = 'byF' in avail ? avail.byF['acquire']?.inFault : undefined;
    const tries = acq ? acq.ok + acq.fail + acq.info : 0;
    return acq && tries > 0 && r.result.options.fault !== 'none' ? [acq.ok / tries] : [];
  });
  if (shares.length > 0) parts.push(`acquire ok ${pct(shares.reduce((a, b) => a + b, 0) / shares.length)} in faults (mean)`);
  if (s.livenessFailures > 0) parts.push(`liveness failed in ${s.livenessFailures}`);
  if (s.incomplete > 0) parts.push(`${s.incomplete} stopped early, not counted`);
  if (s.disagreements > 0) parts.push(`⚠ unexpected in ${s.disagreements}`);
  return { text: parts.join('; '), cls: s.invalid > 0 ? 'invalid' : s.unknown > 0 ? 'unknown' : 'valid' };
}

const outcomeOf = (s: ChaosSource, i: number) => trialOutcome(s.result, i + 1, s.label);

/**
 * Writes results/evidence-trials/<scenario>.md and .html, one line per combined trial with a link
 * to it, and returns the page's path relative to results/.
 */
async function writeTrialsIndex(ev: Evidence, g: ScenarioGroup, s: TrialsStats): Promise<string> {
  const { lock, fault, label } = g.scenario;
  let name = slug(`${lock}-${fault}${label ? `-${label}` : ''}`);
  for (let i = 2; ev.indexNames.has(name); i++) name = `${slug(`${lock}-${fault}${label ? `-${label}` : ''}`)}-${i}`;
  ev.indexNames.add(name);
  const dir = join(ev.resultsDir, TRIALS_INDEX_DIR);
  await mkdir(dir, { recursive: true });
  const rows: Cell[][] = [];
  for (const [i, r] of g.runs.entries()) {
    const t = outcomeOf(r, i);
    const href = relative(dir, join(ev.resultsDir, await linkTo(ev, r.dir, ['report.html', 'summary.md', 'results.json'])));
    const sec = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(3)} s`);
    rows.push([
      { text: r.label, href },
      { text: r.startedAt.slice(0, 19).replace('T', ' ') },
      { text: String(t.seed) },
      { text: t.completed ? t.verdict : `${t.verdict} (stopped early, not counted)`, cls: t.completed ? t.verdict : 'none' },
      { text: String(t.definiteOverlaps) },
      { text: t.lostUpdates === null ? '?' : String(t.lostUpdates) },
      { text: sec(t.firstViolationAfterFaultMs) },
      { text: t.livenessOk === null ? '–' : t.livenessOk ? 'ok' : 'FAILED' },
      { text: sec(t.recovery?.healToFirstGrantMs) },
    ]);
  }
  const table: Table = { headers: ['run', 'started (UTC)', 'seed', 'verdict', 'definite overlaps', 'lost updates', 'first violation after first fault', 'liveness', 'heal → first grant'], rows };
  const title = `${lock} under ${fault}${label ? `, ${label}` : ''}: ${rateText(s)}`;
  const intro = `Every stored run of this scenario (the same lock, fault and outcome options), newest first; the rate counts the runs that finished. The 95% interval is Wilson's.`;
  await writeFile(join(dir, `${name}.md`), [`# ${title}`, '', intro, '', tableMarkdown(table), ''].join('\n'));
  await writeFile(join(dir, `${name}.html`), renderPage({ title, intro: `<p>${esc(intro)}</p>`, sections: [{ heading: 'The trials', side: tableHtml(table) }] }));
  return `${TRIALS_INDEX_DIR}/${name}.html`;
}

/** One cell: a single run's figures, or the rate over every finished trial of the scenario. */
async function scenarioCell(ev: Evidence, g: ScenarioGroup | undefined): Promise<Cell> {
  if (!g) return NO_RUN;
  const finished = g.runs.filter((r) => r.result.aborted === null);
  if (finished.length <= 1) {
    const s = finished[0] ?? g.runs[0];
    if (!s) return NO_RUN;
    return { ...faultCellText(s), href: await linkTo(ev, s.dir, ['report.html', 'summary.md', 'results.json']), title: s.label };
  }
  const stats = aggregateTrials(g.runs.length, g.runs.map(outcomeOf));
  const href = await writeTrialsIndex(ev, g, stats);
  return { ...combinedCellText(stats, finished), href, title: `${finished.length} trials: ${finished.map((r) => r.label).slice(0, 5).join(', ')}${finished.length > 5 ? ', …' : ''}` };
}

/** The verdict counts behind a scenario's cell: the run it shows, or the finished trials it combines. */
function scenarioCounts(g: ScenarioGroup): { completed: number; invalid: number; unknown: number; disagreements: number } {
  const finished = g.runs.filter((r) => r.result.aborted === null);
  const one = finished[0];
  if (finished.length === 1 && one) {
    const v = one.result.verdict;
    return { completed: 1, invalid: v === 'invalid' ? 1 : 0, unknown: v === 'unknown' ? 1 : 0, disagreements: agreement(one.result).agrees === false ? 1 : 0 };
  }
  if (finished.length === 0) return { completed: 0, invalid: 0, unknown: 0, disagreements: 0 };
  const s = aggregateTrials(g.runs.length, g.runs.map(outcomeOf));
  return { completed: s.completed, invalid: s.invalid, unknown: s.unknown, disagreements: s.disagreements };
}

async function chaosRows(ev: Evidence, locks: readonly string[], book: FactsBook): Promise<Row[]> {
  const faults = [...faultKinds, ...new Set(ev.scenarios.map((g) => g.scenario.fault).filter((f) => !(faultKinds as readonly string[]).includes(f)))];
  const rows: Row[] = [];
  for (const fault of faults) {
    const area = fault === 'none' ? 'consistency' : 'behaviour under failure';
    const aspect = fault === 'none' ? 'chaos run without faults' : `under ${fault}`;
    const ofFault = ev.scenarios.filter((g) => g.scenario.fault === fault);
    const cells: Cell[] = [];
    for (const lock of locks) {
      const g = ofFault.find((x) => x.scenario.lock === lock && x.scenario.isDefault);
      const cell = await scenarioCell(ev, g);
      cells.push(cell);
      if (g) factsOf(book, lock).faults.push({ fault, ...scenarioCounts(g), cite: { row: aspect, lock, cell } });
    }
    rows.push([area, aspect, cells]);
    // Runs with other outcome options: a labelled row each, after the default one.
    const labels = [...new Set(ofFault.filter((g) => !g.scenario.isDefault).map((g) => g.scenario.label))].sort();
    for (const label of labels) {
      const variant: Cell[] = [];
      for (const lock of locks) variant.push(await scenarioCell(ev, ofFault.find((g) => g.scenario.lock === lock && !g.scenario.isDefault && g.scenario.label === label)));
      rows.push([area, `${aspect}, ${label}`, variant]);
    }
  }
  return rows;
}

/**
 * How long after a holder was paused another client got its key: the lock's auto-release, as
 * measured. Undefined when no paused client held a lock, or nobody acquired during the pause.
 */
export function releaseDelaysMs(history: readonly Op[]): { delaysMs: number[]; pauses: number } {
  const input = prepareInput(history);
  const { believed } = historyHolds(input.paired.pairs, input.paired.endMs, undefined, input.paired.crashes);
  const delaysMs: number[] = [];
  let pauses = 0;
  // The paused clients are in the value of each start-client-pause completion (the fault's targets).
  const pausedAt = history
    .filter((o) => o.process === 'nemesis' && o.f === 'start-client-pause' && o.type === 'ok')
    .map((o) => ({ timeMs: o.timeMs, clients: ((o.value as { clients?: unknown } | undefined)?.clients ?? []) as number[] }));
  for (const w of input.faults.windows.filter((x) => x.fault === 'client-pause')) {
    const paused = new Set(pausedAt.filter((p) => p.timeMs >= w.startMs && p.timeMs <= w.endMs).flatMap((p) => p.clients));
    const held = believed.filter((h) => h.definite && paused.has(h.process) && h.startMs <= w.startMs && h.endMs > w.startMs);
    for (const h of held) {
      pauses += 1;
      const next = believed.filter((o) => o.key === h.key && o.process !== h.process && o.startMs > w.startMs && o.startMs < w.endMs).sort((a, b) => a.startMs - b.startMs)[0];
      if (next) delaysMs.push(next.startMs - w.startMs);
    }
  }
  return { delaysMs, pauses };
}

async function autoReleaseRow(ev: Evidence, locks: readonly string[]): Promise<Row> {
  const cells: Cell[] = [];
  for (const lock of locks) {
    // A pause that struck no holder says nothing about release; prefer one that did, and one of
    // the default scenario (a shorter pause than the lease shows no release at all).
    const struck = (x: ChaosSource): boolean => x.result.faults.some((f) => f.kind === 'client-pause' && f.metHolder === true);
    const s =
      newestChaos(ev, lock, 'client-pause', (x) => x.scenario.isDefault && struck(x)) ??
      newestChaos(ev, lock, 'client-pause', struck) ??
      newestChaos(ev, lock, 'client-pause');
    if (!s) {
      cells.push(NO_RUN);
      continue;
    }
    const href = await linkTo(ev, s.dir, ['report.html', 'summary.md', 'results.json']);
    let history: Op[];
    try {
      history = (await readJsonlFile<Op>(join(s.dir, 'history.jsonl'), isOp)).records;
    } catch {
      cells.push({ text: 'history.jsonl unreadable', href, cls: 'none' });
      continue;
    }
    const { delaysMs, pauses } = releaseDelaysMs(history);
    const o = s.result.options;
    const lease = storedLockModel(o).lease === 'session' ? `session timeout ${o.sessionTimeoutMs} ms` : `TTL ${o.ttlMs} ms`;
    const text =
      pauses === 0
        ? 'no pause struck a holder'
        : delaysMs.length === 0
          ? `not released: nobody acquired the key during ${pauses} pause(s)`
          : `yes: another client got the key ${(Math.min(...delaysMs) / 1000).toFixed(2)} s after its holder froze (${lease})`;
    cells.push({ text, href, title: s.label });
  }
  return ['auto-release', 'a frozen holder\'s lock is released (client-pause)', cells];
}

const TOKENS_ROW = 'fencing token with each grant';
const PROTECTED_ROW = 'resource protected by fencing (lost updates)';

async function fencingRows(ev: Evidence, locks: readonly string[], book: FactsBook): Promise<Row[]> {
  const tokens: Cell[] = [];
  const protects: Cell[] = [];
  for (const lock of locks) {
    // Clients present tokens to the resource only with --fencing, so only such runs can tell.
    const any = ev.chaos.find((s) => s.result.options.lock === lock && s.result.options.fencing && 'tokenedWrites' in s.result.check.checkers.fencing);
    if (any) {
      const f = any.result.check.checkers.fencing;
      const href = await linkTo(ev, any.dir, ['report.html', 'summary.md', 'results.json']);
      if ('tokenedWrites' in f) {
        const has = f.tokenedWrites > 0;
        const cell: Cell = { text: has ? `yes: ${int(f.tokenedWrites)} writes carried a token; ${f.violations === 0 ? 'tokens strictly increase' : `${f.violations} out of order`}` : 'no token on any write', href, cls: has && f.violations === 0 ? 'valid' : has ? 'invalid' : 'none', title: any.label };
        tokens.push(cell);
        factsOf(book, lock).fencingTokens = { tokenedWrites: f.tokenedWrites, violations: f.violations, cite: { row: TOKENS_ROW, lock, cell } };
      } else tokens.push(NO_RUN);
    } else tokens.push({ ...NO_RUN, text: 'no run with --fencing' });
    const fenced = ev.chaos.find((s) => s.result.options.lock === lock && s.result.options.fencing && s.result.options.fault !== 'none');
    if (fenced) {
      const f = fenced.result.check.checkers.fencing;
      const lost = fenced.result.check.checkers['lost-updates'];
      const href = await linkTo(ev, fenced.dir, ['report.html', 'summary.md', 'results.json']);
      const lostN = 'lost' in lost ? lost.lost : undefined;
      const rejected = 'rejections' in f ? f.rejections : undefined;
      const cell: Cell = {
        text: `under ${fenced.result.options.fault}: ${rejected === undefined ? '?' : int(rejected)} stale writes rejected, ${lostN === undefined ? 'lost updates unknown' : `${lostN} lost updates`}`,
        href,
        cls: lostN === 0 ? 'valid' : lostN === undefined ? 'unknown' : 'invalid',
        title: fenced.label,
      };
      protects.push(cell);
      factsOf(book, lock).fenced = { fault: fenced.result.options.fault, lost: lostN, rejections: rejected, cite: { row: PROTECTED_ROW, lock, cell } };
    } else protects.push({ ...NO_RUN, text: 'no run with --fencing' });
  }
  return [
    ['fencing', TOKENS_ROW, tokens],
    ['fencing', PROTECTED_ROW, protects],
  ];
}

export async function renderEvidence(resultsDirIn: string): Promise<{ md: string; html: string }> {
  const resultsDir = resolve(resultsDirIn);
  const ev = await gather(resultsDir);
  const present = [...(ev.bench?.bench.cases.map((c) => c.lock) ?? []), ...ev.chaos.map((s) => s.scenario.lock)];
  // Index pages of combined trials are rewritten from scratch, so none outlives its scenario.
  await rm(join(resultsDir, TRIALS_INDEX_DIR), { recursive: true, force: true });
  const locks = lockOrder([...KNOWN_LOCKS, ...present]);
  const book = emptyFacts(locks);
  const rows: Row[] = [...(await speedRows(ev, locks, book)), ...(await chaosRows(ev, locks, book)), await autoReleaseRow(ev, locks), ...(await fencingRows(ev, locks, book))];
  const choices = chooseWhich([...book.values()]);
  const areaOrder = ['speed', 'scalability', 'ease of setup', 'consistency', 'behaviour under failure', 'auto-release', 'ordering / fairness', 'fencing'];
  rows.sort((a, b) => areaOrder.indexOf(a[0]) - areaOrder.indexOf(b[0]));
  const table: Table = { headers: ['area', 'what', ...locks.map(lockLabel)], rows: rows.map(([area, aspect, cells]) => [area, aspect, ...cells]), collapse: 'open' };

  const sources: string[] = [];
  if (ev.bench) sources.push(`bench: [${ev.bench.label}](${await linkTo(ev, ev.bench.dir, ['report.html', 'bench.json'])})`);
  else sources.push('bench: no bench run with lock cases under this folder');
  if (ev.matrix) sources.push(`matrix: [${ev.matrix.label}](${await linkTo(ev, ev.matrix.dir, ['report.html', 'matrix.md'])})`);
  else sources.push('matrix: none under this folder');
  sources.push(
    `chaos runs considered: ${ev.chaos.length} in ${ev.scenarios.length} scenario${ev.scenarios.length === 1 ? '' : 's'}; the runs of one scenario (the same lock, fault and outcome options: TTL, restart delay, persistence, fencing, lease check, skew, pause length, partition shape, construction, session timeout, latency) are combined into one cell, and runs with non-default options get their own labelled rows`,
  );
  const intro =
    'Every cell is a figure or verdict measured by stored runs and links to them; "no run" means no stored run supports the cell. A cell that combines several trials of one scenario gives the share that were invalid with its 95% Wilson interval ("invalid in 7 of 10 trials, 40–89%") and links to the list of those trials. Times are ms; a "cycle" is acquire + release.';
  // The seed's comparison ended with "which one should you use?"; so does this one, computed.
  const md = ['# lockbench evidence: Redis, ZooKeeper or etcd for a distributed lock?', '', intro, '', ...sources.map((s) => `- ${s}`), '', tableMarkdown(table), '', choicesMarkdown(choices), ''].join('\n');
  const runsLine = `From ${ev.bench ? `the bench run ${ev.bench.label}` : 'no bench run'} and ${ev.chaos.length} chaos run${ev.chaos.length === 1 ? '' : 's'} in ${ev.scenarios.length} scenario${ev.scenarios.length === 1 ? '' : 's'}.`;

  const sourcesHtml = sources.map((s) => `<li>${esc(s).replace(/\[([^\]]+)\]\(([^)]+)\)/g, (_m, t: string, h: string) => `<a href="${h}">${t}</a>`)}</li>`).join('');
  const html = renderPage({
    title: 'lockbench evidence: Redis, ZooKeeper or etcd for a distributed lock?',
    summary: choicesSummaryHtml(choices, runsLine),
    intro: `<p>${esc(intro)}</p><ul>${sourcesHtml}</ul>`,
    sections: [
      { heading: 'The comparison', side: tableHtml(table) },
      { heading: CHOOSE_HEADING, id: 'choose', side: choicesHtml(choices) },
    ],
  });
  const mdPath = join(resultsDir, 'evidence.md');
  const htmlPath = join(resultsDir, 'evidence.html');
  await writeFile(mdPath, md);
  await writeFile(htmlPath, html);
  return { md: mdPath, html: htmlPath };
}
