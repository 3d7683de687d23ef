// Hand-written chaos results (results.json as the runner writes it) for tests of what reads them:
// trial aggregation, the matrix and the evidence table. Only the fields those readers use are real.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveChaosOptions, type ChaosFlags } from '../../chaos/options.ts';
import type { RecoveryFigures } from '../../chaos/recovery.ts';
import type { ChaosResult } from '../../chaos/runner.ts';

export interface FakeRun {
  readonly verdict: 'valid' | 'invalid' | 'unknown';
  /** Definite overlapping pairs in the resource view. */
  readonly overlaps?: number;
  /** Start of the first definite overlap, host ms; the first fault starts at 1000. */
  readonly firstOverlapAtMs?: number;
  readonly lost?: number | null;
  readonly livenessOk?: boolean;
  readonly aborted?: string | null;
  readonly recovery?: RecoveryFigures;
  /** Fencing checker figures, for runs with --fencing. */
  readonly tokenedWrites?: number;
  /** Lock client processes that died on their own during the run. */
  readonly clientCrashes?: ChaosResult['clientCrashes'];
}

function view(definitePairs: number, firstDefiniteAtMs?: number): Record<string, unknown> {
  return {
    verdict: definitePairs > 0 ? 'invalid' : 'valid', skipped: false, holds: 10, possibleHolds: 0, definitePairs, possiblePairs: 0, maxOverlapMs: definitePairs > 0 ? 40 : 0,
    totalDefiniteOverlapMs: 0, keys: [], pairs: [], truncated: false, ...(firstDefiniteAtMs === undefined ? {} : { firstDefiniteAtMs }),
  };
}

export function fakeResult(flags: ChaosFlags, run: FakeRun): ChaosResult {
  const options = resolveChaosOptions({ seed: 1, ...flags });
  const overlaps = run.overlaps ?? (run.verdict === 'invalid' ? 2 : 0);
  const first = overlaps > 0 ? (run.firstOverlapAtMs ?? 3000) : undefined;
  const lost = run.lost === undefined ? 0 : run.lost;
  const result = {
    runId: 'fake',
    dir: '/nowhere',
    verdict: run.verdict,
    options,
    schedule: [],
    faults: options.fault === 'none' ? [] : [{ id: 1, kind: options.fault, construction: false, scheduledAtMs: 0, startedMs: 1000, healedMs: 5000, targets: {} }],
    liveness: [{ clientId: 0, ok: run.livenessOk ?? true, detail: '' }],
    counts: [],
    check: {
      verdict: run.verdict,
      checkers: {
        overlap: { verdict: run.verdict, summary: 'fake', views: { believed: view(0), cut: view(0), resource: view(overlaps, first) } },
        'lost-updates': lost === null ? { verdict: 'unknown', summary: 'no audit', error: 'no audit' } : { verdict: lost > 0 ? 'invalid' : 'valid', summary: 'fake', lost },
        fencing: run.tokenedWrites === undefined ? { verdict: 'valid', summary: 'fake' } : { verdict: 'valid', summary: 'fake', tokenedWrites: run.tokenedWrites, violations: 0, rejections: 1 },
        availability: { verdict: 'valid', summary: 'fake' },
      },
      run: { ops: 0, auditEntries: 0, malformedOps: 0, endMs: 0 },
      faults: [],
    },
    phases: { faults: { startMs: 1000, endMs: 9000 } },
    aborted: run.aborted ?? null,
    wallMs: 30_000,
    ...(run.recovery === undefined ? {} : { recovery: run.recovery }),
    ...(run.clientCrashes === undefined ? {} : { clientCrashes: run.clientCrashes }),
  };
  return result as unknown as ChaosResult;
}

/** Writes <root>/<rel>/results.json and manifest.json for a hand-written run. */
export function writeFakeRun(root: string, rel: string, flags: ChaosFlags, run: FakeRun, startedAt: string): string {
  const dir = join(root, rel);
  mkdirSync(dir, { recursive: true });
  const result = fakeResult(flags, run);
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...result, dir }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ runId: rel, kind: 'chaos', startedAt, options: result.options, seed: result.options.seed }));
  return dir;
}
