// The runners count and time correctly: checked on a virtual clock against a fake lock of known
// cost, so every expected figure is exact and no assertion depends on the machine's speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runClosedLoop, runOpenLoop, type BenchClient, type LoopSettings } from '../../../bench/cycle-loop.ts';
import { OUTCOME, rowsOf } from '../../../bench/attempts.ts';
import { summarize } from '../../../core/stats.ts';
import { FakeLock, VirtualClock } from './fakes.ts';
import { cappedRate, paced, spacedStarts } from '../../../bench/pace.ts';

function settings(clock: VirtualClock, over: Partial<LoopSettings> = {}): LoopSettings {
  return { warmupMs: 100, durationMs: 1000, ttlMs: 10_000, waitMs: 2000, holdMs: 0, maxCyclesPerClient: 1_000_000, clock, ...over };
}

function clients(clock: VirtualClock, n: number, acquireMs: number, releaseMs: number): BenchClient[] {
  return Array.from({ length: n }, (_, id) => ({ id, lock: new FakeLock(clock, acquireMs, releaseMs), key: `k${id}` }));
}

test('closed loop: 4 clients × (1 ms acquire + 1 ms release) over a 1000 ms window = exactly 2000 cycles', async () => {
  const clock = new VirtualClock();
  const r = await runClosedLoop(clients(clock, 4, 1, 1), settings(clock));
  assert.equal(r.cycles, 2000);
  assert.equal(r.attempts, 2000);
  assert.deepEqual(r.errors, { busy: 0, unavailable: 0, unknown: 0, releaseNotHeld: 0, releaseUnknown: 0 });
  const cycle = summarize(r.histograms.cycle);
  assert.equal(cycle.count, 2000);
  assert.equal(cycle.p50, 2);
  assert.equal(cycle.max, 2);
  assert.equal(summarize(r.histograms.acquire).p50, 1);
  // Closed loop: the scheduled start is the actual start, so wait = acquire and cycle = service.
  assert.equal(summarize(r.histograms.wait).p99, 1);
  assert.equal(summarize(r.histograms.service).p99, 2);
});

test('closed loop: warm-up cycles are run and logged but not counted', async () => {
  const clock = new VirtualClock();
  const r = await runClosedLoop(clients(clock, 1, 2, 3), settings(clock, { warmupMs: 100, durationMs: 500 }));
  // 5 ms per cycle: 20 in the warm-up, 100 in the window.
  assert.equal(r.cycles, 100);
  const rows = [...rowsOf(r.log)];
  assert.equal(rows.length, 120);
  assert.ok(rows.every((row) => row.acquireOutcome === OUTCOME.ok && row.releaseOutcome === OUTCOME.ok));
  assert.equal(r.measureEndMs - r.measureStartMs, 500);
  assert.equal(r.measuredMs, 500);
});

test('closed loop: an abort ends the run early and says how much of the window ran', async () => {
  const clock = new VirtualClock();
  const abort = new AbortController();
  const cs = clients(clock, 1, 1, 1);
  void clock.sleep(300).then(() => abort.abort());
  const r = await runClosedLoop(cs, settings(clock, { warmupMs: 100, durationMs: 1000, signal: abort.signal }));
  assert.equal(r.measuredMs, 200);
  assert.equal(r.cycles, 100);
});

test('closed loop: refused and unknown acquires are counted as errors, never as cycles', async () => {
  const clock = new VirtualClock();
  // Every third acquire is busy, every fifth throws (unknown); the rest succeed.
  const lock = new FakeLock(clock, 1, 1, (n) => (n % 5 === 4 ? 'throw' : n % 3 === 2 ? 'busy' : 'ok'));
  const r = await runClosedLoop([{ id: 0, lock, key: 'k' }], settings(clock, { warmupMs: 0, durationMs: 300 }));
  const rows = [...rowsOf(r.log)];
  assert.equal(r.attempts, rows.filter((x) => x.acquireInvokeMs < 300).length);
  assert.equal(r.cycles, rows.filter((x) => x.acquireOutcome === OUTCOME.ok && x.acquireInvokeMs < 300).length);
  assert.equal(r.errors.busy, rows.filter((x) => x.acquireOutcome === OUTCOME.fail && x.acquireInvokeMs < 300).length);
  assert.equal(r.errors.unknown, rows.filter((x) => x.acquireOutcome === OUTCOME.info && x.acquireInvokeMs < 300).length);
  assert.ok(r.errors.busy > 0 && r.errors.unknown > 0);
  assert.equal(summarize(r.histograms.cycle).count, r.cycles);
});

test('closed loop: the cycle cap bounds the work whatever the duration', async () => {
  const clock = new VirtualClock();
  const r = await runClosedLoop(clients(clock, 2, 1, 1), settings(clock, { warmupMs: 0, durationMs: 60_000, maxCyclesPerClient: 7 }));
  assert.equal(r.cycles, 14);
});

test('open loop below capacity: every request is served on time, latency = service time', async () => {
  const clock = new VirtualClock();
  // 1 client, 10 ms per cycle, one request every 20 ms: never queues.
  const r = await runOpenLoop(clients(clock, 1, 5, 5), { ...settings(clock, { warmupMs: 0, durationMs: 1000 }), ratePerSec: 50, drainMs: 1000 });
  assert.equal(r.offered, 50);
  assert.equal(r.cycles, 50);
  assert.equal(r.unserved, 0);
  assert.equal(summarize(r.histograms.cycle).max, 10);
  assert.equal(summarize(r.histograms.wait).max, 5);
});

test('open loop above capacity: latency counts from the scheduled start, so queueing delay is in it', async () => {
  const clock = new VirtualClock();
  // 1 client, 10 ms per cycle, a request every 5 ms: request k is due at 5k and done at 10(k+1),
  // so it waits 5k ms in the queue before its 10 ms of service.
  const r = await runOpenLoop(clients(clock, 1, 5, 5), { ...settings(clock, { warmupMs: 0, durationMs: 200 }), ratePerSec: 200, drainMs: 10_000 });
  assert.equal(r.offered, 40);
  assert.equal(r.cycles, 40);
  const cycle = summarize(r.histograms.cycle);
  const service = summarize(r.histograms.service);
  assert.equal(service.max, 10, 'each cycle itself still takes 10 ms');
  // The last request (k = 39) is due at 195 ms and done at 400 ms.
  assert.equal(cycle.max, 205);
  assert.ok(cycle.p50 > 5 * service.p50, `queueing must show: cycle p50 ${cycle.p50} vs service p50 ${service.p50}`);
  // Wait (scheduled → grant) includes the queue; acquire (call → grant) does not.
  assert.equal(summarize(r.histograms.acquire).max, 5);
  assert.equal(summarize(r.histograms.wait).max, 200);
});

test('open loop: requests still queued at the drain deadline are reported as unserved', async () => {
  const clock = new VirtualClock();
  const r = await runOpenLoop(clients(clock, 1, 5, 5), { ...settings(clock, { warmupMs: 0, durationMs: 200 }), ratePerSec: 200, drainMs: 50 });
  assert.equal(r.offered, 40);
  assert.ok(r.unserved !== undefined && r.unserved > 0);
  assert.equal(r.cycles + (r.unserved ?? 0), 40);
});

test('closed loop under --max-rate: 4 clients paced to 400 cycles/s run 400 cycles in a 1000 ms window, not 2000', async () => {
  const clock = new VirtualClock();
  const base = settings(clock);
  const r = await runClosedLoop(clients(clock, 4, 1, 1), { ...base, ...paced({ ...base, maxRatePerSec: 400 }, 4) });
  assert.equal(r.cycles, 400);
  // The pause comes after the cycle: its own latency is unchanged.
  assert.equal(summarize(r.histograms.cycle).p50, 2);
  assert.equal(cappedRate(1000, 400), 400);
  assert.equal(cappedRate(100, 400), 100);
  assert.equal(cappedRate(100, undefined), 100);
});

test('shared starts under a cap (the acquires of the held case): each waits 1000/rate ms after the one before, whoever asks', async () => {
  let nowMs = 0;
  const waits: number[] = [];
  const next = spacedStarts(500, { now: () => nowMs, wait: (ms) => Promise.resolve(void waits.push(ms)) });
  // Three lanes asking at the same instant, then one after a pause longer than the gap.
  await Promise.all([next(), next(), next()]);
  assert.deepEqual(waits, [2, 4]);
  nowMs = 50;
  await next();
  assert.deepEqual(waits, [2, 4], 'a start after a long pause waits for nothing');
  await next();
  assert.deepEqual(waits, [2, 4, 2]);
  const free = spacedStarts(undefined, { now: () => 0, wait: () => Promise.reject(new Error('no cap, no wait')) });
  await free();
});
