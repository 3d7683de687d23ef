// Unknown outcomes, Jepsen's way: an info acquire may or may not have taken effect; the run is
// valid if some choice avoids two holders, invalid if none does. Evidence that an unknown acquire
// did take effect (a release that found it held, an enter at the resource) must be used, and the
// smallest window that proves an invalid key is reported.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEntry, Op } from '../../../core/history.ts';
import { prepareInput } from '../../../checkers/input.ts';
import { checkOverlap } from '../../../checkers/overlap.ts';
import { audit, history, hold, info, invoke, nemesis, ok } from './helpers.ts';

const check = (h: Op[], a?: AuditEntry[]) => checkOverlap(prepareInput(h, a));

/** Process 2's acquire of k times out at 30 (invoked at 20, TTL 100): did it get the lock? */
const unknownAcquire = (extra: Op[] = []): Op[] => [invoke(2, 'acquire', 20, { key: 'k', value: { ttlMs: 100 } }), info(2, 'acquire', 30, { key: 'k', error: 'timeout' }), ...extra];

describe('unknown acquires without evidence', () => {
  test('choosing "it did not take effect" avoids the overlap: valid, with the possible pair counted', () => {
    const r = check(history(hold(1, 'k', { okMs: 10, releaseMs: 80 }), unknownAcquire()));
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.possiblePairs, 1);
    assert.equal(r.views.believed.forcedHolds, 0);
    assert.deepEqual(r.views.believed.witnesses, []);
  });

  test('several unknown acquires by different clients are all valid together', () => {
    const maybe3 = [invoke(3, 'acquire', 25, { key: 'k', value: { ttlMs: 100 } }), info(3, 'acquire', 35, { key: 'k' })];
    const r = check(history(hold(1, 'k', { okMs: 10, releaseMs: 80 }), unknownAcquire(), maybe3));
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.possiblePairs, 3);
  });
});

describe('evidence that an unknown acquire took effect', () => {
  test('its owner released the key with ok: the release span overlaps a definite hold → invalid', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 80 }), unknownAcquire([invoke(2, 'release', 40, { key: 'k' }), ok(2, 'release', 41, { key: 'k' })]));
    const r = check(h);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.views.believed.forcedHolds, 1);
    assert.equal(r.views.believed.definitePairs, 1);
    const w = r.views.believed.witnesses[0];
    assert.ok(w);
    assert.equal(w.key, 'k');
    // Client 1's grant at 10 … its release at 80, with 2's unknown acquire at 20 and release ok at 40.
    assert.equal(w.fromMs, 10);
    assert.equal(w.toMs, 80);
    assert.deepEqual(
      w.events.map((e) => [e.atMs, e.process, e.what]),
      [
        [10, 1, 'acquire ok'],
        [20, 2, 'acquire invoke, outcome unknown'],
        [40, 2, 'release ok after an acquire with unknown outcome'],
        [80, 1, 'release invoke'],
      ],
    );
  });

  test('a release that found the key not held is no evidence', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 80 }), unknownAcquire([invoke(2, 'release', 40, { key: 'k' }), { type: 'fail', f: 'release', process: 2, timeMs: 41, key: 'k', error: 'not-held' }]));
    assert.equal(check(h).verdict, 'valid');
  });

  test('its owner entered the critical section at the resource → invalid in the history views', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 80 }), unknownAcquire());
    const a = [audit('enter', 1, 'k', 11), audit('exit', 1, 'k', 79), audit('enter', 2, 'k', 45), audit('exit', 2, 'k', 46)].sort((x, y) => x.timeMs - y.timeMs);
    const r = check(h, a);
    assert.equal(r.views.believed.verdict, 'invalid');
    assert.equal(r.views.believed.forcedHolds, 1);
    assert.equal(r.views.believed.pairs.find((p) => p.definite)?.b.endReason, 'entered');
    assert.equal(r.views.resource.verdict, 'invalid');
  });

  test('evidence outside the window where the other hold certainly existed decides nothing', () => {
    // Client 1 released at 40; client 2's release ok at 50 does not prove two holders.
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 40 }), unknownAcquire([invoke(2, 'release', 50, { key: 'k' }), ok(2, 'release', 51, { key: 'k' })]));
    const r = check(h);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.forcedHolds, 1);
    assert.equal(r.views.believed.possiblePairs, 1);
  });

  test('a release span only partly inside the other hold decides nothing', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 40 }), unknownAcquire([invoke(2, 'release', 39, { key: 'k' }), ok(2, 'release', 45, { key: 'k' })]));
    assert.equal(check(h).verdict, 'valid');
  });

  test('an enter after the client’s next acquire belongs to that acquire, not the unknown one', () => {
    const h = history(unknownAcquire(), hold(2, 'k', { invokeMs: 35, okMs: 36, releaseMs: 60 }), hold(1, 'k', { okMs: 61, releaseMs: 90 }));
    const r = check(h, [audit('enter', 2, 'k', 40), audit('exit', 2, 'k', 50), audit('enter', 1, 'k', 62), audit('exit', 1, 'k', 89)]);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.forcedHolds, 0);
  });
});

describe('witnesses: the smallest window that proves each invalid key', () => {
  test('one per key, the shortest pair, with the faults active in it', () => {
    const h = history(
      hold(1, 'a', { okMs: 10, releaseMs: 100 }),
      hold(2, 'a', { okMs: 20, releaseMs: 30 }),
      hold(3, 'a', { okMs: 50, releaseMs: 200 }),
      hold(1, 'b', { okMs: 300, releaseMs: 400 }),
      hold(2, 'b', { okMs: 390, releaseMs: 450 }),
      [nemesis('start-partition', 15), nemesis('stop-partition', 25)],
    );
    const r = check(h);
    const w = r.views.believed.witnesses;
    assert.deepEqual(
      w.map((x) => [x.key, x.fromMs, x.toMs]),
      [
        ['a', 10, 30],
        ['b', 300, 400],
      ],
    );
    assert.deepEqual(w[0]?.faults.map((f) => f.fault), ['partition']);
    assert.deepEqual(w[1]?.faults, []);
  });
});
