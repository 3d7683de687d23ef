// Floors, efficiency, goals and the assembled bench.json / table, from synthetic measurements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleResult } from '../../../bench/assemble.ts';
import { failedCase, floorError, httpCase, loopCase, microCase, refloored, type CaseTiming } from '../../../bench/case-result.ts';
import { overlapOf } from '../../../bench/attempts.ts';
import { AttemptLog, OUTCOME } from '../../../bench/attempts.ts';
import { caseFloor, efficiency, kthFastest, lockFloorRow, type FloorFigures } from '../../../bench/efficiency.ts';
import { fixedFigures } from './floor-fixture.ts';
import { evaluateGoals } from '../../../bench/goals.ts';
import { planCases, suiteOptions, type CaseSpec } from '../../../bench/plan.ts';
import type { BenchResult, CaseResult, FloorResult, HttpFigures } from '../../../bench/results.ts';
import type { LoopOutcome } from '../../../bench/drive.ts';
import { renderBench } from '../../../bench/table.ts';
import { noErrors } from '../../../bench/cycle-loop.ts';
import { latencyHistogram, recordMs, summarize } from '../../../core/stats.ts';

// The fixture bench/efficiency.test.ts pins every lock's floors on.
const figures: FloorFigures = fixedFigures();

/** The fixed figures with Redis's raw pairs at 16 connections set to `pairs16`. */
function figuresWithPairs(pairs16: number): FloorFigures {
  const redis = figures.systems['redis'];
  assert.ok(redis);
  return { systems: { ...figures.systems, redis: { ...redis, pairsPerSec: new Map([...redis.pairsPerSec, [16, pairs16]]) } } };
}
test('each lock’s latency floor follows its round trips and writes', () => {
  assert.equal(lockFloorRow('redis', figures)?.latencyMs, 0.2);
  // Redlock waits for the 3rd fastest of 5 masters (0.3 ms), twice.
  assert.equal(kthFastest(figures.systems['redis']?.nodesRttMs ?? [], 3), 0.3);
  assert.equal(lockFloorRow('redlock', figures)?.latencyMs, 0.6);
  assert.equal(lockFloorRow('node-redlock', figures)?.latencyMs, 0.6);
  assert.equal(lockFloorRow('zookeeper', figures)?.latencyMs, 2.3);
  assert.equal(lockFloorRow('zookeeper', figures)?.writesPerCycle, 2);
  assert.equal(lockFloorRow('my-module', figures), undefined);
});

test('throughput ceilings: raw pairs at the same concurrency (Redlock too: its fan-out is parallel), one holder on one key', () => {
  assert.equal(caseFloor('redis', figures, 16, 'many', false)?.cyclesPerSec, 10_000);
  assert.equal(caseFloor('redlock', figures, 16, 'many', false)?.cyclesPerSec, 10_000);
  assert.equal(caseFloor('zookeeper', figures, 16, 'many', false)?.cyclesPerSec, 1000);
  // Unmeasured concurrency: the nearest measured one below.
  assert.equal(caseFloor('redis', figures, 64, 'many', false)?.cyclesPerSec, 10_000);
  // One client: 1 ÷ latency floor.
  assert.equal(caseFloor('redis', figures, 1, 'many', false)?.cyclesPerSec, 5000);
  // One key: 1 ÷ handoff (+ hold): Redis RTT; ZooKeeper W + RTT.
  assert.equal(caseFloor('redis', figures, 16, 1, false)?.cyclesPerSec, 10_000);
  assert.equal(caseFloor('redis', figures, 16, 1, false, 1)?.cyclesPerSec, 909);
  assert.equal(caseFloor('zookeeper', figures, 16, 1, false)?.cyclesPerSec, 769);
  // Injected latency caps the raw pairs at (parallel cycles ÷ latency floor).
  const redis = figures.systems['redis'];
  assert.ok(redis);
  const wan: FloorFigures = { systems: { ...figures.systems, redis: { ...redis, rttMs: 2 } } };
  assert.equal(caseFloor('redis', wan, 16, 'many', true)?.cyclesPerSec, 4000);
});

test('efficiency = measured ÷ floor (throughput) and floor ÷ measured p50 (latency)', () => {
  const floor = { latencyMs: 0.2, cyclesPerSec: 10_000, basis: '' };
  assert.deepEqual(efficiency(floor, 8000, 0.25), { throughput: 0.8, latency: 0.8 });
  assert.deepEqual(efficiency(null, 8000, 0.25), { throughput: null, latency: null });
});

function outcome(spec: CaseSpec, cycles: number): LoopOutcome {
  const h = latencyHistogram();
  const log = new AttemptLog();
  for (let i = 0; i < cycles; i++) {
    recordMs(h, 1 + (i % 3));
    const row = log.begin(i % spec.clients, i * 4);
    log.acquired(row, i * 4 + 1, OUTCOME.ok);
    log.releaseInvoked(row, i * 4 + 2);
    log.released(row, i * 4 + 3, OUTCOME.ok);
  }
  return {
    cycles,
    attempts: cycles,
    errors: noErrors(),
    histograms: { acquire: h, wait: h, cycle: h, service: h },
    logs: [log.toArray()],
    usage: [{ worker: 0, pid: 1, clients: spec.clients, cpuPercent: 42, cpuUserMs: 1, cpuSystemMs: 1, wallMs: 1000, eventLoopDelayP99Ms: 1 }],
    measureStartMs: 0,
    measuredMs: 1000,
    offered: 0,
    unserved: 0,
    keyOf: () => 'k',
  };
}

/** The fields of a micro case the latency goals read. */
const fakeMicro = (id: string, lock: string, p50: number): Record<string, unknown> => ({ id, kind: 'micro', lock, status: 'ok', path: 'direct', latency: { cycle: { p50 } }, workers: [] });

const floorResult = (pairs16: number): FloorResult => ({
  redis: {
    node: 'redis-1',
    rtt: [{ path: 'proxied', address: 'x', rttMs: { count: 1, p50: 0.1, p90: 0.1, p99: 0.1, p999: 0.1, max: 0.1, mean: 0.1 } }],
    mastersRttP50Ms: [0.1],
    proxyOverheadRatio: 2,
    pairs: [{ clients: 16, pairsPerSec: pairs16, pairMs: summarize(latencyHistogram()), errors: 0, workerCpuPercent: [] }],
  },
  zookeeper: { node: 'zk-1', rtt: [], writeMs: summarize(latencyHistogram()), proxyOverheadRatio: 1, pairs: [] },
});

test('goals: the harness goal judges the case against the floor it was judged by, and says when it was not measured', () => {
  const o = suiteOptions({ locks: 'redis', clients: '16', keys: 'many', latency: '0' });
  const spec = planCases(o).find((c) => c.kind === 'sweep');
  assert.ok(spec);
  const t = { durationMs: 1000, warmupMs: 0, ttlMs: 1000, jitterMs: 0 };
  const c: CaseResult = loopCase(spec, t, outcome(spec, 9000), figuresWithPairs(10_000), false);
  const goals = evaluateGoals(floorResult(20_000), [c]);
  const harness = goals.find((g) => g.goal === 'harness is not the bottleneck');
  assert.ok(harness);
  assert.equal(harness.met, true, harness.measured);
  assert.match(harness.measured, /90%/);
  const slow = loopCase(spec, t, outcome(spec, 7000), figuresWithPairs(10_000), false);
  assert.equal(evaluateGoals(floorResult(20_000), [slow]).find((g) => g.goal === 'harness is not the bottleneck')?.met, false);
  assert.equal(evaluateGoals(null, [])[0]?.met, null);
  assert.equal(evaluateGoals(null, []).find((g) => g.goal === 'ZooKeeper lock near its raw writes')?.met, null);
  assert.equal(evaluateGoals(null, []).find((g) => g.goal === 'etcd Mutex near its raw writes')?.met, null);
  assert.match(evaluateGoals(null, []).find((g) => g.goal === 'uncontended etcd Mutex cycle near its floor')?.measured ?? '', /not measured in this run \(needs --locks etcd\)/);
});

test('goals: the uncontended etcd Mutex is judged against its own floor latency, within 1.5×', () => {
  const o = suiteOptions({ locks: 'etcd', clients: '1', keys: 'many', latency: '0' });
  const micro = planCases(o).find((c) => c.kind === 'micro');
  assert.ok(micro);
  const judge = (p50: number): boolean | null | undefined => {
    const c = { ...fakeMicro(micro.id, 'etcd', p50), floor: { latencyMs: 4, cyclesPerSec: 250, basis: '2 W' } } as unknown as CaseResult;
    return evaluateGoals(null, [c]).find((g) => g.goal === 'uncontended etcd Mutex cycle near its floor')?.met;
  };
  assert.equal(judge(5.9), true);
  assert.equal(judge(6.1), false);
});

test('goals: a floor error fails "floors that bound"; none passes it', () => {
  const o = suiteOptions({ locks: 'redis', clients: '16', keys: 'many', latency: '0' });
  const spec = planCases(o).find((c) => c.kind === 'sweep');
  assert.ok(spec);
  const t = { durationMs: 1000, warmupMs: 0, ttlMs: 1000, jitterMs: 0 };
  const beats = loopCase(spec, t, outcome(spec, 12_000), figuresWithPairs(10_000), false);
  const error = floorError(beats);
  assert.match(error ?? '', /throughput efficiency 1\.2/);
  const bound = (errs: string[]): boolean | null | undefined => evaluateGoals(null, [beats], errs).find((g) => g.goal === 'floors that bound')?.met;
  assert.equal(bound(error ? [error] : []), false);
  const fine = loopCase(spec, t, outcome(spec, 10_400), figuresWithPairs(10_000), false);
  assert.equal(floorError(fine), undefined);
  assert.equal(bound([]), true);
});

test('refloored: a case is judged again against the final figures, on the same formula', () => {
  const o = suiteOptions({ locks: 'redis', clients: '16', keys: 'many', latency: '0' });
  const spec = planCases(o).find((c) => c.kind === 'sweep');
  assert.ok(spec);
  const t = { durationMs: 1000, warmupMs: 0, ttlMs: 1000, jitterMs: 0 };
  const first = loopCase(spec, t, outcome(spec, 12_000), figuresWithPairs(10_000), false);
  assert.equal(first.efficiency.throughput, 1.2);
  const again = refloored(spec, first, figuresWithPairs(15_000));
  assert.equal(again.floor?.cyclesPerSec, 15_000);
  assert.equal(again.efficiency.throughput, 0.8);
  assert.equal(again.cyclesPerSec, first.cyclesPerSec);
});

const usage = { worker: 0, pid: 1, clients: 1, cpuPercent: 42, cpuUserMs: 1, cpuSystemMs: 1, wallMs: 1000, eventLoopDelayP99Ms: 1 };
const tinybench = { meanMs: 1, p50Ms: 1, p99Ms: 2, rmePercent: 1, samples: 30, state: 'completed' };
const httpFigures: HttpFigures = { connections: 16, requests: 40, requestsPerSec: 30, non2xx: 10, status: { '200': 30, '409': 10 }, errors: 0, timeouts: 0, purchases: 30, soldOut: 10, failed: 0, stockStart: 30, stockEnd: 0, oversell: 0, skus: [{ sku: 's0', start: 30, end: 0, sold: 30 }] };

/** A measured result of the spec's own kind, as suite.ts makes it. */
function measured(s: CaseSpec, t: CaseTiming, cycles: number): CaseResult {
  const out = outcome(s, cycles);
  const h = out.histograms.cycle;
  switch (s.kind) {
    case 'micro':
      return microCase(s, { ...t, durationMs: 1000 }, { cycles, elapsedMs: 1000, errors: noErrors(), histogram: h, log: out.logs[0] ?? new Float64Array(), key: 'k', usage, tinybench }, figures);
    case 'http':
      return httpCase(s, t, { figures: httpFigures, latency: h, errors: noErrors(), overlap: overlapOf([]), usage: [usage] }, false);
    case 'open':
      return { ...loopCase(s, t, out, figures, false), openLoop: { offeredPerSec: 35, offered: 35, unserved: 0, rateOf: s.rateOf, fraction: s.fraction, referenceCyclesPerSec: 50 } };
    case 'sweep':
    case 'fairness':
      return loopCase(s, t, out, figures, false);
    case 'held': {
      const r = loopCase({ kind: 'sweep', id: s.id, lock: s.lock, clients: s.clients, keys: 'many', latencyMs: 0, via: s.via }, t, out, figures, false);
      return { ...r, kind: 'held', held: { lock: s.lock, heldLocks: s.heldLocks, clients: s.clients, cyclesPerSec: r.cyclesPerSec, p50Ms: 1, p99Ms: 2, memoryBytesPerLock: 90, requestedLocks: s.heldLocks } };
    }
    case 'waiters': {
      const r = loopCase({ kind: 'fairness', id: s.id, lock: s.lock, clients: s.clients, latencyMs: 0, holdMs: s.holdMs, via: s.via }, t, out, figures, false);
      return { ...r, kind: 'waiters', waiters: { lock: s.lock, waiters: s.clients, grantsPerSec: r.cyclesPerSec, p99WaitMs: 3, serverOpsPerGrant: 4, opsUnit: 'Redis commands per grant' } };
    }
  }
}

test('bench.json keeps its fields per kind of case (results/README.md), in the same order', () => {
  const o = suiteOptions({ quick: true, locks: 'redis' });
  const t = { durationMs: 1000, warmupMs: o.warmupMs, ttlMs: o.ttlMs, jitterMs: 0 };
  const head = ['id', 'kind', 'lock', 'clients', 'keys', 'latencyMs', 'jitterMs', 'mode', 'holdMs', 'durationMs', 'warmupMs', 'status'];
  const tail = ['cycles', 'attempts', 'cyclesPerSec', 'latency', 'errors', 'stalledClients', 'overlap', 'floor', 'efficiency', 'workers', 'path'];
  const expected: Record<string, string[]> = {
    'micro/redis': [...head, ...tail, 'tinybench', 'histograms'],
    'sweep/redis/c16/kmany/l0': [...head, ...tail, 'histograms'],
    'sweep/redis/c16/k1/l0': [...head, ...tail, 'fairness', 'histograms'],
    'fairness/redis/c16': [...head, ...tail, 'fairness', 'histograms'],
    'http/redis': [...head, ...tail, 'http', 'histograms'],
    'held/redis/n1000': [...head, ...tail, 'histograms', 'held'],
    'waiters/redis/w64': [...head, ...tail, 'fairness', 'histograms', 'waiters'],
  };
  const specs = planCases(o);
  for (const [id, keys] of Object.entries(expected)) {
    const spec = specs.find((s) => s.id === id);
    assert.ok(spec, id);
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(measured(spec, t, 30))) as object), keys, id);
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(failedCase(spec, t, 'failed', 'boom'))) as object), [...head, 'error', ...tail, 'histograms'], `${id} failed`);
  }
  const open = specs.find((s) => s.kind === 'open');
  assert.ok(open);
  const openKeys = Object.keys(JSON.parse(JSON.stringify(measured(open, t, 30))) as object);
  assert.deepEqual(openKeys.slice(-2), ['histograms', 'openLoop']);
  const micro = measured(specs[0] ?? assert.fail('no spec'), t, 30);
  assert.equal(micro.kind === 'micro' ? micro.mode : undefined, 'tinybench');
});

test('every planned case appears in bench.json and in the table, measured or failed', () => {
  const o = suiteOptions({ quick: true });
  const specs = planCases(o);
  const t = { durationMs: o.durationMs, warmupMs: o.warmupMs, ttlMs: o.ttlMs, jitterMs: 0 };
  const cases = specs.map((s, i) => (i % 7 === 3 ? failedCase(s, t, 'failed', 'boom') : measured(s, t, 30)));
  const result: BenchResult = assembleResult({ runId: 'bench-x', startedAt: new Date(0), wallTimeMs: 1, options: o, cluster: {}, toxiproxy: {}, out: { floor: floorResult(1), floorErrors: [], lockFloors: [], wan: [], cases, interrupted: false } });
  const parsed = JSON.parse(JSON.stringify(result)) as BenchResult;
  assert.deepEqual(
    parsed.cases.map((c) => c.id),
    specs.map((s) => s.id),
  );
  for (const c of parsed.cases.filter((x) => x.status === 'ok')) {
    assert.equal(c.overlap?.verdict, 'valid', c.id);
    assert.ok(c.latency.cycle && c.latency.cycle.p50 > 0 && c.latency.cycle.p999 >= c.latency.cycle.p99 && c.latency.cycle.max >= c.latency.cycle.p999);
    assert.equal(c.cyclesPerSec, 30);
  }
  const table = renderBench(result);
  assert.match(table, /CONTENTION SWEEP/);
  assert.match(table, /FAILED sweep|FAILED [a-z]+\//);
  for (const lock of o.locks) assert.ok(table.includes(lock), lock);
  assert.deepEqual(result.violations, []);
});
