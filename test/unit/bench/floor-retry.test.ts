// A floor sample that fails is measured once more; a second failure is FLOOR_FAILED with both
// causes; an interrupted run is not retried. CI's bench run once died as an "internal error" on one
// ZooKeeper stall (-7 operation timeout) in the floor's quorum writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleWithRetry } from '../../../bench/floor.ts';
import { HarnessError } from '../../../core/errors.ts';

function failing(messages: string[], value: number): { measure: () => Promise<number>; calls: () => number } {
  let calls = 0;
  return {
    measure: () => {
      const m = messages[calls++];
      return m === undefined ? Promise.resolve(value) : Promise.reject(new Error(m));
    },
    calls: () => calls,
  };
}

test('one failure: measured again, the second result is returned, and a line says why', async () => {
  const said: string[] = [];
  const f = failing(['-7 operation timeout'], 42);
  assert.equal(await sampleWithRetry('ZooKeeper quorum writes at zk-2 (proxy)', f.measure, (m) => said.push(m)), 42);
  assert.equal(f.calls(), 2);
  assert.equal(said.length, 1);
  assert.match(said[0] ?? '', /quorum writes at zk-2 \(proxy\) failed \(-7 operation timeout\); measuring it again on a new connection/);
});

test('no failure: measured once, nothing said', async () => {
  const said: string[] = [];
  const f = failing([], 7);
  assert.equal(await sampleWithRetry('x', f.measure, (m) => said.push(m)), 7);
  assert.equal(f.calls(), 1);
  assert.deepEqual(said, []);
});

test('two failures: FLOOR_FAILED naming what and both causes, and no third attempt', async () => {
  const f = failing(['first stall', 'second stall'], 1);
  await assert.rejects(sampleWithRetry('round trips to zk-1 (direct)', f.measure, () => undefined), (err: unknown) => {
    assert.ok(err instanceof HarnessError);
    assert.equal(err.code, 'FLOOR_FAILED');
    assert.equal(err.exitCode, 255);
    assert.match(err.message, /round trips to zk-1 \(direct\).*first stall.*second stall/);
    return true;
  });
  assert.equal(f.calls(), 2);
});

test('an aborted run is not measured again: the first error stands', async () => {
  const ac = new AbortController();
  ac.abort();
  const f = failing(['interrupted'], 1);
  await assert.rejects(sampleWithRetry('x', f.measure, () => undefined, ac.signal), /interrupted/);
  assert.equal(f.calls(), 1);
});
