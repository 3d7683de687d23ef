// Reads a run folder and says what it is: a bench run (bench.json), a chaos run (history.jsonl,
// with results.json when it finished), a matrix (matrix.json plus one folder per scenario), the
// trials of one scenario (trials.json plus trial-N/ chaos folders) or a sweep (sweep.json plus one
// trials folder per value). Everything the charts and tables need is read here, once.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { BenchResult } from '../bench/results.ts';
import type { MatrixCell } from '../chaos/matrix.ts';
import type { ChaosResult } from '../chaos/runner.ts';
import type { SweepFile } from '../chaos/sweep.ts';
import type { TrialsFile } from '../chaos/trials.ts';
import { readStoredRun } from '../checkers/check-run.ts';
import type { AuditEntry, Op } from '../core/history.ts';

export interface BenchRun {
  readonly kind: 'bench';
  readonly dir: string;
  readonly id: string;
  readonly bench: BenchResult;
}

/** What manifest.json holds that the report uses; a run cut short may have nothing else. */
export interface ChaosManifest {
  readonly runId?: string;
  readonly startedAt?: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface ChaosRun {
  readonly kind: 'chaos';
  readonly dir: string;
  readonly id: string;
  /** null when the run never wrote results.json (it was killed); the checkers are re-run then. */
  readonly result: ChaosResult | null;
  readonly manifest: ChaosManifest | null;
  readonly history: readonly Op[];
  readonly audit: readonly AuditEntry[] | undefined;
}

export interface MatrixFile {
  readonly matrixId: string;
  readonly locks: readonly string[];
  readonly faults: readonly string[];
  readonly cells: readonly MatrixCell[];
  readonly wallMs: number;
  /** Trials per scenario; absent in matrices from before trials (one run each). */
  readonly trials?: number;
}

export interface MatrixRun {
  readonly kind: 'matrix';
  readonly dir: string;
  readonly id: string;
  readonly matrix: MatrixFile;
  /** Scenario sub-folders that hold a chaos run, by name (`<lock>-<fault>`). */
  readonly scenarios: readonly string[];
}

export interface TrialsRun {
  readonly kind: 'trials';
  readonly dir: string;
  readonly id: string;
  readonly trials: TrialsFile;
}

export interface SweepRun {
  readonly kind: 'sweep';
  readonly dir: string;
  readonly id: string;
  readonly sweep: SweepFile;
}

export type LoadedRun = BenchRun | ChaosRun | MatrixRun | TrialsRun | SweepRun;

export type RunKind = LoadedRun['kind'];

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** Older bench.json files (floor only) lack the case lists; missing lists read as empty. */
export function normalizeBench(raw: Partial<BenchResult>, id: string): BenchResult {
  return {
    ...raw,
    runId: raw.runId ?? id,
    kind: 'bench',
    version: 1,
    startedAt: raw.startedAt ?? '',
    wallTimeMs: raw.wallTimeMs ?? 0,
    interrupted: raw.interrupted ?? false,
    options: raw.options ?? {},
    environment: raw.environment ?? {},
    cluster: raw.cluster,
    toxiproxy: raw.toxiproxy,
    floor: raw.floor ?? null,
    lockFloors: raw.lockFloors ?? [],
    wan: raw.wan ?? [],
    cases: raw.cases ?? [],
    goals: raw.goals ?? [],
    violations: raw.violations ?? [],
  };
}

/** Which kind of run a folder holds, or undefined when it holds none. */
export async function detectRunKind(dir: string): Promise<RunKind | undefined> {
  if (await exists(join(dir, 'matrix.json'))) return 'matrix';
  if (await exists(join(dir, 'sweep.json'))) return 'sweep';
  if (await exists(join(dir, 'trials.json'))) return 'trials';
  if (await exists(join(dir, 'bench.json'))) return 'bench';
  if (await exists(join(dir, 'history.jsonl'))) return 'chaos';
  return undefined;
}

/** The scenario folders inside a matrix folder: chaos runs, or trials folders when it ran --trials. */
export async function matrixScenarios(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory() && ((await exists(join(dir, e.name, 'history.jsonl'))) || (await exists(join(dir, e.name, 'trials.json'))))) out.push(e.name);
  }
  return out.sort();
}

export async function loadRun(dirIn: string): Promise<LoadedRun> {
  const dir = resolve(dirIn);
  const id = basename(dir);
  const kind = await detectRunKind(dir);
  switch (kind) {
    case 'bench':
      return { kind, dir, id, bench: normalizeBench(await readJson<Partial<BenchResult>>(join(dir, 'bench.json')), id) };
    case 'matrix':
      return { kind, dir, id, matrix: await readJson<MatrixFile>(join(dir, 'matrix.json')), scenarios: await matrixScenarios(dir) };
    case 'trials':
      return { kind, dir, id, trials: await readJson<TrialsFile>(join(dir, 'trials.json')) };
    case 'sweep':
      return { kind, dir, id, sweep: await readJson<SweepFile>(join(dir, 'sweep.json')) };
    case 'chaos': {
      const resultsPath = join(dir, 'results.json');
      const manifestPath = join(dir, 'manifest.json');
      // The same reader as `lockbench check`: a line torn by a killed writer is skipped, not fatal.
      const stored = await readStoredRun(dir);
      return {
        kind,
        dir,
        id,
        result: (await exists(resultsPath)) ? await readJson<ChaosResult>(resultsPath) : null,
        manifest: (await exists(manifestPath)) ? await readJson<ChaosManifest>(manifestPath) : null,
        history: stored.history,
        audit: stored.audit,
      };
    }
    case undefined:
      throw new Error(`${dir} holds no bench.json, matrix.json, trials.json, sweep.json or history.jsonl`);
  }
}
