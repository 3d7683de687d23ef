// Fault windows from nemesis ops, and the index that answers "which faults were active".
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Op } from '../../../core/history.ts';
import { FaultIndex, faultWindows } from '../../../checkers/fault-windows.ts';
import { nemesis } from './helpers.ts';

const nemInvoke = (f: string, timeMs: number, value?: unknown): Op =>
  value === undefined ? { type: 'invoke', f, process: 'nemesis', timeMs } : { type: 'invoke', f, process: 'nemesis', timeMs, value };

describe('faultWindows', () => {
  test('Jepsen-style info-only start/stop pairs become windows', () => {
    const w = faultWindows([nemesis('start-partition', 10, ['redis-1']), nemesis('stop-partition', 20), nemesis('start-partition', 30), nemesis('stop-partition', 40)], 100);
    assert.deepEqual(w, [
      { fault: 'partition', startMs: 10, endMs: 20, healed: true, value: ['redis-1'] },
      { fault: 'partition', startMs: 30, endMs: 40, healed: true },
    ]);
  });

  test('invoke + completion: the window runs from the start invoke to the stop completion', () => {
    const w = faultWindows([nemInvoke('start-crash', 10, ['zk-1']), nemesis('start-crash', 12, ['zk-1']), nemInvoke('stop-crash', 30), nemesis('stop-crash', 35)], 100);
    assert.deepEqual(w, [{ fault: 'crash', startMs: 10, endMs: 35, healed: true, value: ['zk-1'] }]);
  });

  test('a fault never healed runs to the end of the history', () => {
    const w = faultWindows([nemesis('start-pause', 50)], 90);
    assert.deepEqual(w, [{ fault: 'pause', startMs: 50, endMs: 90, healed: false }]);
  });

  test('different faults overlap independently; a repeated start folds into the open window', () => {
    const w = faultWindows(
      [nemesis('start-partition', 10), nemesis('start-latency', 15), nemesis('start-partition', 18), nemesis('stop-partition', 20), nemesis('stop-latency', 40)],
      100,
    );
    assert.deepEqual(
      w.map((x) => [x.fault, x.startMs, x.endMs]),
      [
        ['partition', 10, 20],
        ['latency', 15, 40],
      ],
    );
  });

  test('a lone nemesis event is a zero-length window', () => {
    const w = faultWindows([nemesis('bump-clock', 25, { 'redis-2': 5000 })], 100);
    assert.deepEqual(w, [{ fault: 'bump-clock', startMs: 25, endMs: 25, healed: true, value: { 'redis-2': 5000 } }]);
  });
});

describe('FaultIndex', () => {
  const index = new FaultIndex([
    { fault: 'partition', startMs: 10, endMs: 20, healed: true },
    { fault: 'latency', startMs: 15, endMs: 40, healed: true },
    { fault: 'crash', startMs: 60, endMs: 70, healed: true },
  ]);

  test('anyDuring answers for points and spans, bounds inclusive', () => {
    assert.equal(index.anyDuring(0, 9), false);
    assert.equal(index.anyDuring(0, 10), true);
    assert.equal(index.anyDuring(41, 59), false);
    assert.equal(index.anyDuring(40, 40), true);
    assert.equal(index.anyDuring(45, 65), true);
    assert.equal(index.anyDuring(71, 1000), false);
    assert.equal(new FaultIndex([]).anyDuring(0, 1e9), false);
  });

  test('during lists every intersecting window', () => {
    assert.deepEqual(index.during(18, 19).map((w) => w.fault), ['partition', 'latency']);
    assert.deepEqual(index.during(21, 59).map((w) => w.fault), ['latency']);
    assert.deepEqual(index.during(41, 59), []);
  });

  test('anyDuring agrees with during on random spans', () => {
    for (let from = 0; from < 80; from += 3) {
      for (let len = 0; len < 30; len += 4) assert.equal(index.anyDuring(from, from + len), index.during(from, from + len).length > 0);
    }
  });
});
