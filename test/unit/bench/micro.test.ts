// The micro case under --max-rate (an external target), with a lock that answers at once: the run
// makes exactly the count of cycles that fits the duration at the cap, and a cap the lock cannot
// reach ends at its wall-clock deadline with every figure a number (a NaN cannot cross the
// worker's channel). Only counts and finiteness are asserted, never a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../core/clock.ts';
import { runMicro } from '../../../bench/micro.ts';
import { FakeLock } from './fakes.ts';

const client = () => ({ id: 0, key: 'k', lock: new FakeLock(systemClock, 0, 0) });
const base = { warmupMs: 50, durationMs: 200, ttlMs: 1000, waitMs: 100 };

test('under a cap it can keep: the cycle count that fits the duration at the cap, nothing more', async () => {
  const r = await runMicro(client(), { ...base, maxRatePerSec: 100 });
  assert.equal(r.cycles, 20, '200 ms at 100 cycles/s');
  assert.ok(Number.isFinite(r.tinybench.p50Ms) && Number.isFinite(r.tinybench.meanMs));
});

test('under a cap far above the lock, the deadline ends the run, and every figure is a number', async () => {
  const r = await runMicro(client(), { ...base, maxRatePerSec: 1_000_000 });
  assert.ok(r.cycles > 0 && r.cycles <= 200_000, `${r.cycles} cycles`);
  for (const [k, v] of Object.entries(r.tinybench)) if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k}: ${v}`);
  assert.notEqual((JSON.parse(JSON.stringify(r.tinybench)) as { p99Ms: unknown }).p99Ms, null, 'p99 survives JSON');
});
