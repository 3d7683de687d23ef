// Fencing: accepted tokens strictly increase per key; rejections are counted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, Op } from '../../../core/history.ts';
import { checkFencing } from '../../../checkers/fencing.ts';
import { prepareInput } from '../../../checkers/input.ts';
import { audit, history, hold } from './helpers.ts';

// Most cases judge a run that had fencing on, as its manifest would say.
const check = (a: AuditEntry[] | undefined, h: Op[] = [], fencing: boolean | 'not recorded' = true) =>
  checkFencing(prepareInput(h, a, fencing === 'not recorded' ? {} : { fencing }));
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
    assert.deepEqual(r.violationSamples[0], { reason: 'stale-token', key: 'a', timeMs: 20, client: 2, token: '5', previousToken: '5', previousClient: 1, previousTimeMs: 10 });
    assert.equal(r.violationSamples[1]?.previousToken, '9');
  });

  test('tokens beyond 2^53 compare exactly', () => {
    const big = '9007199254740993';
    assert.equal(check([write(1, 'a', 10, '9007199254740992'), write(2, 'a', 20, big)]).verdict, 'valid');
    assert.equal(check([write(1, 'a', 10, big), write(2, 'a', 20, '9007199254740992')]).verdict, 'invalid');
  });

  test('without tokens, and no record of fencing, the check is not applicable and valid', () => {
    const r = check([write(1, 'a', 10), write(2, 'a', 20)], [], 'not recorded');
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
    assert.equal(check(undefined, history(hold(1, 'k', { okMs: 10, releaseMs: 20, token: '1' })), 'not recorded').verdict, 'unknown');
    const r = check(undefined, history(hold(1, 'k', { okMs: 10, releaseMs: 20 })), 'not recorded');
    assert.equal(r.verdict, 'valid');
    assert.equal(r.applicable, false);
  });

  test('defect: with fencing on, a write accepted without a token is a violation', () => {
    const r = check([write(1, 'a', 10, '5'), write(2, 'a', 20), write(1, 'a', 30, '6')]);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.mode, 'on');
    assert.equal(r.violations, 1);
    assert.equal(r.untokenedWrites, 1);
    assert.deepEqual(r.violationSamples[0], { reason: 'missing-token', key: 'a', timeMs: 20, client: 2 });
    assert.match(r.summary, /1 accepted writes without a token while fencing was on/);
  });

  test('defect: with fencing off, tokens are recorded only and not judged', () => {
    // A client-pause run without --fencing: the paused client's stale write is accepted, as designed.
    const r = check([write(1, 'a', 10, '5'), write(2, 'a', 20, '6'), write(1, 'a', 30, '5')], [], false);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.mode, 'off');
    assert.equal(r.applicable, false);
    assert.equal(r.violations, 0);
    assert.match(r.summary, /fencing was off/);
  });

  test('fencing not recorded: a reject line shows it was on; otherwise a stale token is unknown', () => {
    const stale = [write(1, 'a', 10, '5'), write(2, 'a', 20, '6'), write(1, 'a', 30, '5')];
    const r = check(stale, [], 'not recorded');
    assert.equal(r.verdict, 'unknown');
    assert.equal(r.mode, 'not-known');
    assert.match(r.summary, /--fencing on\|off/);
    const withReject = check([...stale, audit('reject', 3, 'a', 40, { token: '4', reason: 'stale-token' })], [], 'not recorded');
    assert.equal(withReject.mode, 'inferred-on');
    assert.equal(withReject.verdict, 'invalid');
    assert.equal(check([write(1, 'a', 10, '5'), write(2, 'a', 20, '6')], [], 'not recorded').verdict, 'valid');
  });
});
