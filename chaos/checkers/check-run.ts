// Runs every checker over one run — in memory (the chaos runner) or from a stored run directory
// (`lockbench check`) — so both paths give the same verdict, and renders a short summary.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry, Op } from '../../core/history.ts';
import { errorMessage } from '../../core/errors.ts';
import { readAllJsonl } from '../../core/jsonl.ts';
import { checkAvailability } from './availability.ts';
import type { AvailabilityResult } from './availability.ts';
import type { FaultWindow } from './fault-windows.ts';
import { checkFencing } from './fencing.ts';
import type { FencingResult } from './fencing.ts';
import { prepareInput } from './input.ts';
import type { CheckInput } from './input.ts';
import { checkLostUpdates } from './lost-updates.ts';
import type { LostUpdatesResult } from './lost-updates.ts';
import { checkOverlap } from './overlap.ts';
import type { OverlapPair, OverlapResult } from './overlap.ts';
import { checkSafe, mergeVerdicts } from './verdict.ts';
import type { CheckerResult, FailedCheck, Verdict } from './verdict.ts';

export const HISTORY_FILE = 'history.jsonl';
export const AUDIT_FILE = 'audit.jsonl';

export interface CheckerResults {
  readonly overlap: OverlapResult | FailedCheck;
  readonly 'lost-updates': LostUpdatesResult | FailedCheck;
  readonly fencing: FencingResult | FailedCheck;
  readonly availability: AvailabilityResult | FailedCheck;
}

export interface RunCheckResult {
  readonly verdict: Verdict;
  readonly checkers: CheckerResults;
  readonly run: {
    readonly dir?: string;
    readonly ops: number;
    /** null when the run has no audit log. */
    readonly auditEntries: number | null;
    /** Completions without an invoke and invokes superseded before completing. */
    readonly malformedOps: number;
    readonly endMs: number;
  };
  readonly faults: readonly FaultWindow[];
}

export interface RunCheckOptions {
  /** Cap on overlap pairs (per view and kind) and other samples kept with details. Default 1000. */
  readonly maxReported?: number;
  /** The resource's value per key before the run. Default 0. */
  readonly initialValue?: number;
}

/** Runs all checkers; a checker that throws yields `unknown` with its error, not a crash. */
export function runCheckers(history: readonly Op[], audit: readonly AuditEntry[] | undefined, options: RunCheckOptions = {}): RunCheckResult {
  // Pairing and fault windows feed every checker; if even they fail, every checker is unknown.
  let input: CheckInput | undefined;
  let prepareFailure: FailedCheck | undefined;
  try {
    input = prepareInput(history, audit);
  } catch (err) {
    const error = errorMessage(err);
    prepareFailure = { verdict: 'unknown', summary: `could not prepare the history: ${error}`, error };
  }
  const run = <T extends CheckerResult>(name: string, check: (i: CheckInput) => T): T | FailedCheck => {
    if (input === undefined) return prepareFailure ?? failed('the history could not be prepared');
    const ready = input;
    return checkSafe(name, () => check(ready));
  };
  const cap = options.maxReported ?? 1000;
  const checkers: CheckerResults = {
    overlap: run('overlap', (i) => checkOverlap(i, { maxReportedPairs: cap })),
    'lost-updates': run('lost-updates', (i) =>
      checkLostUpdates(i, { maxReported: cap, ...(options.initialValue === undefined ? {} : { initialValue: options.initialValue }) }),
    ),
    fencing: run('fencing', (i) => checkFencing(i, { maxReported: cap })),
    availability: run('availability', (i) => checkAvailability(i)),
  };
  return {
    verdict: mergeVerdicts([checkers.overlap.verdict, checkers['lost-updates'].verdict, checkers.fencing.verdict, checkers.availability.verdict]),
    checkers,
    run: {
      ops: history.length,
      auditEntries: audit === undefined ? null : audit.length,
      malformedOps: input?.paired.malformed ?? 0,
      endMs: input?.paired.endMs ?? 0,
    },
    faults: input?.faults.windows ?? [],
  };
}

function failed(error: string): FailedCheck {
  return { verdict: 'unknown', summary: error, error };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Re-runs every checker on a stored run: `<dir>/history.jsonl` (required) and `<dir>/audit.jsonl`
 * (optional: without it the resource view is skipped and lost updates are unknown). File errors
 * propagate to the caller, which knows how to tell the user.
 */
export async function checkRun(dir: string, options: RunCheckOptions = {}): Promise<RunCheckResult> {
  const history = await readAllJsonl<Op>(join(dir, HISTORY_FILE));
  const auditPath = join(dir, AUDIT_FILE);
  const audit = (await exists(auditPath)) ? await readAllJsonl<AuditEntry>(auditPath) : undefined;
  const result = runCheckers(history, audit, options);
  return { ...result, run: { dir, ...result.run } };
}

const fmtMs = (ms: number): string => `${ms.toFixed(1)} ms`;

function describePair(p: OverlapPair): string {
  const faults = p.faults.length === 0 ? 'no fault active' : `during ${[...new Set(p.faults.map((f) => f.fault))].join(', ')}`;
  const kind = p.definite ? 'definite' : 'possible';
  return `${kind} [${p.view}] key ${p.key}: process ${p.a.process} and ${p.b.process} from ${p.fromMs.toFixed(1)} to ${p.toMs.toFixed(1)} (${fmtMs(p.overlapMs)}), ${faults}`;
}

/** A few lines for a terminal: the verdict, one line per checker, and the first overlaps. */
export function renderSummary(result: RunCheckResult, examples = 5): string {
  const lines: string[] = [];
  lines.push(`${result.run.dir === undefined ? 'run' : result.run.dir}: ${result.verdict.toUpperCase()}`);
  for (const [name, r] of Object.entries(result.checkers) as [string, CheckerResult][]) {
    lines.push(`  ${name.padEnd(13)} ${r.verdict.padEnd(8)} ${r.summary}`);
  }
  const counts = new Map<string, number>();
  for (const w of result.faults) counts.set(w.fault, (counts.get(w.fault) ?? 0) + 1);
  const faultText = [...counts].map(([f, n]) => `${f} ×${n}`).join(', ');
  lines.push(`  ${result.run.ops} ops, ${result.run.auditEntries ?? 'no'} audit entries, faults: ${faultText === '' ? 'none' : faultText}${result.run.malformedOps > 0 ? `, ${result.run.malformedOps} malformed ops` : ''}`);
  const overlap = result.checkers.overlap;
  if ('views' in overlap) {
    const all = [overlap.views.believed, overlap.views.cut, overlap.views.resource].flatMap((v) => v.pairs);
    const shown = [...all.filter((p) => p.definite), ...all.filter((p) => !p.definite)].slice(0, examples);
    if (shown.length > 0) {
      lines.push('  first overlaps:');
      for (const p of shown) lines.push(`    ${describePair(p)}`);
    }
  }
  return lines.join('\n');
}
