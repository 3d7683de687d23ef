// Fencing: accepted tokens strictly increase per key; rejections are counted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, Op } from '../../../core/history.ts';
import { checkFencing } from '../../../chaos/checkers/fencing.ts';
import { prepareInput } from '../../../chaos/checkers/input.ts';
import { audit, history, hold } from './helpers.ts';

const check = (a: AuditEntry[] | undefined, h: Op[] = []) => checkFencing(prepareInput(h, a));
const write = (client: number, key: string, timeMs: number, token?: string): AuditEntry => audit('write', client, key, timeMs, token === undefined ? { value: 1 } : { value: 1, token });

describe('fencing', () => {
  test('strictly increasing tokens per key, with stale writes rejected, is valid', () => {
    const r = check([
      write(1, 'a', 10, '5'),
      write(2, 'b', 11, '3'),
      audit('reject', 3, 'a', 12, { token: '4', reason: 'stale-token' }),
      write(2, 'a', 13, '7'),
      audit('reject', 1, 'a', 14, { token: '5', reason: 'stale-token' }),
      write(1, 'b', 15, '4'),
    ]);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.applicable, true);
    assert.equal(r.tokenedWrites, 4);
    assert.equal(r.rejections, 2);
    assert.deepEqual(r.rejectionsByReason, { 'stale-token': 2 });
  });

  test('an accepted token equal to or below a previous one is invalid', () => {
    const r = check([write(1, 'a', 10, '5'), write(2, 'a', 20, '5'), write(3, 'a', 30, '9'), write(1, 'a', 40, '8')]);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.violations, 2);
    assert.deepEqual(r.violationSamples[0], { key: 'a', timeMs: 20, client: 2, token: '5', previousToken: '5', previousClient: 1, previousTimeMs: 10 });
    assert.equal(r.violationSamples[1]?.previousToken, '9');
  });

  test('tokens beyond 2^53 compare exactly', () => {
    const big = '9007199254740993';
    assert.equal(check([write(1, 'a', 10, '9007199254740992'), write(2, 'a', 20, big)]).verdict, 'valid');
    assert.equal(check([write(1, 'a', 10, big), write(2, 'a', 20, '9007199254740992')]).verdict, 'invalid');
  });

  test('without tokens the check is not applicable and valid', () => {
    const r = check([write(1, 'a', 10), write(2, 'a', 20)]);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.applicable, false);
    assert.match(r.summary, /not applicable/);
  });

  test('a token that is not a decimal integer makes the verdict unknown', () => {
    const r = check([write(1, 'a', 10, '5'), write(2, 'a', 20, 'abc')]);
    assert.equal(r.verdict, 'unknown');
    assert.equal(r.malformedTokens, 1);
  });

  test('no audit log: unknown if the lock granted tokens, not applicable otherwise', () => {
    assert.equal(check(undefined, history(hold(1, 'k', { okMs: 10, releaseMs: 20, token: '1' }))).verdict, 'unknown');
    const r = check(undefined, history(hold(1, 'k', { okMs: 10, releaseMs: 20 })));
    assert.equal(r.verdict, 'valid');
    assert.equal(r.applicable, false);
  });
});
