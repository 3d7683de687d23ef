// Wilson score intervals against published values, the edges k = 0 and k = N, and the median.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, wilsonInterval } from '../../../core/stats.ts';

const close = (actual: number, expected: number, what: string): void => assert.ok(Math.abs(actual - expected) < 5e-4, `${what}: ${actual} ≠ ${expected}`);

test('Wilson interval: known values (7 of 10 is 40–89%)', () => {
  const cases: [k: number, n: number, low: number, high: number][] = [
    [7, 10, 0.3968, 0.8922],
    [5, 10, 0.2366, 0.7634],
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [k, n, low, high] of cases) {
    const w = wilsonInterval(k, n);
    close(w.low, low, `${k}/${n} low`);
    close(w.high, high, `${k}/${n} high`);
    assert.equal(w.rate, k / n);
  }
});

test('Wilson interval: k = 0 starts at exactly 0, k = N ends at exactly 1, and neither collapses', () => {
  const none = wilsonInterval(0, 10);
  assert.equal(none.low, 0);
  close(none.high, 0.2775, '0/10 high');
  const all = wilsonInterval(10, 10);
  assert.equal(all.high, 1);
  close(all.low, 0.7225, '10/10 low');
  const one = wilsonInterval(1, 1);
  assert.equal(one.high, 1);
  close(one.low, 0.2065, '1/1 low');
  const two = wilsonInterval(2, 2);
  close(two.low, 0.3424, '2/2 low');
});

test('Wilson interval: no trials say nothing, and impossible counts are refused', () => {
  assert.deepEqual(wilsonInterval(0, 0), { rate: null, low: 0, high: 1 });
  assert.throws(() => wilsonInterval(3, 2), RangeError);
  assert.throws(() => wilsonInterval(-1, 2), RangeError);
  assert.throws(() => wilsonInterval(0.5, 2), RangeError);
});

test('median: odd, even, unsorted and empty samples', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.equal(median([]), null);
});
