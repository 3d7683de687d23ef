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
