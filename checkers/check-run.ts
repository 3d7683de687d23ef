// Runs every checker over one run — in memory (the chaos runner) or from a stored run directory
// (`lockbench check`) — so both paths give the same verdict, and renders a short summary.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAuditEntry, isOp } from '../core/history.ts';
import type { AuditEntry, Op } from '../core/history.ts';
import { errorMessage } from '../core/errors.ts';
import { readJsonlFile } from '../core/jsonl.ts';
import { checkAvailability } from './availability.ts';
import type { AvailabilityResult } from './availability.ts';
import type { FaultWindow } from './fault-windows.ts';
import { checkFencing } from './fencing.ts';
import type { FencingResult } from './fencing.ts';
import { prepareInput } from './input.ts';
import type { CheckInput, RunContext } from './input.ts';
import { checkLostUpdates } from './lost-updates.ts';
import type { LostUpdatesResult } from './lost-updates.ts';
import { checkOverlap } from './overlap.ts';
import type { OverlapPair, OverlapResult, Witness } from './overlap.ts';
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
    /** Lines of the files that were not records (torn by a killed writer, or garbage): skipped. */
    readonly skippedLines: SkippedLines;
    /** Whether fencing was on, as the run's options say (undefined: not recorded). */
    readonly fencing: boolean | undefined;
    readonly endMs: number;
  };
  readonly faults: readonly FaultWindow[];
}

export interface SkippedLines {
  readonly history: number;
  readonly audit: number;
  /** 1-based line numbers of the first skipped lines, per file. */
  readonly historySamples: readonly number[];
  readonly auditSamples: readonly number[];
}

const noSkippedLines: SkippedLines = { history: 0, audit: 0, historySamples: [], auditSamples: [] };

export interface RunCheckOptions extends RunContext {
  /** Lines the readers skipped, to be reported with the verdict. */
  readonly skippedLines?: SkippedLines;
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
    input = prepareInput(history, audit, { fencing: options.fencing });
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
      skippedLines: options.skippedLines ?? noSkippedLines,
      fencing: options.fencing,
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

/** A stored run's files as the checkers read them. */
export interface StoredRun {
  readonly history: Op[];
  readonly audit: AuditEntry[] | undefined;
  readonly skippedLines: SkippedLines;
  /** Whether fencing was on, from manifest.json or results.json; undefined when neither says. */
  readonly fencing: boolean | undefined;
}

/** The run's resolved options, from manifest.json (written first) or results.json. */
async function recordedOptions(dir: string): Promise<Record<string, unknown> | undefined> {
  for (const file of ['manifest.json', 'results.json']) {
    try {
      const parsed = JSON.parse(await readFile(join(dir, file), 'utf8')) as { options?: unknown };
      if (typeof parsed.options === 'object' && parsed.options !== null) return parsed.options as Record<string, unknown>;
    } catch {
      // Missing or unreadable: try the next file; without either the options are not known.
    }
  }
  return undefined;
}

/**
 * Reads a stored run: `<dir>/history.jsonl` (required), `<dir>/audit.jsonl` (optional), and the
 * options the checkers judge by. Lines that are not records are skipped and counted, wherever
 * they are. File errors propagate to the caller, which knows how to tell the user.
 */
export async function readStoredRun(dir: string): Promise<StoredRun> {
  const history = await readJsonlFile<Op>(join(dir, HISTORY_FILE), isOp);
  const auditPath = join(dir, AUDIT_FILE);
  const audit = (await exists(auditPath)) ? await readJsonlFile<AuditEntry>(auditPath, isAuditEntry) : undefined;
  const options = await recordedOptions(dir);
  const fencing = typeof options?.['fencing'] === 'boolean' ? options['fencing'] : undefined;
  return {
    history: history.records,
    audit: audit?.records,
    skippedLines: { history: history.malformedLines, audit: audit?.malformedLines ?? 0, historySamples: history.malformedSamples, auditSamples: audit?.malformedSamples ?? [] },
    fencing,
  };
}

/**
 * Re-runs every checker on a stored run (see readStoredRun). `options.fencing` overrides what the
 * run recorded (for folders without a manifest).
 */
export async function checkRun(dir: string, options: RunCheckOptions = {}): Promise<RunCheckResult> {
  const stored = await readStoredRun(dir);
  const result = runCheckers(stored.history, stored.audit, { ...options, fencing: options.fencing ?? stored.fencing, skippedLines: stored.skippedLines });
  return { ...result, run: { dir, ...result.run } };
}

/** One line saying what the readers skipped, or undefined when they skipped nothing. */
export function skippedLinesNote(s: SkippedLines): string | undefined {
  const parts: string[] = [];
  if (s.history > 0) parts.push(`${s.history} in ${HISTORY_FILE} (line ${s.historySamples.join(', ')}${s.history > s.historySamples.length ? ', …' : ''})`);
  if (s.audit > 0) parts.push(`${s.audit} in ${AUDIT_FILE} (line ${s.auditSamples.join(', ')}${s.audit > s.auditSamples.length ? ', …' : ''})`);
  if (parts.length === 0) return undefined;
  return `skipped ${s.history + s.audit} malformed line${s.history + s.audit === 1 ? '' : 's'}: ${parts.join('; ')} — a writer killed mid-line; the verdict is over the lines that could be read`;
}

/** The verdict's wording for people: upper case, with a note when lines were skipped. */
export function verdictLabel(result: Pick<RunCheckResult, 'verdict' | 'run'>): string {
  const skipped = result.run.skippedLines.history + result.run.skippedLines.audit;
  return `${result.verdict.toUpperCase()}${skipped > 0 ? ` (${skipped} malformed line${skipped === 1 ? '' : 's'} skipped)` : ''}`;
}

/** Every view's witnesses, one per key: the view with the smallest window first. */
export function witnessesOf(overlap: OverlapResult | FailedCheck): Witness[] {
  if (!('views' in overlap)) return [];
  const best = new Map<string, Witness>();
  for (const v of [overlap.views.resource, overlap.views.believed, overlap.views.cut]) {
    for (const w of v.witnesses) {
      const b = best.get(w.key);
      if (b === undefined || w.toMs - w.fromMs < b.toMs - b.fromMs) best.set(w.key, w);
    }
  }
  return [...best.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
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
  lines.push(`${result.run.dir === undefined ? 'run' : result.run.dir}: ${verdictLabel(result)}`);
  const skipped = skippedLinesNote(result.run.skippedLines);
  if (skipped !== undefined) lines.push(`  ${skipped}`);
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
    const witnesses = witnessesOf(overlap);
    if (witnesses.length > 0) {
      lines.push('  smallest window proving each invalid key:');
      for (const w of witnesses.slice(0, examples)) {
        lines.push(`    [${w.view}] key ${w.key}, ${w.fromMs.toFixed(1)}–${w.toMs.toFixed(1)} ms: ${w.events.map((e) => `${e.atMs.toFixed(1)} process ${e.process} ${e.what}`).join('; ')}`);
      }
    }
  }
  return lines.join('\n');
}
