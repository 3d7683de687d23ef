// Availability: counts per op kind inside and outside fault windows, exact latency percentiles.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Op } from '../../../core/history.ts';
import { checkAvailability, percentiles } from '../../../checkers/availability.ts';
import { prepareInput } from '../../../checkers/input.ts';
import { fail, history, info, invoke, nemesis, ok } from './helpers.ts';

const check = (h: Op[]) => checkAvailability(prepareInput(h));

describe('availability', () => {
  test('counts per f, split by fault windows, with pending ops', () => {
    const h = history(
      [invoke(1, 'acquire', 0), ok(1, 'acquire', 2), invoke(1, 'release', 3), ok(1, 'release', 4)],
      [nemesis('start-partition', 10), nemesis('stop-partition', 20)],
      [invoke(2, 'acquire', 8), info(2, 'acquire', 12)], // straddles the fault start: inside
      [invoke(1, 'acquire', 14), fail(1, 'acquire', 16)],
      [invoke(1, 'acquire', 30), ok(1, 'acquire', 31)],
      [invoke(3, 'acquire', 40)],
    );
    const r = check(h);
    assert.equal(r.verdict, 'valid');
    const a = r.byF['acquire'];
    assert.ok(a);
    assert.deepEqual(a.all, { ok: 2, fail: 1, info: 1, pending: 1 });
    assert.deepEqual(a.inFault, { ok: 0, fail: 1, info: 1, pending: 0 });
    assert.deepEqual(a.outsideFault, { ok: 2, fail: 0, info: 0, pending: 1 });
    assert.deepEqual(r.byF['release']?.all, { ok: 1, fail: 0, info: 0, pending: 0 });
    assert.deepEqual(r.total.all, { ok: 3, fail: 1, info: 1, pending: 1 });
    assert.equal(r.byF['start-partition'], undefined, 'nemesis ops are not client ops');
  });

  test('acquire latency percentiles are exact, from invoke to completion', () => {
    const ops: Op[] = [];
    // Latencies 1..1000 ms, one process after another.
    for (let i = 1; i <= 1000; i++) {
      const t = i * 10_000;
      ops.push(invoke(1, 'acquire', t), ok(1, 'acquire', t + i), invoke(1, 'release', t + i + 1), ok(1, 'release', t + i + 2));
    }
    ops.push(invoke(2, 'acquire', 0), fail(2, 'acquire', 5000));
    const r = check(ops);
    assert.deepEqual(r.acquireLatencyMs.ok, { count: 1000, p50: 500, p90: 900, p99: 990, p999: 999, max: 1000 });
    assert.equal(r.acquireLatencyMs.all?.max, 5000);
    assert.equal(r.acquireLatencyMs.all.count, 1001);
    assert.equal(r.acquireLatencyMs.okInFault, null);
  });

  test('nearest-rank percentiles on small arrays', () => {
    assert.equal(percentiles(new Float64Array([])), null);
    assert.deepEqual(percentiles(new Float64Array([7])), { count: 1, p50: 7, p90: 7, p99: 7, p999: 7, max: 7 });
    assert.deepEqual(percentiles(new Float64Array([1, 2, 3, 4])), { count: 4, p50: 2, p90: 4, p99: 4, p999: 4, max: 4 });
  });

  test('a run in which no acquire succeeded tested nothing: unknown', () => {
    assert.equal(check(history([invoke(1, 'acquire', 0), fail(1, 'acquire', 1)])).verdict, 'unknown');
    assert.equal(check([]).verdict, 'unknown');
  });
});
