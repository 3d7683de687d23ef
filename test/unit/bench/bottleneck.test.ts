// What limited a case, named from hand-written usages: each rule alone, and the ambiguous cases
// where several figures are high (the most saturated is named, the others are said).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fsyncShareOfCycle, nameBottleneck } from '../../../bench/bottleneck.ts';
import type { ContainerUsage, ServerUsage, WorkerCaseUsage } from '../../../bench/results.ts';

const worker = (n: number, cpuPercent: number): WorkerCaseUsage => ({ worker: n, pid: 100 + n, clients: 4, cpuPercent, cpuUserMs: 0, cpuSystemMs: 0, wallMs: 1000, eventLoopDelayP99Ms: 1 });
const node = (name: string, cpuPercent: number): ContainerUsage => ({ name, role: 'node', system: name.startsWith('zk') ? 'zookeeper' : 'redis', cpuPercent, memoryBytes: 1 });
const proxy = (cpuPercent: number): ContainerUsage => ({ name: 'toxiproxy', role: 'proxy', cpuPercent, memoryBytes: 1 });
const server = (containers: ContainerUsage[], hostIdlePercent = 50, counters?: ServerUsage['counters']): ServerUsage => ({ containers, hostIdlePercent, hostCores: 2, ...(counters ? { counters } : {}) });
const calm = [worker(0, 20), worker(1, 25)];

test('no server usage: unknown', () => {
  assert.equal(nameBottleneck(calm, undefined, {}).kind, 'unknown');
});

test('a client worker at 90% or more: client, naming the worker and its figure', () => {
  const b = nameBottleneck([worker(0, 30), worker(1, 94)], server([node('redis-1', 40), proxy(10)]), {});
  assert.equal(b.kind, 'client');
  assert.match(b.detail, /worker 1 at 94% of a core/);
});

test('a server node at 90% of a core: server', () => {
  const b = nameBottleneck(calm, server([node('redis-1', 99.6), node('redis-2', 3), proxy(20)]), {});
  assert.deepEqual(b, { kind: 'server', detail: 'redis-1 at 100% of a core' });
});

test('the proxy at 90%: proxy', () => {
  const b = nameBottleneck(calm, server([node('redis-1', 50), proxy(91)]), {});
  assert.equal(b.kind, 'proxy');
  assert.match(b.detail, /the proxy \(toxiproxy\) at 91%/);
});

test('several saturated: the most saturated is named, the others are said', () => {
  const b = nameBottleneck([worker(0, 92), worker(1, 20)], server([node('zk-1', 130), proxy(95)], 3), {});
  assert.equal(b.kind, 'server');
  assert.match(b.detail, /^zk-1 at 130% of a core; also high: the proxy \(toxiproxy\) at 95% of a core, worker 0 at 92% of a core, host 3% idle of 2 cores$/);
});

test('a saturated process outranks the disk, which is still said', () => {
  const b = nameBottleneck(calm, server([node('zk-3', 97)]), { fsyncShareOfCycle: 0.8 });
  assert.equal(b.kind, 'server');
  assert.match(b.detail, /fsync 80% of the cycle/);
});

test('fsync half the cycle or more, nothing saturated: disk', () => {
  const b = nameBottleneck(calm, server([node('zk-1', 40)]), { fsyncShareOfCycle: 0.5 });
  assert.deepEqual(b, { kind: 'disk', detail: 'fsync 50% of the cycle' });
  assert.equal(nameBottleneck(calm, server([node('zk-1', 40)]), { fsyncShareOfCycle: 0.49 }).kind, 'latency-bound');
});

test('every core busy though no single process is saturated: machine', () => {
  const b = nameBottleneck([worker(0, 60), worker(1, 55)], server([node('zk-1', 42), node('zk-2', 30), node('zk-3', 25), proxy(25)], 0), {});
  assert.equal(b.kind, 'machine');
  assert.match(b.detail, /host 0% idle of 2 cores, no single process saturated \(busiest: worker 0 at 60% of a core\)/);
});

test('the disk outranks a busy machine, which is said', () => {
  const b = nameBottleneck(calm, server([node('zk-1', 40)], 8), { fsyncShareOfCycle: 0.7 });
  assert.equal(b.kind, 'disk');
  assert.match(b.detail, /also host 8% idle/);
});

test('nothing high: latency-bound, with the busiest process for context', () => {
  const b = nameBottleneck(calm, server([node('redis-1', 12), proxy(5)], 70), {});
  assert.equal(b.kind, 'latency-bound');
  assert.match(b.detail, /busiest: worker 1 at 25% of a core/);
});

test('an unknown host idle (NaN) is not read as a busy machine', () => {
  assert.equal(nameBottleneck(calm, server([node('redis-1', 12)], Number.NaN), {}).kind, 'latency-bound');
});

test('fsync share of the cycle from the node that fsynced most (the leader)', () => {
  const counters = { 'zk-1': { cnt_fsynctime: 10, sum_fsynctime: 30 }, 'zk-3': { cnt_fsynctime: 200, sum_fsynctime: 400 }, 'redis-1': { commands: 5 } };
  // 2 ms mean × 2 writes ÷ 8 ms cycle.
  assert.equal(fsyncShareOfCycle(server([], 50, counters), { cycleP50Ms: 8, writesPerCycle: 2 }), 0.5);
  assert.equal(fsyncShareOfCycle(server([], 50, { 'redis-1': { commands: 5 } }), { cycleP50Ms: 8, writesPerCycle: 2 }), undefined, 'no fsync figures: not measured');
  assert.equal(fsyncShareOfCycle(server([], 50, counters), { cycleP50Ms: 1, writesPerCycle: 2 }), 1, 'capped at the whole cycle');
  assert.equal(fsyncShareOfCycle(undefined, { cycleP50Ms: 8, writesPerCycle: 2 }), undefined);
});
