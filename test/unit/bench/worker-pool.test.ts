// bench/worker-pool.ts with real bench/worker-main.ts processes (no cluster needed: the jobs used
// here open no lock client), and bench/worker-protocol.ts's validators on malformed messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClusterConfig, planCluster } from '../../../clusters/topology.ts';
import { ShapeError } from '../../../core/message-shape.ts';
import { WorkerPool } from '../../../bench/worker-pool.ts';
import type { LockName } from '../../../locks/registry.ts';
import { parseFromWorker, parseToWorker } from '../../../bench/worker-protocol.ts';
import { alive } from '../../support/process-alive.ts';


test('the pool starts its workers from bench/worker-main.ts, runs a job on each, and leaves none behind', async () => {
  let pids: number[] = [];
  {
    await using pool = await WorkerPool.start(2, planCluster(defaultClusterConfig), { startTimeoutMs: 120_000 });
    assert.equal(pool.size, 2);
    pids = pool.pids;
    for (const i of [0, 1]) {
      const a = await pool.run(i, { kind: 'close-clients' }, 60_000);
      assert.equal(a.worker, i);
      assert.equal(a.result.kind, 'none');
      assert.equal(a.usage.pid, pids[i]);
    }
    // A job the worker cannot do is an error that names the worker, not a hang.
    const settings = { warmupMs: 0, durationMs: 10, ttlMs: 1000, waitMs: 10, holdMs: 0, maxCyclesPerClient: 1 };
    await assert.rejects(pool.run(0, { kind: 'micro', lock: 'no-such-lock' as LockName, via: 'proxy', client: { id: 0, key: 'k' }, settings }, 60_000), /^HarnessError: bench worker 0: /);
    assert.equal((await pool.run(0, { kind: 'close-clients' }, 60_000)).result.kind, 'none', 'the worker goes on after a failed job');
  }
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} is gone`);
});

test('bench validators name the field that does not fit', () => {
  assert.throws(() => parseFromWorker({ type: 'ready' }), (e: unknown) => e instanceof ShapeError && e.path === 'ready.pid');
  assert.throws(() => parseFromWorker({ type: 'result', id: 1, usage: { pid: 1, cpuUserMs: 1, cpuSystemMs: 1, wallMs: 1, eventLoopDelayP99Ms: 0 }, result: { kind: 'loop', cycles: 1 } }), /result\.result\(loop\)\.attempts: expected a number/);
  assert.throws(() => parseFromWorker({ type: 'gossip' }), /message\.type: expected one of ready, result, error/);
  assert.throws(() => parseToWorker({ type: 'job', id: 1, job: { kind: 'dance' } }), /job\.job\.kind: expected one of closed/);
  // The one raw job kind: a registered system, ports or connect strings, a scope.
  const raw = { kind: 'raw', system: 'zookeeper', targets: [21001, '127.0.0.1:21002,127.0.0.1:21003'], settings: { warmupMs: 0, durationMs: 100, ttlMs: 1000, waitMs: 100, holdMs: 0, maxCyclesPerClient: 10 }, scope: '/lockbench/floor/t/t-c2/w0' };
  assert.deepEqual(parseToWorker({ type: 'job', id: 1, job: raw }), { type: 'job', id: 1, job: raw });
  assert.throws(() => parseToWorker({ type: 'job', id: 1, job: { ...raw, system: 'consul' } }), (e: unknown) => e instanceof ShapeError && e.path === 'job.job(raw).system');
  assert.throws(() => parseToWorker({ type: 'job', id: 1, job: { ...raw, targets: [0] } }), (e: unknown) => e instanceof ShapeError && e.path === 'job.job(raw).targets');
  assert.throws(() => parseToWorker({ type: 'job', id: 1, job: { ...raw, targets: [''] } }), /job\.job\(raw\)\.targets: expected ports/);
  assert.throws(() => parseToWorker({ type: 'job', id: 1, job: { kind: 'raw', system: 'redis', targets: [1], settings: raw.settings } }), /job\.job\(raw\)\.scope/);
  assert.throws(() => parseToWorker({ type: 'job', id: 1, job: { kind: 'raw', system: 'redis', targets: [1], scope: 'k', durationMs: 1 } }), /job\.job\(raw\)\.settings/);
  assert.throws(() => parseToWorker({ type: 'job', id: 1, job: { kind: 'raw-redis', ports: [1], durationMs: 1, keyPrefix: 'k' } }), /job\.job\.kind: expected one of/);
  assert.deepEqual(parseFromWorker({ type: 'error', id: 3, message: 'x' }), { type: 'error', id: 3, message: 'x' });
  const log = new Float64Array(3);
  const micro = { kind: 'micro', cycles: 1, elapsedMs: 1, errors: { busy: 0, unavailable: 0, unknown: 0, releaseNotHeld: 0, releaseUnknown: 0 }, histogram: '', log, tinybench: { meanMs: 1, p50Ms: 1, p99Ms: 1, rmePercent: 1, samples: 1, state: 'completed' } };
  const m = parseFromWorker({ type: 'result', id: 2, result: micro, usage: { pid: 1, cpuUserMs: 1, cpuSystemMs: 1, wallMs: 1, eventLoopDelayP99Ms: 0 } });
  assert.equal(m.type === 'result' && m.result.kind === 'micro' ? m.result.log : undefined, log);
});
