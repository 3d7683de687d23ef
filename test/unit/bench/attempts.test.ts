// Attempt rows → history → overlap checker: a benchmark that broke mutual exclusion says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttemptLog, OUTCOME, attemptsToOps, overlapOf, stalledClients } from '../../../bench/attempts.ts';

function cycle(log: AttemptLog, client: number, from: number, to: number): void {
  const row = log.begin(client, from - 0.5);
  log.acquired(row, from, OUTCOME.ok, from + 10_000);
  log.releaseInvoked(row, to);
  log.released(row, to + 0.5, OUTCOME.ok);
}

test('sequential holds of one key across workers are valid', () => {
  const a = new AttemptLog(1);
  const b = new AttemptLog(1);
  cycle(a, 0, 1, 2);
  cycle(b, 1, 3, 4);
  cycle(a, 0, 5, 6);
  const ops = attemptsToOps([a.toArray(), b.toArray()], () => 'k', 10_000);
  assert.equal(ops.length, 12);
  const r = overlapOf(ops);
  assert.equal(r.verdict, 'valid');
  assert.equal(r.holds, 3);
  assert.equal(r.definitePairs, 0);
});

test('two clients holding one key at once are caught (invalid), on different keys they are not', () => {
  const a = new AttemptLog();
  const b = new AttemptLog();
  cycle(a, 0, 1, 5);
  cycle(b, 1, 3, 7);
  const same = overlapOf(attemptsToOps([a.toArray(), b.toArray()], () => 'k', 10_000));
  assert.equal(same.verdict, 'invalid');
  assert.equal(same.definitePairs, 1);
  assert.equal(same.maxOverlapMs, 2);
  const distinct = overlapOf(attemptsToOps([a.toArray(), b.toArray()], (c) => `k${c}`, 10_000));
  assert.equal(distinct.verdict, 'valid');
});

test('an acquire with an unknown outcome overlapping a hold is only a possible overlap: valid', () => {
  const a = new AttemptLog();
  const b = new AttemptLog();
  cycle(a, 0, 1, 5);
  const row = b.begin(1, 2);
  b.acquired(row, 3, OUTCOME.info);
  const r = overlapOf(attemptsToOps([a.toArray(), b.toArray()], () => 'k', 100));
  assert.equal(r.verdict, 'valid');
  assert.equal(r.possiblePairs, 1);
});

test('rows carry a key index for clients that lock different keys (the HTTP service)', () => {
  const log = new AttemptLog();
  const row = log.begin(3, 1, 1);
  log.acquired(row, 2, OUTCOME.ok);
  const ops = attemptsToOps([log.toArray()], (_c, k) => ['sku-a', 'sku-b'][k] ?? '?', 100);
  assert.deepEqual(
    ops.map((o) => [o.type, o.f, o.key]),
    [
      ['invoke', 'acquire', 'sku-b'],
      ['ok', 'acquire', 'sku-b'],
    ],
  );
});

test('the log grows past its initial capacity', () => {
  const log = new AttemptLog(2);
  for (let i = 0; i < 100; i++) cycle(log, 0, i * 10 + 1, i * 10 + 2);
  assert.equal(log.rows, 100);
  assert.equal(overlapOf(attemptsToOps([log.toArray()], () => 'k', 100)).holds, 100);
});

test('stalled clients: those with no acquire answered in the window', () => {
  const log = new AttemptLog();
  cycle(log, 0, 5, 6);
  log.begin(1, 1); // never answered
  const late = log.begin(2, 1);
  log.acquired(late, 50, OUTCOME.fail); // answered after the window
  assert.equal(stalledClients([log.toArray()], [0, 1, 2], 0, 20), 2);
});
