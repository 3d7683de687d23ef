// The chaos runs the evidence table draws on: every run folder with a results.json under results/,
// wherever it sits (chaos-*/, matrix-*/<scenario>/, matrix-*/<scenario>/trial-N/, trials-*/trial-N/,
// sweep-*/<param>=<value>/trial-N/), grouped by scenario (chaos/scenario.ts) so that only trials of
// the same scenario are ever combined into one cell.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ChaosResult } from '../chaos/runner.ts';
import { scenarioOf, type Scenario } from '../chaos/scenario.ts';

/** Top-level folders that hold chaos runs, by the prefix their run ids start with. */
const RUN_PREFIXES = ['chaos-', 'matrix-', 'trials-', 'sweep-'];
/** results/<sweep>/<value>/trial-N is the deepest layout. */
const MAX_DEPTH = 3;
/** Folders inside a run that never hold another run. */
const NOT_RUNS = new Set(['charts', 'nodes']);

export interface StoredChaosRun {
  /** Absolute folder. */
  readonly dir: string;
  /** The folder relative to results/, e.g. matrix-…/redis-crash/trial-2. */
  readonly label: string;
  readonly result: ChaosResult;
  /** ISO wall time the run started (manifest.json), or its id's stamp; orders runs newest first. */
  readonly startedAt: string;
  readonly scenario: Scenario;
}

export interface ScenarioGroup {
  readonly scenario: Scenario;
  /** Newest first. */
  readonly runs: readonly StoredChaosRun[];
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A run id's UTC stamp (yyyymmdd-hhmmssZ) as ISO time, for runs whose manifest is missing. */
function stampTime(name: string): string {
  const m = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})Z/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : '';
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !NOT_RUNS.has(e.name)).map((e) => e.name);
  } catch {
    return [];
  }
}

/** Every finished chaos run under `resultsDir` (a run killed before results.json is left out), newest first. */
export async function findChaosRuns(resultsDir: string): Promise<StoredChaosRun[]> {
  const out: StoredChaosRun[] = [];
  const visit = async (dir: string, topName: string, depth: number): Promise<void> => {
    const result = await readJson<ChaosResult>(join(dir, 'results.json'));
    if (result?.options !== undefined && typeof result.verdict === 'string') {
      const manifest = await readJson<{ startedAt?: unknown; options?: Record<string, unknown> }>(join(dir, 'manifest.json'));
      const startedAt = typeof manifest?.startedAt === 'string' ? manifest.startedAt : stampTime(topName);
      out.push({ dir, label: relative(resultsDir, dir), result, startedAt, scenario: scenarioOf({ ...manifest?.options, ...result.options }) });
      return;
    }
    if (depth >= MAX_DEPTH) return;
    for (const name of await subfolders(dir)) await visit(join(dir, name), topName, depth + 1);
  };
  for (const name of (await subfolders(resultsDir)).filter((n) => RUN_PREFIXES.some((p) => n.startsWith(p)))) await visit(join(resultsDir, name), name, 0);
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.label.localeCompare(a.label, 'en', { numeric: true }));
}

/** Runs of one scenario together, in the order of each scenario's newest run. */
export function groupByScenario(runs: readonly StoredChaosRun[]): ScenarioGroup[] {
  const groups = new Map<string, { scenario: Scenario; runs: StoredChaosRun[] }>();
  for (const r of runs) {
    const g = groups.get(r.scenario.key);
    if (g) g.runs.push(r);
    else groups.set(r.scenario.key, { scenario: r.scenario, runs: [r] });
  }
  return [...groups.values()];
}
