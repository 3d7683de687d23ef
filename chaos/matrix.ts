// The evidence matrix: every lock × fault scenario, each a bounded chaos run in its own folder
// under results/<matrix-id>/, summarized as matrix.json and matrix.md. A scenario that crashes is
// recorded as not run; the others go on. With --trials N > 1 each scenario folder holds N trials
// (chaos/trials.ts) and its cell reports the violation rate instead of one verdict.
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { startProgress } from '../core/progress.ts';
import { newRunId, openRunDir } from '../core/store.ts';
import { lockLabel } from '../locks/labels.ts';
import { resolveChaosOptions, type ChaosFlags } from './options.ts';
import { runChaos, type ChaosResult } from './runner.ts';
import { agreement } from './summary.ts';
import { faultAppliesTo } from './faults/registry.ts';
import { isLockName, lockSpecs } from '../locks/registry.ts';
import { chaosRunEstimateMs, rateText, runTrials, type TrialsResult, type TrialsStats } from './trials.ts';

const log = logger('matrix');

export interface MatrixCell {
  readonly lock: string;
  readonly fault: string;
  readonly ran: boolean;
  readonly verdict: 'valid' | 'invalid' | 'unknown' | 'not run';
  readonly definiteOverlaps: number;
  readonly possibleOverlaps: number;
  readonly maxOverlapMs: number;
  readonly lostUpdates: number;
  readonly fencingRejections: number;
  /** Acquires that succeeded among those that overlapped a fault window, 0-1; null without faults. */
  readonly acquireSuccessInFault: number | null;
  readonly acquireP99InFaultMs: number | null;
  readonly expected: string;
  readonly agrees: boolean | null;
  readonly livenessOk: boolean | null;
  /** Lock client processes that died on their own (summed over trials); shown beside liveness. */
  readonly clientCrashes: number;
  readonly runDir: string | null;
  readonly error?: string;
  readonly wallMs: number;
  /** With --trials N > 1: the rates over the scenario's trials. The figures above then sum (overlaps, lost updates, rejections), take the worst (max overlap, p99, liveness, agreement) or average (acquire success) over its trials. */
  readonly trials?: TrialsStats;
}

export interface MatrixResult {
  readonly matrixId: string;
  readonly dir: string;
  readonly cells: readonly MatrixCell[];
  readonly wallMs: number;
  readonly markdown: string;
}

export function cellFrom(lock: string, fault: string, r: ChaosResult, wallMs: number): MatrixCell {
  const ov = r.check.checkers.overlap;
  const views = 'views' in ov ? ov.views : undefined;
  const lost = r.check.checkers['lost-updates'];
  const fencing = r.check.checkers.fencing;
  const avail = r.check.checkers.availability;
  const acq = 'byF' in avail ? avail.byF['acquire'] : undefined;
  const inFault = acq?.inFault;
  const attempts = inFault ? inFault.ok + inFault.fail + inFault.info : 0;
  const a = agreement(r);
  return {
    lock,
    fault,
    ran: r.aborted === null,
    verdict: r.verdict,
    definiteOverlaps: views ? views.resource.definitePairs + views.believed.definitePairs : 0,
    possibleOverlaps: views ? views.believed.possiblePairs + views.cut.possiblePairs : 0,
    maxOverlapMs: views ? Math.max(views.resource.maxOverlapMs, views.believed.maxOverlapMs) : 0,
    lostUpdates: 'lost' in lost ? lost.lost : 0,
    fencingRejections: 'rejections' in fencing ? fencing.rejections : 0,
    acquireSuccessInFault: attempts > 0 && inFault ? inFault.ok / attempts : null,
    acquireP99InFaultMs: 'acquireLatencyMs' in avail ? (avail.acquireLatencyMs.okInFault?.p99 ?? null) : null,
    expected: a.expected,
    agrees: a.agrees ?? null,
    livenessOk: r.liveness ? r.liveness.every((l) => l.ok) : null,
    clientCrashes: r.clientCrashes?.length ?? 0,
    runDir: r.dir,
    ...(r.aborted ? { error: r.aborted } : {}),
    wallMs,
  };
}

/** One cell over a scenario's trials (see MatrixCell.trials for how each figure combines). */
export function cellFromTrials(lock: string, fault: string, t: TrialsResult, wallMs: number): MatrixCell {
  const stats = t.file.stats;
  const cells = t.results.filter((r) => r.aborted === null).map((r) => cellFrom(lock, fault, r, r.wallMs));
  const sum = (f: (c: MatrixCell) => number): number => cells.reduce((n, c) => n + f(c), 0);
  const worst = (f: (c: MatrixCell) => number | null): number | null => {
    const xs = cells.map(f).filter((x): x is number => x !== null);
    return xs.length === 0 ? null : Math.max(...xs);
  };
  const successes = cells.map((c) => c.acquireSuccessInFault).filter((x): x is number => x !== null);
  const agrees = cells.map((c) => c.agrees).filter((x): x is boolean => x !== null);
  const live = cells.map((c) => c.livenessOk).filter((x): x is boolean => x !== null);
  const firstError = t.file.trials.find((x) => !x.completed)?.aborted;
  return {
    lock,
    fault,
    ran: stats.completed > 0 && stats.incomplete === 0,
    verdict: stats.verdict,
    definiteOverlaps: sum((c) => c.definiteOverlaps),
    possibleOverlaps: sum((c) => c.possibleOverlaps),
    maxOverlapMs: worst((c) => c.maxOverlapMs) ?? 0,
    lostUpdates: sum((c) => c.lostUpdates),
    fencingRejections: sum((c) => c.fencingRejections),
    acquireSuccessInFault: successes.length === 0 ? null : successes.reduce((a, b) => a + b, 0) / successes.length,
    acquireP99InFaultMs: worst((c) => c.acquireP99InFaultMs),
    expected: cells[0]?.expected ?? '',
    agrees: agrees.length === 0 ? null : agrees.every(Boolean),
    livenessOk: live.length === 0 ? null : live.every(Boolean),
    clientCrashes: t.results.reduce((n, r) => n + (r.clientCrashes?.length ?? 0), 0),
    runDir: t.dir,
    ...(firstError !== undefined && firstError !== null ? { error: firstError } : {}),
    wallMs,
    trials: stats,
  };
}

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(0)}%`);
const sec = (ms: number | null): string => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);

/** A cell of the lock × fault grid in matrix.md. */
function gridText(c: MatrixCell): string {
  if (c.trials) return `${rateText(c.trials)}${c.agrees === false ? ' ⚠' : ''}`;
  return c.ran ? `${c.verdict} (${c.definiteOverlaps}/${c.lostUpdates})${c.agrees === false ? ' ⚠' : ''}` : 'not run';
}

export function renderMatrix(cells: readonly MatrixCell[], locks: readonly string[], faults: readonly string[], wallMs: number): string {
  const at = (l: string, f: string): MatrixCell | undefined => cells.find((c) => c.lock === l && c.fault === f);
  const withTrials = cells.some((c) => c.trials !== undefined);
  const legend = withTrials ? 'Violation rate per scenario over its trials, with the 95% Wilson interval.' : 'Verdict per scenario (resource overlaps / lost updates).';
  const lines = ['# Lock × fault matrix', '', `Wall time ${(wallMs / 1000).toFixed(0)} s. ${legend}`, ''];
  lines.push(`| lock | ${faults.join(' | ')} |`, `|---|${faults.map(() => '---').join('|')}|`);
  for (const l of locks) {
    lines.push(`| ${lockLabel(l)} | ${faults.map((f) => {
      const c = at(l, f);
      return c ? gridText(c) : applies(l, f) ? '' : 'n/a';
    }).join(' | ')} |`);
  }
  lines.push('', `⚠ = disagrees with what is known${withTrials ? ' in at least one trial' : ''} (see the scenario's summary.md${withTrials ? ' or trials.md' : ''}).`, '');
  if (withTrials) {
    lines.push('| lock | fault | violation rate | unknown | first fault → first violation, median | lost updates per trial | liveness failures | heal → first grant, median | longest without a grant, max | expected | agrees | trials |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const c of cells) {
      const t = c.trials;
      if (!t) continue;
      const lost = t.lostUpdatesPerTrial.map((x) => (x === null ? '?' : String(x))).join(', ') || '–';
      lines.push(
        `| ${lockLabel(c.lock)} | ${c.fault} | ${rateText(t)} | ${t.unknown} of ${t.completed} | ${sec(t.medianFirstViolationMs)} | ${lost} | ${t.livenessFailures} of ${t.completed}${crashNote(c)} | ${sec(t.medianHealToFirstGrantMs)} | ${sec(t.maxLongestNoGrantInFaultsMs)} | ${c.expected} | ${c.agrees === null ? '–' : c.agrees ? 'yes' : 'NO'} | ${c.runDir ?? c.error ?? ''} |`,
      );
    }
    lines.push('', 'Figures summed over each scenario\'s trials:', '');
  }
  lines.push('| lock | fault | verdict | definite overlaps | possible | max overlap ms | lost updates | fencing rejections | acquire ok in faults | acquire p99 in faults ms | liveness | expected | agrees | run |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of cells) {
    lines.push(
      `| ${lockLabel(c.lock)} | ${c.fault} | ${c.verdict} | ${c.definiteOverlaps} | ${c.possibleOverlaps} | ${c.maxOverlapMs.toFixed(0)} | ${c.lostUpdates} | ${c.fencingRejections} | ${pct(c.acquireSuccessInFault)} | ${c.acquireP99InFaultMs?.toFixed(1) ?? '–'} | ${livenessText(c)} | ${c.expected} | ${c.agrees === null ? '–' : c.agrees ? 'yes' : 'NO'} | ${c.runDir ?? c.error ?? ''} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Does `fault` apply to registry lock `lock`? A failover fault needs a lock on a system with failover; such cells read n/a. */
export function applies(lock: string, fault: string): boolean {
  return !isLockName(lock) || faultAppliesTo(fault, lockSpecs[lock].model) === undefined;
}

export interface MatrixOptions {
  readonly locks: readonly string[];
  readonly faults: readonly string[];
  readonly base: ChaosFlags;
  readonly signal: AbortSignal;
  readonly mayInstallDocker: boolean;
  /** Trials per scenario (default 1: one chaos run per scenario folder, as before trials existed). */
  readonly trials?: number;
}

/** Bounded durations for the matrix, unless the user chose them. */
const MATRIX_DURATION_MS = 20_000;
const MATRIX_WARMUP_MS = 3000;

export async function runMatrix(m: MatrixOptions): Promise<MatrixResult> {
  const started = monoMs();
  const matrix = openRunDir(newRunId('matrix'));
  const cells: MatrixCell[] = [];
  const trials = m.trials ?? 1;
  const write = (): string => {
    const markdown = renderMatrix(cells, m.locks, m.faults, monoMs() - started);
    matrix.writeJson('matrix.json', { matrixId: matrix.id, locks: m.locks, faults: m.faults, trials, cells, wallMs: monoMs() - started });
    matrix.writeText('matrix.md', markdown);
    return markdown;
  };
  const scenarios = m.locks.flatMap((lock) => m.faults.filter((fault) => applies(lock, fault)).map((fault) => ({ lock, fault })));
  // One step per chaos run: a scenario, or each of its trials.
  const estimateMs = chaosRunEstimateMs({ durationMs: m.base.durationMs ?? MATRIX_DURATION_MS, warmupMs: m.base.warmupMs ?? MATRIX_WARMUP_MS });
  using bar = startProgress({ title: 'matrix', total: scenarios.length * trials, stepEstimateMs: estimateMs, signal: m.signal });
  for (const lock of m.locks) {
    for (const fault of m.faults) {
      if (m.signal.aborted) break;
      if (!applies(lock, fault)) continue;
      const cellStart = monoMs();
      const o = resolveChaosOptions({ durationMs: MATRIX_DURATION_MS, warmupMs: MATRIX_WARMUP_MS, ...m.base, lock, fault });
      log.info(`scenario ${cells.length + 1}/${scenarios.length}: ${lock} × ${fault}`);
      try {
        const run = openRunDir(`${lock}-${fault}`, matrix.path, { linkLatest: false });
        if (trials > 1) {
          const t = await runTrials(o, trials, { signal: m.signal, mayInstallDocker: m.mayInstallDocker, dir: run, label: `${lock} × ${fault}`, progress: bar });
          cells.push(cellFromTrials(lock, fault, t, monoMs() - cellStart));
        } else {
          bar.begin(`${lock} × ${fault}`);
          try {
            const r = await runChaos(o, { signal: m.signal, mayInstallDocker: m.mayInstallDocker, runDir: run });
            cells.push(cellFrom(lock, fault, r, monoMs() - cellStart));
          } finally {
            bar.end();
          }
        }
      } catch (err) {
        log.error(`${lock} × ${fault} did not run: ${errorMessage(err)}`);
        cells.push({
          lock, fault, ran: false, verdict: 'not run', definiteOverlaps: 0, possibleOverlaps: 0, maxOverlapMs: 0, lostUpdates: 0, fencingRejections: 0,
          acquireSuccessInFault: null, acquireP99InFaultMs: null, expected: '', agrees: null, livenessOk: null, clientCrashes: 0, runDir: null, error: errorMessage(err), wallMs: monoMs() - cellStart,
        });
      }
      write();
    }
  }
  const markdown = write();
  return { matrixId: matrix.id, dir: matrix.path, cells, wallMs: monoMs() - started, markdown };
}

const crashNote = (c: MatrixCell): string => (c.clientCrashes > 0 ? ` (${c.clientCrashes} client crash${c.clientCrashes === 1 ? '' : 'es'})` : '');

/** ok / FAILED / –, and how many lock client processes crashed (they are left out of the check). */
function livenessText(c: MatrixCell): string {
  return `${c.livenessOk === null ? '–' : c.livenessOk ? 'ok' : 'FAILED'}${crashNote(c)}`;
}
