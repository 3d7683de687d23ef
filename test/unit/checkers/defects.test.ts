// Defects a new user found with small hand-written runs (issue: verdicts you can quote). Each
// test failed before its fix; the names say which rule it pins down.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, Op } from '../../../core/history.ts';
import { prepareInput } from '../../../checkers/input.ts';
import { checkOverlap } from '../../../checkers/overlap.ts';
import { audit, history, hold, incr, section } from './helpers.ts';

const check = (h: Op[], a: AuditEntry[]) => checkOverlap(prepareInput(h, a));

describe('defect: an unclosed section ends at the client’s next action', () => {
  // Client 1 holds k1, its resource call fails after the enter, so the worker never sends exit;
  // it releases k1 and moves to k2. Client 2 then takes k1 and enters. No fault, no overlap.
  const ops = history(
    hold(1, 'k1', { okMs: 10, releaseMs: 40 }),
    incr(1, 'k1', 11, 35, 'info'),
    hold(1, 'k2', { okMs: 50, releaseMs: 80 }),
    incr(1, 'k2', 51, 70, 'ok', 0),
    hold(2, 'k1', { okMs: 60, releaseMs: 90 }),
    incr(2, 'k1', 61, 85, 'ok', 0),
  );
  const entries = [
    audit('enter', 1, 'k1', 12),
    audit('read', 1, 'k1', 13, { value: 0 }),
    // (the write never reached the resource; no exit either)
    ...section(1, 'k2', 52, 68, 0),
    ...section(2, 'k1', 62, 84, 0),
  ].sort((a, b) => a.timeMs - b.timeMs);

  test('the release invoke in the history ends it: no overlap when another client enters later', () => {
    const r = check(ops, entries);
    assert.equal(r.views.resource.verdict, 'valid', r.summary);
    assert.equal(r.verdict, 'valid');
  });

  test('without a release, the next enter on any key ends it', () => {
    // The same, but client 1 crashed its history before releasing (no history action at all).
    const noRelease = ops.filter((o) => !(o.process === 1 && o.f === 'release' && o.key === 'k1'));
    const r = check(noRelease, entries);
    assert.equal(r.views.resource.verdict, 'valid', r.summary);
  });

  test('a client that really stays inside still overlaps', () => {
    // No release and no later action by client 1: it may well still be inside when 2 enters.
    const only1 = history(hold(1, 'k1', { okMs: 10 }), hold(2, 'k1', { okMs: 60, releaseMs: 90 }));
    const r = check(only1, [audit('enter', 1, 'k1', 12), ...section(2, 'k1', 62, 84, 0)]);
    assert.equal(r.views.resource.definitePairs, 1);
    assert.equal(r.views.resource.pairs[0]?.a.endReason, 'end-of-audit');
  });
});

describe('defect: a read or write by a client that is not inside, while another is, is an overlap', () => {
  test('a write outside any section during another client’s section is a definite overlap', () => {
    const ops = history(hold(2, 'k', { okMs: 10, releaseMs: 50 }));
    const entries = [audit('enter', 2, 'k', 11), audit('read', 2, 'k', 12, { value: 0 }), audit('write', 1, 'k', 20, { value: 1 }), audit('write', 2, 'k', 30, { value: 1 }), audit('exit', 2, 'k', 40)];
    const r = check(ops, entries);
    assert.equal(r.views.resource.verdict, 'invalid');
    assert.equal(r.views.resource.definitePairs, 1);
    const p = r.views.resource.pairs[0];
    assert.ok(p);
    assert.equal(p.a.process, 2);
    assert.equal(p.b.process, 1);
    assert.equal(p.b.endReason, 'outside-access');
    assert.equal(p.fromMs, 20);
  });

  test('a read outside any section is flagged too, but not when nobody is inside', () => {
    const inside = check([], [audit('enter', 2, 'k', 11), audit('read', 1, 'k', 12, { value: 0 }), audit('exit', 2, 'k', 40)]);
    assert.equal(inside.views.resource.definitePairs, 1);
    const alone = check([], [audit('read', 1, 'k', 12, { value: 0 }), audit('enter', 2, 'k', 20), audit('exit', 2, 'k', 40)]);
    assert.equal(alone.views.resource.definitePairs, 0);
  });
});

describe('defect: the audit log is ordered by the file, not by timeMs', () => {
  test('an enter written before another client’s exit at the same stamp is an overlap', () => {
    const entries = [audit('enter', 1, 'k', 10), audit('enter', 2, 'k', 20), audit('exit', 1, 'k', 20), audit('exit', 2, 'k', 30)];
    const r = check([], entries);
    assert.equal(r.views.resource.verdict, 'invalid');
    assert.equal(r.views.resource.definitePairs, 1);
    assert.equal(r.views.resource.pairs[0]?.overlapMs, 0);
  });

  test('the same stamps with the exit written first are fine', () => {
    const entries = [audit('enter', 1, 'k', 10), audit('exit', 1, 'k', 20), audit('enter', 2, 'k', 20), audit('exit', 2, 'k', 30)];
    assert.equal(check([], entries).views.resource.verdict, 'valid');
  });
});
