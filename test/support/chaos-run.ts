// A short chaos run for Docker tests: seeded, a 2 s warm-up, and a run that stopped early is a
// failed test rather than a verdict.
import assert from 'node:assert/strict';
import { resolveChaosOptions, type ChaosFlags } from '../../chaos/options.ts';
import { runChaos, type ChaosResult } from '../../chaos/runner.ts';

const never = new AbortController().signal;

export async function shortChaos(flags: Omit<ChaosFlags, 'seed'> & { seed?: number }, seed = 7): Promise<ChaosResult> {
  const r = await runChaos(resolveChaosOptions({ warmupMs: 2000, seed, ...flags }), { signal: never });
  assert.equal(r.aborted, null, `the run stopped early: ${r.aborted ?? ''}`);
  return r;
}

/** Definite overlapping pairs the resource saw (-1 when the checker did not get that far). */
export function resourceOverlaps(r: ChaosResult): number {
  const ov = r.check.checkers.overlap;
  return 'views' in ov ? ov.views.resource.definitePairs : -1;
}

/** Acknowledged updates missing from the resource's final value (-1 when not checked). */
export function lostUpdates(r: ChaosResult): number {
  const l = r.check.checkers['lost-updates'];
  return 'lost' in l ? l.lost : -1;
}
