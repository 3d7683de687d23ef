// Sensitivity sweeps: the same scenario at several values of one parameter (pause length, TTL,
// clock jump, restart delay, ...), N trials at each, so a violation rate becomes a curve against
// the parameter instead of one verdict. Each value's trials sit in <param>=<value>/ under the
// sweep folder, with sweep.json and sweep.md beside them; every value reuses the same seeds, so
// the values differ only by the parameter.
import { monoMs } from '../core/clock.ts';
import { UsageError, errorMessage, type ExitCode } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { startProgress } from '../core/progress.ts';
import { newRunId, openRunDir } from '../core/store.ts';
import { resolveChaosOptions, type ChaosFlags, type ChaosOptions } from './options.ts';
import { chaosRunEstimateMs, rateText, runTrials, seedsText, trialsExitCode, trialsText, type TrialsStats } from './trials.ts';

const log = logger('sweep');

/** Sweepable parameters: the CLI flag's name → the option it sets, and its unit. */
export const SWEEP_PARAMS = {
  'pause-multiple': { field: 'pauseMultiple', unit: '× lease', axis: 'pause length (multiple of the TTL / session timeout)' },
  ttl: { field: 'ttlMs', unit: 'ms', axis: 'lock TTL (ms)' },
  skew: { field: 'skewMs', unit: 'ms', axis: 'clock jump (ms)' },
  'restart-delay': { field: 'restartDelayMs', unit: 'ms', axis: 'restart delay after a crash (ms)' },
  'session-timeout': { field: 'sessionTimeoutMs', unit: 'ms', axis: 'ZooKeeper session timeout (ms)' },
  latency: { field: 'latencyMs', unit: 'ms', axis: 'injected latency (ms)' },
} as const satisfies Record<string, { field: keyof ChaosOptions; unit: string; axis: string }>;

export type SweepParam = keyof typeof SWEEP_PARAMS;
export const sweepParamNames = Object.keys(SWEEP_PARAMS) as SweepParam[];
const isSweepParam = (p: string): p is SweepParam => Object.hasOwn(SWEEP_PARAMS, p);

export const MAX_SWEEP_VALUES = 20;

export interface SweepSpec {
  readonly param: SweepParam;
  readonly values: readonly number[];
}

const example = '--sweep pause-multiple=0.5,1,2,4';

/** `PARAM=V1,V2,…` → the parameter and its values, or a usage error that says what to type. */
export function parseSweep(spec: string): SweepSpec {
  const eq = spec.indexOf('=');
  const param = (eq < 0 ? spec : spec.slice(0, eq)).trim();
  if (!isSweepParam(param)) {
    throw new UsageError(`--sweep takes PARAM=V1,V2,… with PARAM one of ${sweepParamNames.join(', ')}; got '${spec}' (e.g. ${example})`);
  }
  const raw = eq < 0 ? [] : spec.slice(eq + 1).split(',').map((v) => v.trim());
  if (raw.length < 2 || raw.some((v) => v === '')) throw new UsageError(`--sweep ${param}= needs at least two comma-separated values, got '${spec}' (e.g. ${example})`);
  if (raw.length > MAX_SWEEP_VALUES) throw new UsageError(`--sweep takes at most ${MAX_SWEEP_VALUES} values, got ${raw.length}`);
  const values = raw.map((v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--sweep ${param}: '${v}' is not a number (values are in ${SWEEP_PARAMS[param].unit}, e.g. ${example})`);
    return n;
  });
  if (new Set(values).size !== values.length) throw new UsageError(`--sweep ${param}: a value is repeated in '${raw.join(',')}'; list each value once`);
  return { param, values };
}

/** The folder of one value's trials. */
export const pointDir = (param: SweepParam, value: number): string => `${param}=${value}`;

export interface SweepPoint {
  readonly value: number;
  readonly options: ChaosOptions;
}

/**
 * Resolves and validates the options at every value before anything runs, so a bad value is a
 * usage error now rather than after an hour of trials. Every value gets the same seed.
 */
export function sweepPoints(base: ChaosFlags, sweep: SweepSpec): SweepPoint[] {
  const field = SWEEP_PARAMS[sweep.param].field;
  if (base[field] !== undefined) throw new UsageError(`--sweep ${sweep.param}=… sets --${sweep.param} for every value; drop --${sweep.param}, or drop --sweep`);
  const seed = base.seed ?? Math.floor(Math.random() * 2 ** 31);
  return sweep.values.map((value) => {
    try {
      return { value, options: resolveChaosOptions({ ...base, seed, [field]: value }) };
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`--sweep ${sweep.param}=${value}: ${err.message}`);
      throw err;
    }
  });
}

/** One value of sweep.json. */
export interface SweepPointResult {
  readonly value: number;
  /** Its trials folder, relative to the sweep folder. */
  readonly dir: string;
  readonly options: ChaosOptions;
  readonly stats: TrialsStats;
}

/** sweep.json. */
export interface SweepFile {
  readonly kind: 'sweep';
  readonly version: 1;
  readonly id: string;
  readonly lock: string;
  readonly fault: string;
  readonly param: SweepParam;
  /** The option the parameter sets (chaos/options.ts). */
  readonly field: string;
  readonly unit: string;
  readonly values: readonly number[];
  readonly trialsPerValue: number;
  /** Trial i at every value runs with seed + i − 1. */
  readonly seed: number;
  readonly interrupted: boolean;
  readonly points: readonly SweepPointResult[];
  readonly wallMs: number;
}

const sec = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(3)} s`);

export function renderSweep(f: SweepFile): string {
  const lines = [`# ${f.lock} under ${f.fault}: violation rate against ${f.param}`, ''];
  lines.push(`Sweep \`${f.id}\`: ${trialsText(f.trialsPerValue)} at each of ${f.values.length} values of --${f.param} (${f.unit}), ${seedsText(f.seed, f.trialsPerValue)} at every value; wall time ${(f.wallMs / 1000).toFixed(0)} s. The chart is charts/sweep-rate.svg (report.html).`, '');
  if (f.interrupted) lines.push('**Interrupted (Ctrl-C):** the values below ran; the rest did not.', '');
  lines.push(`| ${f.param} | violation rate (95% Wilson interval) | unknown | first fault → first violation, median | lost updates per trial | liveness failures | heal → first grant, median | longest without a grant, max | trials |`, '|---|---|---|---|---|---|---|---|---|');
  for (const p of f.points) {
    const s = p.stats;
    const lost = s.lostUpdatesPerTrial.map((x) => (x === null ? '?' : String(x))).join(', ') || '–';
    lines.push(`| ${p.value} | ${rateText(s)} | ${s.unknown} of ${s.completed} | ${sec(s.medianFirstViolationMs)} | ${lost} | ${s.livenessFailures} of ${s.completed} | ${sec(s.medianHealToFirstGrantMs)} | ${sec(s.maxLongestNoGrantInFaultsMs)} | [${p.dir}](${p.dir}/trials.md) |`);
  }
  lines.push('');
  return lines.join('\n');
}

export interface SweepResult {
  readonly dir: string;
  readonly file: SweepFile;
  readonly markdown: string;
  readonly exitCode: ExitCode;
}

export async function runSweep(sweep: SweepSpec, points: readonly SweepPoint[], trials: number, r: { signal: AbortSignal; mayInstallDocker?: boolean }): Promise<SweepResult> {
  const started = monoMs();
  const first = points[0];
  if (!first) throw new UsageError('--sweep needs at least one value');
  const o = first.options;
  const dir = openRunDir(newRunId(`sweep-${o.lock}-${o.fault}-${sweep.param}`));
  const results: SweepPointResult[] = [];
  const write = (): { file: SweepFile; markdown: string } => {
    const spec = SWEEP_PARAMS[sweep.param];
    const file: SweepFile = {
      kind: 'sweep', version: 1, id: dir.id, lock: o.lock, fault: o.fault, param: sweep.param, field: spec.field, unit: spec.unit,
      values: sweep.values, trialsPerValue: trials, seed: o.seed, interrupted: r.signal.aborted, points: results, wallMs: monoMs() - started,
    };
    const markdown = renderSweep(file);
    dir.writeJson('sweep.json', file);
    dir.writeText('sweep.md', markdown);
    return { file, markdown };
  };
  log.info(`sweep of ${o.lock} × ${o.fault} over ${sweep.param} = ${sweep.values.join(', ')}, ${trialsText(trials)} each; results in ${dir.path}`);
  let incomplete = 0;
  // One step per trial, across the values.
  using bar = startProgress({ title: 'sweep', total: points.length * trials, stepEstimateMs: chaosRunEstimateMs(o), signal: r.signal });
  for (const [i, p] of points.entries()) {
    if (r.signal.aborted) break;
    const name = pointDir(sweep.param, p.value);
    log.info(`value ${i + 1}/${points.length}: ${name}`);
    try {
      const t = await runTrials(p.options, trials, { signal: r.signal, ...(r.mayInstallDocker === undefined ? {} : { mayInstallDocker: r.mayInstallDocker }), dir: openRunDir(name, dir.path, { linkLatest: false }), label: `${o.lock} × ${o.fault}, ${name}`, progress: bar });
      results.push({ value: p.value, dir: name, options: p.options, stats: t.file.stats });
    } catch (err) {
      // runTrials records failed trials itself; this is a failure around them (the folder, say).
      incomplete += 1;
      log.error(`${name} did not run: ${errorMessage(err)}`);
    }
    write();
  }
  const { file, markdown } = write();
  const stats = [...file.points.map((p) => p.stats), ...(incomplete > 0 ? [{ invalid: 0, unknown: 0, incomplete }] : [])];
  return { dir: dir.path, file, markdown, exitCode: trialsExitCode(stats, r.signal.aborted) };
}
