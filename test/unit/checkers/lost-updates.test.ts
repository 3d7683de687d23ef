// Lost updates: acknowledged increments against the resource's final value, and writes that did
// not build on the previous one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, Op } from '../../../core/history.ts';
import { prepareInput } from '../../../checkers/input.ts';
import { checkLostUpdates } from '../../../checkers/lost-updates.ts';
import { audit, history, incr, section } from './helpers.ts';

const check = (h: Op[], a?: AuditEntry[]) => checkLostUpdates(prepareInput(h, a));

/** n clean increments by alternating clients (firstClient, firstClient + 1) on `key`. */
function cleanRun(key: string, n: number, firstClient = 1): { h: Op[][]; a: AuditEntry[] } {
  const h: Op[][] = [];
  const a: AuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    const client = firstClient + (i % 2);
    const t = i * 10;
    h.push(incr(client, key, t, t + 9, 'ok', i));
    a.push(...section(client, key, t + 1, t + 8, i));
  }
  return { h, a };
}

describe('lost updates', () => {
  test('every acknowledged increment in the final value is valid', () => {
    const x = cleanRun('x', 5);
    const y = cleanRun('y', 3, 3);
    const r = check(history(...x.h, ...y.h), [...x.a, ...y.a]);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.applicable, true);
    assert.deepEqual(
      r.keys.map((k) => [k.key, k.ok, k.finalValue]),
      [
        ['x', 5, 5],
        ['y', 3, 3],
      ],
    );
  });

  test('final value below the acknowledged count: lost updates, invalid, with the write that broke the chain', () => {
    // Clients 1 and 2 both read 2 and both write 3: one acknowledged increment vanished.
    const { h, a } = cleanRun('x', 2);
    h.push(incr(1, 'x', 100, 120, 'ok', 2), incr(2, 'x', 101, 121, 'ok', 2));
    a.push(audit('read', 1, 'x', 102, { value: 2 }), audit('read', 2, 'x', 103, { value: 2 }), audit('write', 1, 'x', 104, { value: 3 }), audit('write', 2, 'x', 105, { value: 3 }));
    const r = check(history(...h), a);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.lost, 1);
    assert.equal(r.keys[0]?.finalValue, 3);
    assert.equal(r.keys[0].ok, 4);
    assert.equal(r.brokenChains, 1);
    assert.deepEqual(r.brokenChainSamples, [{ key: 'x', timeMs: 105, client: 2, wrote: 3, expected: 4 }]);
  });

  test('final value above acknowledged + uncertain: unexplained increments, invalid', () => {
    const { h, a } = cleanRun('x', 2);
    a.push(...section(3, 'x', 50, 60, 2));
    const r = check(history(...h), a);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.unexplained, 1);
    assert.equal(r.brokenChains, 0);
  });

  test('info increments may or may not have landed: between the bounds is valid', () => {
    const { h, a } = cleanRun('x', 3);
    // One info increment that landed, one that did not, one still pending at the end.
    h.push(incr(1, 'x', 100, 110, 'info'), incr(2, 'x', 120, 130, 'info'), [{ type: 'invoke', f: 'incr', process: 3, timeMs: 140, key: 'x' }]);
    a.push(...section(1, 'x', 101, 109, 3));
    const r = check(history(...h), a);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.keys[0]?.uncertain, 3);
    assert.equal(r.keys[0].finalValue, 4);
  });

  test('failed increments count for nothing', () => {
    const { h, a } = cleanRun('x', 2);
    h.push(incr(1, 'x', 100, 110, 'fail'));
    const r = check(history(...h), a);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.keys[0]?.fail, 1);
    // …and a failed increment that did land is unexplained.
    a.push(...section(1, 'x', 101, 109, 2));
    assert.equal(check(history(...h), a).verdict, 'invalid');
  });

  test('no audit log: unknown when there were increments, not applicable otherwise', () => {
    const { h } = cleanRun('x', 2);
    const r = check(history(...h));
    assert.equal(r.verdict, 'unknown');
    assert.equal(r.auditPresent, false);
    const none = check([]);
    assert.equal(none.verdict, 'valid');
    assert.equal(none.applicable, false);
  });

  test('a non-zero initial value is honoured', () => {
    const h = history(incr(1, 'x', 0, 10, 'ok', 41));
    const a = section(1, 'x', 1, 9, 41);
    assert.equal(checkLostUpdates(prepareInput(h, a), { initialValue: 41 }).verdict, 'valid');
    assert.equal(checkLostUpdates(prepareInput(h, a)).verdict, 'invalid');
  });
});
