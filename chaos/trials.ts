// Repeated trials of one scenario. One seeded run is an anecdote: a lock that broke once may break
// one time in ten, and one that held may just have been lucky. N trials with seeds seed, seed+1, …
// each run as an ordinary chaos run in its own folder (trial-1/, trial-2/, …), and the folder's
// trials.json / trials.md report the violation rate k/N with a 95% Wilson interval, the unknown
// trials beside it, the median time from the first fault to the first violation, lost updates per
// trial, liveness failures and recovery figures.
import { monoMs } from '../core/clock.ts';
import { ExitCode, UsageError, errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { startProgress, type Progress } from '../core/progress.ts';
import { median, wilsonInterval, type ProportionInterval } from '../core/stats.ts';
import { newRunId, openRunDir, type RunDir } from '../core/store.ts';
import { mergeVerdicts, type Verdict } from '../checkers/verdict.ts';
import { lockLabel } from '../locks/labels.ts';
import type { ChaosOptions } from './options.ts';
import type { RecoveryFigures } from './recovery.ts';
import { runChaos, type RunChaosOptions, type ChaosResult } from './runner.ts';
import { agreement } from './summary.ts';

const log = logger('trials');

export const MAX_TRIALS = 100;

/**
 * What a chaos run takes beyond its warm-up and fault phase (cluster reset, workers, recovery,
 * liveness, the check): about 15 s here. Only the progress bar's estimate before the first run
 * ends uses it; the runs that end then give the real figure.
 */
const RUN_OVERHEAD_MS = 15_000;

/** The progress bar's expected time of one chaos run of `o`. */
export function chaosRunEstimateMs(o: { readonly durationMs: number; readonly warmupMs: number }): number {
  return o.warmupMs + o.durationMs + RUN_OVERHEAD_MS;
}

/** --trials as given (undefined = 1), or a usage error that says what to type. */
export function parseTrials(value: number | undefined): number {
  if (value === undefined) return 1;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TRIALS) {
    throw new UsageError(`--trials must be a whole number from 1 to ${MAX_TRIALS}, got ${String(value)} (e.g. --trials 10 runs ten trials with seeds seed, seed+1, …)`);
  }
  return value;
}

/** One trial as trials.json records it. */
export interface TrialOutcome {
  /** 1-based. */
  readonly trial: number;
  readonly seed: number;
  /** The trial's folder, relative to the trials folder; null when the run never started. */
  readonly dir: string | null;
  /** Ran to the end; only completed trials count in the rates. */
  readonly completed: boolean;
  readonly verdict: Verdict | 'not run';
  /** Why the trial stopped early (`interrupted`, or the error), else null. */
  readonly aborted: string | null;
  /** From the first fault's start to the earliest definite overlap in any view; null without either. */
  readonly firstViolationAfterFaultMs: number | null;
  /** Definite overlapping pairs, resource + believed views. */
  readonly definiteOverlaps: number;
  /** null when the lost-updates checker could not tell. */
  readonly lostUpdates: number | null;
  /** Every client passed the liveness check; null when it did not run. */
  readonly livenessOk: boolean | null;
  /** Lock client processes that died on their own during the trial (chaos/result.ts ClientCrash). */
  readonly clientCrashes: number;
  /** Agrees with what is known for the scenario (chaos/expectations.ts); null without an expectation. */
  readonly agrees: boolean | null;
  readonly recovery: RecoveryFigures | null;
  readonly wallMs: number;
}

/** The aggregate over a scenario's trials. */
export interface TrialsStats {
  readonly planned: number;
  /** Trials that ran to the end: the N of every rate. */
  readonly completed: number;
  readonly invalid: number;
  readonly unknown: number;
  readonly valid: number;
  /** Trials that stopped early (Ctrl-C, a fault that did not take effect) or never started. */
  readonly incomplete: number;
  /** invalid / completed, with its 95% Wilson score interval. */
  readonly violationRate: ProportionInterval;
  /** Merged over the completed trials (invalid > unknown > valid); `not run` when none completed. */
  readonly verdict: Verdict | 'not run';
  /** Median over the completed trials that had a definite overlap after a fault. */
  readonly medianFirstViolationMs: number | null;
  readonly trialsWithViolationTime: number;
  /** Per completed trial, in trial order; null where the checker could not tell. */
  readonly lostUpdatesPerTrial: readonly (number | null)[];
  /** Completed trials in which some client failed the liveness check. */
  readonly livenessFailures: number;
  /** Trials (completed or not) in which some lock client process crashed. */
  readonly trialsWithClientCrashes: number;
  /** Completed trials whose result disagrees with what is known. */
  readonly disagreements: number;
  readonly medianHealToFirstGrantMs: number | null;
  readonly maxLongestNoGrantInFaultsMs: number | null;
}

/**
 * From the first fault under study (a construction's background partition is not one) to the
 * first definite overlap. The fault counts from its start op in the history, i.e. from when the
 * nemesis began applying it: `startedMs` is stamped once the fault was verified, and a clock jump
 * can break a lease before that.
 */
export function firstViolationAfterFaultMs(r: Pick<ChaosResult, 'faults' | 'check'>): number | null {
  const ov = r.check.checkers.overlap;
  const studied = r.faults.filter((f) => !f.construction);
  if (!('views' in ov) || studied.length === 0) return null;
  const firsts = Object.values(ov.views)
    .map((v) => v.firstDefiniteAtMs)
    .filter((t): t is number => t !== undefined);
  if (firsts.length === 0) return null;
  const ids = new Set(studied.map((f) => f.id));
  const idOf = (w: { readonly value?: unknown }): unknown => (typeof w.value === 'object' && w.value !== null ? (w.value as { id?: unknown }).id : undefined);
  const begun = r.check.faults.filter((w) => ids.has(idOf(w) as number)).map((w) => w.startMs);
  const startMs = begun.length > 0 ? Math.min(...begun) : Math.min(...studied.map((f) => f.startedMs));
  return Math.min(...firsts) - startMs;
}

export function trialOutcome(r: ChaosResult, trial: number, dir: string | null): TrialOutcome {
  const ov = r.check.checkers.overlap;
  const lost = r.check.checkers['lost-updates'];
  return {
    trial,
    seed: r.options.seed,
    dir,
    completed: r.aborted === null,
    verdict: r.verdict,
    aborted: r.aborted,
    firstViolationAfterFaultMs: firstViolationAfterFaultMs(r),
    definiteOverlaps: 'views' in ov ? ov.views.resource.definitePairs + ov.views.believed.definitePairs : 0,
    lostUpdates: 'lost' in lost ? lost.lost : null,
    livenessOk: r.liveness ? r.liveness.every((l) => l.ok) : null,
    clientCrashes: r.clientCrashes?.length ?? 0,
    agrees: agreement(r).agrees ?? null,
    recovery: r.recovery ?? null,
    wallMs: r.wallMs,
  };
}

/** A trial that never produced a run (the cluster would not start, say). */
export function trialNotRun(trial: number, seed: number, error: string, wallMs: number): TrialOutcome {
  return {
    trial, seed, dir: null, completed: false, verdict: 'not run', aborted: error, firstViolationAfterFaultMs: null, definiteOverlaps: 0,
    lostUpdates: null, livenessOk: null, clientCrashes: 0, agrees: null, recovery: null, wallMs,
  };
}

const present = (xs: readonly (number | null | undefined)[]): number[] => xs.filter((x): x is number => x !== null && x !== undefined);

export function aggregateTrials(planned: number, outcomes: readonly TrialOutcome[]): TrialsStats {
  const done = outcomes.filter((t) => t.completed);
  const count = (v: Verdict): number => done.filter((t) => t.verdict === v).length;
  const invalid = count('invalid');
  const times = present(done.map((t) => t.firstViolationAfterFaultMs));
  const longest = present(done.map((t) => t.recovery?.longestNoGrantInFaultsMs));
  return {
    planned,
    completed: done.length,
    invalid,
    unknown: count('unknown'),
    valid: count('valid'),
    incomplete: outcomes.length - done.length,
    violationRate: wilsonInterval(invalid, done.length),
    verdict: done.length === 0 ? 'not run' : mergeVerdicts(done.map((t) => t.verdict as Verdict)),
    medianFirstViolationMs: median(times),
    trialsWithViolationTime: times.length,
    lostUpdatesPerTrial: done.map((t) => t.lostUpdates),
    livenessFailures: done.filter((t) => t.livenessOk === false).length,
    trialsWithClientCrashes: outcomes.filter((t) => t.clientCrashes > 0).length,
    disagreements: done.filter((t) => t.agrees === false).length,
    medianHealToFirstGrantMs: median(present(done.map((t) => t.recovery?.healToFirstGrantMs))),
    maxLongestNoGrantInFaultsMs: longest.length === 0 ? null : Math.max(...longest),
  };
}

const pct = (x: number): number => Math.round(x * 100);

/** "seeds 21–30", or "seed 21" for one trial. */
export function seedsText(first: number, trials: number): string {
  return trials === 1 ? `seed ${first}` : `seeds ${first}–${first + trials - 1}`;
}

/** "1 trial", "2 trials". */
export const trialsText = (n: number): string => `${n} trial${n === 1 ? '' : 's'}`;

/** "40–89%": the interval as whole percentages. */
export function intervalText(r: ProportionInterval): string {
  return `${pct(r.low)}–${pct(r.high)}%`;
}

/** "invalid in 7 of 10 trials, 40–89%", plus the unknown trials when there are any. */
export function rateText(s: Pick<TrialsStats, 'completed' | 'invalid' | 'unknown' | 'planned' | 'violationRate'>): string {
  if (s.completed === 0) return `no trial completed (of ${s.planned})`;
  const head = `invalid in ${s.invalid} of ${s.completed} trial${s.completed === 1 ? '' : 's'}, ${intervalText(s.violationRate)}`;
  return s.unknown > 0 ? `${head}; ${s.unknown} unknown` : head;
}

/**
 * A trials run's exit code: 1 if any trial was invalid, else 2 if any was unknown, else 255 if a
 * trial did not finish (the harness failed, as for a single run), else 0; 130 after Ctrl-C.
 */
export function trialsExitCode(stats: readonly Pick<TrialsStats, 'invalid' | 'unknown' | 'incomplete'>[], interrupted: boolean): ExitCode {
  if (interrupted) return ExitCode.interrupted;
  if (stats.some((s) => s.invalid > 0)) return ExitCode.invalid;
  if (stats.some((s) => s.unknown > 0)) return ExitCode.unknown;
  if (stats.some((s) => s.incomplete > 0)) return ExitCode.crash;
  return ExitCode.valid;
}

/** trials.json. */
export interface TrialsFile {
  readonly kind: 'trials';
  readonly version: 1;
  readonly id: string;
  readonly lock: string;
  readonly fault: string;
  /** The options of trial 1; trial i runs the same with seed + i − 1. */
  readonly options: ChaosOptions;
  readonly planned: number;
  /** Ctrl-C stopped the trials; the figures cover the trials that ran. */
  readonly interrupted: boolean;
  readonly stats: TrialsStats;
  readonly trials: readonly TrialOutcome[];
  readonly wallMs: number;
}

const sec = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(3)} s`);
const yesNo = (b: boolean | null, yes: string, no: string): string => (b === null ? '–' : b ? yes : no);

/** trials.md: the figures first, then one line per trial. */
export function renderTrials(f: TrialsFile): string {
  const s = f.stats;
  const o = f.options;
  const lines = [`# ${lockLabel(f.lock)} under ${f.fault}: ${rateText(s)}`, ''];
  lines.push(`Trials \`${f.id}\`: ${f.trials.length} of ${f.planned} run (${seedsText(o.seed, f.planned)}), ${o.clients} clients on ${o.keys} key(s), TTL ${o.ttlMs} ms, fencing ${o.fencing ? 'on' : 'off'}, fault phase ${o.durationMs / 1000} s each; wall time ${(f.wallMs / 1000).toFixed(0)} s.`, '');
  if (f.interrupted) lines.push('**Interrupted (Ctrl-C):** the figures cover the trials that ran.', '');
  const lost = s.lostUpdatesPerTrial.map((x) => (x === null ? '?' : String(x))).join(', ') || '–';
  lines.push(
    '| figure | value |',
    '|---|---|',
    `| violation rate (95% Wilson interval) | ${rateText(s)} |`,
    `| unknown | ${s.unknown} of ${s.completed} |`,
    `| did not complete | ${s.incomplete} |`,
    `| first fault → first violation, median | ${sec(s.medianFirstViolationMs)}${s.trialsWithViolationTime > 0 ? ` (over ${s.trialsWithViolationTime} trial${s.trialsWithViolationTime === 1 ? '' : 's'})` : ''} |`,
    `| lost updates per trial | ${lost} |`,
    `| liveness failures | ${s.livenessFailures} of ${s.completed} |`,
    `| trials in which a lock client crashed | ${s.trialsWithClientCrashes} of ${s.planned} |`,
    `| disagrees with what is known | ${s.disagreements} of ${s.completed} |`,
    `| heal → first grant, median | ${sec(s.medianHealToFirstGrantMs)} |`,
    `| longest fault-phase stretch without a grant, max | ${sec(s.maxLongestNoGrantInFaultsMs)} |`,
    '',
  );
  lines.push('| trial | seed | verdict | first violation after first fault | definite overlaps | lost updates | liveness | heal → first grant | longest without a grant | folder |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const t of f.trials) {
    const verdict = t.completed ? t.verdict : `${t.verdict} (stopped early: ${(t.aborted ?? '').replace(/\|/g, '/').slice(0, 80)})`;
    lines.push(
      `| ${t.trial} | ${t.seed} | ${verdict} | ${sec(t.firstViolationAfterFaultMs)} | ${t.definiteOverlaps} | ${t.lostUpdates ?? '?'} | ${yesNo(t.livenessOk, 'ok', 'FAILED')} | ${sec(t.recovery?.healToFirstGrantMs ?? null)} | ${sec(t.recovery?.longestNoGrantInFaultsMs ?? null)} | ${t.dir === null ? '–' : `[${t.dir}](${t.dir}/summary.md)`} |`,
    );
  }
  lines.push('', 'Only trials that ran to the end count in the rates. Each trial folder is an ordinary chaos run (summary.md, results.json, history.jsonl, audit.jsonl).', '');
  return lines.join('\n');
}

export interface TrialsRunOptions {
  readonly signal: AbortSignal;
  readonly mayInstallDocker?: boolean;
  /** The folder for trial-N/, trials.json and trials.md; default results/trials-<lock>-<fault>-<stamp>/. */
  readonly dir?: RunDir;
  /** Names the scenario in progress lines (the matrix and a sweep run many). */
  readonly label?: string;
  /** Each trial against this external target (chaos/runner.ts RunChaosOptions.external). */
  readonly external?: RunChaosOptions['external'];
  /** A matrix's or a sweep's bar, which counts these trials among its steps; without it, a bar of their own. */
  readonly progress?: Progress;
}

export interface TrialsResult {
  readonly dir: string;
  readonly file: TrialsFile;
  /** The chaos results of the trials that produced one, in trial order. */
  readonly results: readonly ChaosResult[];
  readonly markdown: string;
}

/**
 * Runs `planned` trials of `o` one after another, trial i with seed o.seed + i − 1, writing
 * trials.json and trials.md after each so an interrupted run keeps its figures. Ctrl-C stops the
 * current trial the way it stops any chaos run (heal, stop the workers, write its results) and no
 * further trial starts.
 */
export async function runTrials(o: ChaosOptions, planned: number, r: TrialsRunOptions): Promise<TrialsResult> {
  const started = monoMs();
  const parent = r.dir ?? openRunDir(newRunId(`trials-${o.lock}-${o.fault}`));
  const label = r.label ?? `${o.lock} × ${o.fault}`;
  const outcomes: TrialOutcome[] = [];
  const results: ChaosResult[] = [];
  // A function, not the property: Ctrl-C flips it while a trial runs.
  const interrupted = (): boolean => r.signal.aborted;
  using own = r.progress ? undefined : startProgress({ title: 'trials', total: planned, stepEstimateMs: chaosRunEstimateMs(o), signal: r.signal });
  const bar = r.progress ?? own;
  const write = (): { file: TrialsFile; markdown: string } => {
    const file: TrialsFile = {
      kind: 'trials', version: 1, id: parent.id, lock: o.lock, fault: o.fault, options: o, planned,
      interrupted: interrupted(), stats: aggregateTrials(planned, outcomes), trials: outcomes, wallMs: monoMs() - started,
    };
    const markdown = renderTrials(file);
    parent.writeJson('trials.json', file);
    parent.writeText('trials.md', markdown);
    return { file, markdown };
  };
  log.info(`${label}: ${trialsText(planned)}, ${seedsText(o.seed, planned)}; results in ${parent.path}`);
  for (let i = 1; i <= planned; i++) {
    if (interrupted()) break;
    const seed = o.seed + i - 1;
    const trialStart = monoMs();
    log.info(`${label}: trial ${i}/${planned} (seed ${seed})`);
    bar?.begin(`${label}: trial ${i}/${planned}`);
    try {
      const run = openRunDir(`trial-${i}`, parent.path, { linkLatest: false });
      const result = await runChaos({ ...o, seed }, { signal: r.signal, ...(r.mayInstallDocker === undefined ? {} : { mayInstallDocker: r.mayInstallDocker }), runDir: run, ...(r.external ? { external: r.external } : {}) });
      results.push(result);
      outcomes.push(trialOutcome(result, i, `trial-${i}`));
    } catch (err) {
      const error = interrupted() ? 'interrupted' : errorMessage(err);
      log.error(`${label}: trial ${i} did not run: ${error}`);
      outcomes.push(trialNotRun(i, seed, error, monoMs() - trialStart));
    }
    bar?.end();
    const { file } = write();
    const last = outcomes[outcomes.length - 1];
    log.info(`${label}: trial ${i}/${planned} ${last?.completed ? (last.verdict).toUpperCase() : `stopped early (${last?.aborted ?? ''})`}; so far ${rateText(file.stats)}`);
  }
  const { file, markdown } = write();
  return { dir: parent.path, file, results, markdown };
}
