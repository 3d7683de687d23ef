// Verdict merging and checkSafe.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSafe, isFailedCheck, mergeVerdicts } from '../../../checkers/verdict.ts';
import type { Verdict } from '../../../checkers/verdict.ts';

describe('mergeVerdicts', () => {
  test('invalid > unknown > valid, in any order', () => {
    const all: Verdict[] = ['valid', 'unknown', 'invalid'];
    for (const a of all) {
      for (const b of all) {
        const expected = a === 'invalid' || b === 'invalid' ? 'invalid' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'valid';
        assert.equal(mergeVerdicts([a, b]), expected, `${a} + ${b}`);
      }
    }
    assert.equal(mergeVerdicts(['valid', 'unknown', 'valid', 'invalid', 'unknown']), 'invalid');
  });

  test('nothing to merge is valid', () => {
    assert.equal(mergeVerdicts([]), 'valid');
  });
});

describe('checkSafe', () => {
  test('passes a result through', () => {
    const r = checkSafe('demo', () => ({ verdict: 'invalid' as const, summary: 'bad', extra: 3 }));
    assert.deepEqual(r, { verdict: 'invalid', summary: 'bad', extra: 3 });
    assert.equal(isFailedCheck(r), false);
  });

  test('a checker that throws is unknown, with the error kept', () => {
    const r = checkSafe('demo', () => {
      throw new Error('boom');
    });
    assert.equal(r.verdict, 'unknown');
    assert.ok(isFailedCheck(r));
    assert.equal(r.error, 'boom');
    assert.match(r.summary, /demo checker failed: boom/);
  });
});
