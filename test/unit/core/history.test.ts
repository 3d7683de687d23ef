// The shape checks readers apply to each line of history.jsonl and audit.jsonl.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAuditEntry, isOp } from '../../../core/history.ts';

describe('isOp', () => {
  test('accepts client and nemesis ops of every type', () => {
    for (const type of ['invoke', 'ok', 'fail', 'info']) assert.ok(isOp({ type, f: 'acquire', process: 3, timeMs: 1.5 }), type);
    assert.ok(isOp({ type: 'info', f: 'start-partition', process: 'nemesis', timeMs: 0, value: ['redis-1'] }));
  });

  test('rejects what lacks a field every checker relies on', () => {
    const good = { type: 'ok', f: 'acquire', process: 3, timeMs: 1 };
    for (const bad of [null, 7, 'ok', [good], { ...good, type: 'done' }, { ...good, f: 1 }, { ...good, process: '3' }, { ...good, timeMs: '1' }, { type: 'ok', f: 'acquire', process: 3 }]) {
      assert.equal(isOp(bad), false, JSON.stringify(bad));
    }
  });
});

describe('isAuditEntry', () => {
  test('accepts every event', () => {
    for (const event of ['enter', 'read', 'write', 'exit', 'reject']) assert.ok(isAuditEntry({ timeMs: 1, event, key: 'k', client: 2 }), event);
  });

  test('rejects unknown events and missing or mistyped fields', () => {
    const good = { timeMs: 1, event: 'write', key: 'k', client: 2, value: 3 };
    for (const bad of [null, [good], { ...good, event: 'teleport' }, { ...good, key: 5 }, { ...good, client: 'w2' }, { ...good, timeMs: null }]) {
      assert.equal(isAuditEntry(bad), false, JSON.stringify(bad));
    }
  });
});
