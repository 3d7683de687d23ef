// Fairness figures from hand-made attempt rows: Jain's index and FIFO order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptLog, OUTCOME } from '../../../bench/attempts.ts';
import { fairnessOf, jainIndex } from '../../../bench/fairness.ts';

test("Jain's index: 1 when even, 1/n when one client gets everything", () => {
  assert.equal(jainIndex([5, 5, 5, 5]), 1);
  assert.equal(jainIndex([8, 0, 0, 0]), 0.25);
  assert.ok(Math.abs(jainIndex([1, 2, 3]) - 36 / 42) < 1e-12);
});

function grant(log: AttemptLog, client: number, invokeMs: number, grantMs: number): void {
  const row = log.begin(client, invokeMs);
  log.acquired(row, grantMs, OUTCOME.ok);
  log.releaseInvoked(row, grantMs + 0.1);
  log.released(row, grantMs + 0.2, OUTCOME.ok);
}

test('FIFO: grants in request order count as in order', () => {
  const log = new AttemptLog();
  // Three clients ask at 0, 1, 2 and are served in that order.
  grant(log, 0, 0, 1);
  grant(log, 1, 1, 2);
  grant(log, 2, 2, 3);
  const f = fairnessOf([log.toArray()], [0, 1, 2]);
  assert.equal(f.grants, 3);
  assert.deepEqual(f.grantsPerClient, [1, 1, 1]);
  assert.equal(f.jainIndex, 1);
  assert.equal(f.outOfOrderGrants, 0);
  assert.equal(f.inOrderFraction, 1);
});

test('a grant while an older request still waits is out of order', () => {
  const log = new AttemptLog();
  grant(log, 0, 0, 10); // asked first, served last
  grant(log, 1, 1, 2);
  grant(log, 2, 2, 3);
  const f = fairnessOf([log.toArray()], [0, 1, 2]);
  assert.equal(f.outOfOrderGrants, 2);
  assert.equal(f.inOrderFraction, Math.round((1 / 3) * 10_000) / 10_000);
});

test('clients that got nothing count; warm-up attempts do not', () => {
  const log = new AttemptLog();
  grant(log, 0, 0, 1); // warm-up
  grant(log, 0, 10, 11);
  grant(log, 0, 12, 13);
  const f = fairnessOf([log.toArray()], [0, 1], 5);
  assert.deepEqual(f.grantsPerClient, [2, 0]);
  assert.equal(f.jainIndex, 0.5);
  assert.equal(f.minShare, 0);
  assert.equal(f.maxShare, 1);
});

test('no grants at all: zeros, not a perfect score', () => {
  const f = fairnessOf([new AttemptLog().toArray()], [0, 1]);
  assert.equal(f.grants, 0);
  assert.equal(f.jainIndex, 0);
  assert.equal(f.inOrderFraction, 0);
});
