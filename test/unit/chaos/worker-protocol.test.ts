// chaos/worker-protocol.ts's validators: what a worker or the runner may send, and the error that
// names the field when a message does not fit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFromWorker, parseToWorker } from '../../../chaos/worker-protocol.ts';
import { workerInit } from '../../support/worker-init.ts';

test('chaos worker messages pass when they fit and name the field when they do not', () => {
  assert.deepEqual(parseFromWorker({ type: 'holding', key: null, atMs: 5 }), { type: 'holding', key: null, atMs: 5 });
  assert.deepEqual(parseFromWorker({ type: 'stopped', counts: { acquires: 3, acquired: 2, increments: 1 } }), { type: 'stopped', counts: { acquires: 3, acquired: 2, increments: 1 } });
  assert.throws(() => parseFromWorker({ type: 'holding', key: 7, atMs: 5 }), /holding\.key: expected a string, got 7/);
  assert.throws(() => parseFromWorker({ type: 'stopped', counts: { acquires: 'many' } }), /stopped\.counts\.acquires: expected a number/);
  assert.throws(() => parseFromWorker('ready'), /message: expected an object, got "ready"/);
  assert.throws(() => parseFromWorker({ type: 'readyy' }), /message\.type: expected one of ready, failed, holding, stopped, liveness/);
});

test('the runner’s init is checked on the worker side too', () => {
  const init = workerInit({ lock: 'redis', tuning: { sessionTimeoutMs: 4000 }, resourcePort: 1234, historyPath: '/tmp/h.jsonl', keys: ['k0', 'k1'] });
  assert.deepEqual(parseToWorker(init), init);
  assert.throws(() => parseToWorker({ ...init, keys: ['k0', 1] }), /init\.keys: expected strings/);
  assert.throws(() => parseToWorker({ ...init, fencing: 'yes' }), /init\.fencing: expected true or false/);
  assert.throws(() => parseToWorker({ type: 'run' }), /run\.maxAcquires: expected a number/);
});
