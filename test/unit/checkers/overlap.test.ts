// The overlap checker on hand-written histories: every view, the rules for ambiguous holds, and
// the sweep against a brute-force all-pairs check on random histories.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Op } from '../../../core/history.ts';
import { prepareInput } from '../../../checkers/input.ts';
import { historyHolds } from '../../../checkers/intervals.ts';
import type { Hold } from '../../../checkers/intervals.ts';
import { checkOverlap, sweepOverlaps } from '../../../checkers/overlap.ts';
import { pairOps } from '../../../checkers/pairs.ts';
import { audit, bruteForcePairs, fail, history, hold, info, invoke, mulberry32, nemesis, ok } from './helpers.ts';

const check = (h: Op[], a?: Parameters<typeof prepareInput>[1], maxReportedPairs?: number) =>
  checkOverlap(prepareInput(h, a), maxReportedPairs === undefined ? {} : { maxReportedPairs });

describe('overlap: clean runs', () => {
  test('sequential holds on one key are valid in every view', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 20, validUntilMs: 30 }), hold(2, 'k', { okMs: 25, releaseMs: 40, validUntilMs: 50 }), hold(1, 'k', { okMs: 45, releaseMs: 60 }));
    const r = check(h, [audit('enter', 1, 'k', 11), audit('exit', 1, 'k', 19), audit('enter', 2, 'k', 26), audit('exit', 2, 'k', 39)]);
    assert.equal(r.verdict, 'valid');
    for (const v of [r.views.believed, r.views.cut, r.views.resource]) {
      assert.equal(v.verdict, 'valid');
      assert.equal(v.definitePairs + v.possiblePairs, 0);
    }
    assert.equal(r.views.believed.holds, 3);
  });

  test('a release invoke and the next acquire ok at the same instant do not overlap', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 20 }), hold(2, 'k', { invokeMs: 15, okMs: 20, releaseMs: 30 }));
    assert.equal(check(h).verdict, 'valid');
  });

  test('holds on different keys never overlap', () => {
    const h = history(hold(1, 'a', { okMs: 10, releaseMs: 50 }), hold(2, 'b', { okMs: 20, releaseMs: 40 }));
    assert.equal(check(h).verdict, 'valid');
  });

  test('failed acquires hold nothing', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 50 }), [invoke(2, 'acquire', 20, { key: 'k' }), fail(2, 'acquire', 30, { key: 'k', error: 'busy' })]);
    assert.equal(check(h).verdict, 'valid');
  });

  test('a lease already expired when the acquire returned gives no cut interval', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 50, validUntilMs: 60 }), hold(2, 'k', { okMs: 30, releaseMs: 40, validUntilMs: 25 }));
    const r = check(h);
    assert.equal(r.views.believed.verdict, 'invalid');
    assert.equal(r.views.cut.verdict, 'valid');
    assert.equal(r.views.cut.holds, 1);
  });
});

describe('overlap: anomalies are flagged invalid', () => {
  test('two definite believed holds overlap: times, duration and the faults active', () => {
    const h = history(
      hold(1, 'k', { okMs: 10, releaseMs: 50 }),
      hold(2, 'k', { okMs: 30, releaseMs: 70 }),
      [nemesis('start-partition', 20, { grudge: 'one' }), nemesis('stop-partition', 40), nemesis('start-crash', 60), nemesis('stop-crash', 80)],
    );
    const r = check(h);
    assert.equal(r.verdict, 'invalid');
    const v = r.views.believed;
    assert.equal(v.verdict, 'invalid');
    assert.equal(v.definitePairs, 1);
    assert.equal(v.firstDefiniteAtMs, 30);
    const [pair] = v.pairs;
    assert.ok(pair);
    assert.equal(pair.key, 'k');
    assert.equal(pair.fromMs, 30);
    assert.equal(pair.toMs, 50);
    assert.equal(pair.overlapMs, 20);
    assert.equal(pair.definite, true);
    assert.deepEqual([pair.a.process, pair.b.process], [1, 2]);
    assert.deepEqual(pair.faults.map((f) => f.fault), ['partition']);
    assert.deepEqual(pair.faults[0]?.value, { grudge: 'one' });
  });

  test('client pause: believed overlap is invalid, the cut view at the validity deadline is clean', () => {
    // p1's lease is valid until 40 but it only releases at 100 (it was paused); p2 acquires at 50.
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 100, validUntilMs: 40 }), hold(2, 'k', { okMs: 50, releaseMs: 80, validUntilMs: 90 }));
    const r = check(h);
    assert.equal(r.views.believed.verdict, 'invalid');
    assert.equal(r.views.cut.verdict, 'valid');
    assert.equal(r.verdict, 'invalid');
  });

  test('overlapping validity windows are invalid in the cut view', () => {
    // Redlock-style: p2 was granted while p1's lease was still valid.
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 60, validUntilMs: 60 }), hold(2, 'k', { okMs: 40, releaseMs: 80, validUntilMs: 90 }));
    const r = check(h);
    assert.equal(r.views.cut.verdict, 'invalid');
    assert.equal(r.views.cut.pairs[0]?.overlapMs, 20);
  });

  test('a hold never released stays open to the end of the history, cut at its deadline', () => {
    const h = history(hold(1, 'k', { okMs: 10, validUntilMs: 40 }), hold(2, 'k', { okMs: 50, releaseMs: 60 }));
    const r = check(h);
    assert.equal(r.views.believed.verdict, 'invalid');
    assert.equal(r.views.believed.pairs[0]?.a.endReason, 'end-of-history');
    assert.equal(r.views.believed.pairs[0].a.endMs, 61);
    assert.equal(r.views.cut.verdict, 'valid');
  });

  test('an acquire ok never released and without deadline overlaps in both client views', () => {
    const h = history(hold(1, 'k', { okMs: 10 }), hold(2, 'k', { okMs: 50, releaseMs: 60 }));
    const r = check(h);
    assert.equal(r.views.believed.verdict, 'invalid');
    assert.equal(r.views.cut.verdict, 'invalid');
  });

  test('an extend ok moves the validity deadline', () => {
    const h = history(
      hold(1, 'k', { okMs: 10, releaseMs: 100, validUntilMs: 40 }),
      [invoke(1, 'extend', 30, { key: 'k', value: { ttlMs: 50 } }), ok(1, 'extend', 31, { key: 'k', lease: { owner: 'o', validUntilMs: 80 } })],
      hold(2, 'k', { okMs: 60, releaseMs: 120 }),
    );
    const r = check(h);
    assert.equal(r.views.cut.verdict, 'invalid');
    assert.equal(r.views.cut.pairs[0]?.toMs, 80);
  });

  test('resource view: enter → exit sections of two clients overlap', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 50 }));
    const a = [audit('enter', 1, 'k', 11), audit('enter', 2, 'k', 20), audit('exit', 1, 'k', 30), audit('exit', 2, 'k', 40)];
    const r = check(h, a);
    assert.equal(r.views.resource.verdict, 'invalid');
    assert.equal(r.views.resource.pairs[0]?.overlapMs, 10);
    assert.equal(r.verdict, 'invalid');
  });

  test('resource view: an enter without exit is open to the end of the audit log', () => {
    const a = [audit('enter', 1, 'k', 10), audit('enter', 2, 'k', 20), audit('exit', 2, 'k', 30)];
    const r = check(history(hold(1, 'k', { okMs: 5, releaseMs: 6 })), a);
    assert.equal(r.views.resource.definitePairs, 1);
    assert.equal(r.views.resource.pairs[0]?.a.endReason, 'end-of-audit');
  });

  test('reported pairs are capped, but every pair is counted', () => {
    const h = history(...[1, 2, 3, 4].map((p) => hold(p, 'k', { okMs: 10 + p, releaseMs: 100 })));
    const r = check(h, undefined, 2);
    assert.equal(r.views.believed.definitePairs, 6);
    assert.equal(r.views.believed.pairs.length, 2);
    assert.equal(r.views.believed.truncated, true);
  });
});

describe('overlap: unknown outcomes may or may not have taken effect', () => {
  test('an info acquire overlapping a definite hold is a possible overlap only: the run is valid', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 50 }), [
      invoke(2, 'acquire', 20, { key: 'k', value: { ttlMs: 100 } }),
      info(2, 'acquire', 30, { key: 'k', error: 'timeout' }),
    ]);
    const r = check(h);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.possiblePairs, 1);
    assert.equal(r.views.believed.definitePairs, 0);
    const pair = r.views.believed.pairs[0];
    assert.equal(pair?.definite, false);
    // The possible hold starts at the acquire invoke and runs to completion + ttl.
    assert.equal(pair.b.startMs, 20);
    assert.equal(pair.b.endMs, 130);
    assert.equal(pair.b.endReason, 'ttl');
  });

  test('an info acquire whose ttl ran out before the next grant is harmless', () => {
    const h = history([invoke(2, 'acquire', 0, { key: 'k', value: { ttlMs: 3 } }), info(2, 'acquire', 5, { key: 'k' })], hold(1, 'k', { okMs: 10, releaseMs: 50 }));
    assert.equal(check(h).verdict, 'valid');
  });

  test('an info acquire with a validity deadline on its completion is bounded by it', () => {
    const h = history(hold(1, 'k', { okMs: 10, releaseMs: 50 }), [
      invoke(2, 'acquire', 0, { key: 'k', value: { ttlMs: 1000 } }),
      info(2, 'acquire', 5, { key: 'k', lease: { owner: 'x', validUntilMs: 8 } }),
    ]);
    assert.equal(check(h).verdict, 'valid');
  });

  test('without a ttl, an info acquire is possible until the process acquires or releases again', () => {
    const maybe = [invoke(2, 'acquire', 20, { key: 'k' }), info(2, 'acquire', 25, { key: 'k' }), invoke(2, 'acquire', 40, { key: 'k' }), fail(2, 'acquire', 45, { key: 'k' })];
    assert.equal(check(history(maybe, hold(1, 'k', { okMs: 50, releaseMs: 60 }))).verdict, 'valid');
    const r = check(history(maybe, hold(1, 'k', { okMs: 30, releaseMs: 60 })));
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.possiblePairs, 1);
    assert.equal(r.views.believed.pairs[0]?.a.endReason, 'next-acquire');
  });

  test('an acquire still outstanding at the end of the history is possible until the end', () => {
    const h = history([invoke(2, 'acquire', 20, { key: 'k', value: { ttlMs: 5 } })], hold(1, 'k', { okMs: 100, releaseMs: 110 }));
    const r = check(h);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.possiblePairs, 1);
    assert.equal(r.views.believed.pairs[0]?.a.endReason, 'end-of-history');
  });

  test('an extend that completed info adds a possible tail past the old deadline', () => {
    const h = history(
      hold(1, 'k', { okMs: 10, releaseMs: 100, validUntilMs: 40 }),
      [invoke(1, 'extend', 30, { key: 'k', value: { ttlMs: 50 } }), info(1, 'extend', 35, { key: 'k' })],
      hold(2, 'k', { okMs: 60, releaseMs: 70, validUntilMs: 90 }),
    );
    const r = check(h);
    assert.equal(r.views.cut.verdict, 'valid');
    assert.equal(r.views.cut.possiblePairs, 1);
    assert.equal(r.views.cut.pairs[0]?.a.endReason, 'extend-ttl');
    assert.equal(r.views.cut.pairs[0].a.startMs, 40);
  });

  test('a definite overlap outranks a possible one', () => {
    const h = history(
      hold(1, 'k', { okMs: 10, releaseMs: 50 }),
      hold(2, 'k', { okMs: 30, releaseMs: 70 }),
      [invoke(3, 'acquire', 20, { key: 'k', value: { ttlMs: 100 } }), info(3, 'acquire', 30, { key: 'k' })],
    );
    const r = check(h);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.views.believed.definitePairs, 1);
    assert.equal(r.views.believed.possiblePairs, 2);
  });

  test("a process's own possible hold does not overlap its next grant", () => {
    const h = history([invoke(1, 'acquire', 0, { key: 'k', value: { ttlMs: 100 } }), info(1, 'acquire', 5, { key: 'k' })], hold(1, 'k', { okMs: 10, releaseMs: 20 }));
    assert.equal(check(h).verdict, 'valid');
  });
});

describe('overlap: a client process that died (the crash line)', () => {
  const crash = (process: number, timeMs: number): Op => info(process, 'crash', timeMs, { error: 'crashed' });

  test('a session lock held by a client that died, granted again after: valid (it held nothing once dead)', () => {
    // ZooKeeper-like: no validity deadline; the session expired after the crash and client 2 got it.
    const h = history(hold(1, 'k', { okMs: 10 }), [crash(1, 20)], hold(2, 'k', { okMs: 4020, releaseMs: 4100 }));
    const r = check(h, [audit('enter', 1, 'k', 11), audit('enter', 2, 'k', 4021), audit('exit', 2, 'k', 4099)]);
    assert.equal(r.verdict, 'valid', r.summary);
    const held = historyHolds(pairOps(h).pairs, 4101, undefined, pairOps(h).crashes).believed.find((x) => x.process === 1);
    assert.deepEqual([held?.endMs, held?.endReason], [20, 'crashed']);
  });

  test('without the crash line the same history is invalid: a client that vanished unrecorded never let go', () => {
    const h = history(hold(1, 'k', { okMs: 10 }), hold(2, 'k', { okMs: 4020, releaseMs: 4100 }));
    assert.equal(check(h).verdict, 'invalid');
  });

  test('a grant to another client before the holder died is still two holders', () => {
    const h = history(hold(1, 'k', { okMs: 10 }), hold(2, 'k', { okMs: 15, releaseMs: 30 }), [crash(1, 40)]);
    const r = check(h);
    assert.equal(r.verdict, 'invalid');
    assert.equal(r.views.believed.definitePairs, 1);
  });

  test('the op in flight completes unknown at the crash; the crash line is not a malformed line', () => {
    const h = history([invoke(1, 'acquire', 10, { key: 'k' })], [crash(1, 20)], hold(2, 'k', { okMs: 30, releaseMs: 40 }));
    const paired = pairOps(h);
    assert.equal(paired.malformed, 0);
    assert.deepEqual(paired.crashes, new Map([[1, 20]]));
    const pending = paired.pairs.find((p) => p.process === 1);
    assert.deepEqual([pending?.completion?.type, pending?.completion?.error, pending?.completion?.timeMs], ['info', 'crashed', 20]);
    // The unknown acquire's possible hold ends at the death, before client 2's grant: nothing, not even possible.
    const r = check(h);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.views.believed.possiblePairs, 0);
  });

  test('the resource: a client that died inside its section is out of it at its death', () => {
    const h = history(hold(1, 'k', { okMs: 10 }), [crash(1, 20)], hold(2, 'k', { okMs: 4020, releaseMs: 4100 }));
    const r = check(h, [audit('enter', 1, 'k', 11), audit('read', 1, 'k', 12), audit('enter', 2, 'k', 4021), audit('exit', 2, 'k', 4099)]);
    assert.equal(r.views.resource.verdict, 'valid', r.summary);
    const still = check(history(hold(1, 'k', { okMs: 10 }), hold(2, 'k', { okMs: 4020, releaseMs: 4100 })), [audit('enter', 1, 'k', 11), audit('enter', 2, 'k', 4021), audit('exit', 2, 'k', 4099)]);
    assert.equal(still.views.resource.verdict, 'invalid', 'without the crash line the open section runs on');
  });
});

describe('overlap: sweep against brute force', () => {
  const pairId = (a: Hold, b: Hold, index: Map<Hold, number>): string => {
    const [x, y] = [index.get(a) ?? -1, index.get(b) ?? -1].sort((p, q) => p - q);
    return `${x}-${y}`;
  };

  const compare = (holds: Hold[]): number => {
    const index = new Map(holds.map((h, i) => [h, i]));
    const swept: string[] = [];
    sweepOverlaps(holds, (a, b) => {
      assert.ok(a.startMs <= b.startMs);
      swept.push(pairId(a, b, index));
    });
    const brute = bruteForcePairs(holds).map(([a, b]) => pairId(a, b, index));
    assert.equal(new Set(swept).size, swept.length, 'the sweep reports each pair once');
    assert.deepEqual([...swept].sort(), [...brute].sort());
    return brute.length;
  };

  test('random hold sets: the same pairs as all-pairs', () => {
    let total = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = mulberry32(seed);
      const n = Math.floor(rnd() * 60);
      const keys = 1 + Math.floor(rnd() * 3);
      const holds: Hold[] = [];
      for (let i = 0; i < n; i++) {
        // Integer times make ties (shared endpoints, zero-length holds) common.
        const startMs = Math.floor(rnd() * 100);
        const endMs = startMs + Math.floor(rnd() * 30) - 2;
        holds.push({ key: `k${Math.floor(rnd() * keys)}`, process: Math.floor(rnd() * 6), startMs, endMs, definite: rnd() < 0.8, endReason: 'release' });
      }
      total += compare(holds);
    }
    assert.ok(total > 1000, `random hold sets should overlap often (got ${total})`);
  });

  test('random histories: holds built from ops, same pairs and the verdict brute force implies', () => {
    const seen = new Map<string, number>();
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = mulberry32(seed * 7919);
      const ops: Op[] = [];
      const processes = 2 + Math.floor(rnd() * 4);
      // Few keys make overlaps likely, many make clean runs likely; both must occur.
      const keys = 1 + Math.floor(rnd() * 12);
      for (let p = 0; p < processes; p++) {
        let t = Math.floor(rnd() * 20);
        for (let i = 0; i < 8; i++) {
          const key = `k${Math.floor(rnd() * keys)}`;
          const outcome = rnd();
          const value = rnd() < 0.5 ? { ttlMs: 1 + Math.floor(rnd() * 40) } : undefined;
          ops.push(invoke(p, 'acquire', t, value === undefined ? { key } : { key, value }));
          t += 1 + Math.floor(rnd() * 10);
          if (outcome < 0.6) {
            const validUntilMs = rnd() < 0.5 ? t + Math.floor(rnd() * 30) : undefined;
            ops.push(ok(p, 'acquire', t, { key, lease: validUntilMs === undefined ? { owner: `o${p}` } : { owner: `o${p}`, validUntilMs } }));
            t += Math.floor(rnd() * 40);
            if (rnd() < 0.9) {
              ops.push(invoke(p, 'release', t, { key }), ok(p, 'release', t + 1, { key }));
              t += 2;
            }
          } else if (outcome < 0.8) {
            ops.push(fail(p, 'acquire', t, { key }));
          } else if (outcome < 0.95) {
            ops.push(info(p, 'acquire', t, { key }));
          } else {
            break; // crashed with the acquire outstanding
          }
          t += Math.floor(rnd() * 10);
        }
      }
      const h = ops.sort((a, b) => a.timeMs - b.timeMs);
      const paired = pairOps(h);
      const { believed, cut, forced } = historyHolds(paired.pairs, paired.endMs);
      assert.equal(forced.length, 0, 'no release follows an info acquire here, and there is no audit log');
      for (const holds of [believed, cut]) compare(holds);
      const r = checkOverlap(prepareInput(h));
      for (const [view, holds] of [['believed', believed], ['cut', cut]] as const) {
        const brute = bruteForcePairs(holds);
        const definite = brute.filter(([a, b]) => a.definite && b.definite).length;
        // Without evidence no unknown op is forced to have taken effect: only definite pairs decide.
        const expected = definite > 0 ? 'invalid' : 'valid';
        assert.equal(r.views[view].verdict, expected, `seed ${seed} view ${view}`);
        assert.equal(r.views[view].definitePairs, definite);
        assert.equal(r.views[view].possiblePairs, brute.length - definite);
        const kind = definite > 0 ? 'invalid' : brute.length > 0 ? 'possible only' : 'clean';
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
      }
    }
    // The generator must exercise every outcome, or the comparison proves little.
    for (const kind of ['clean', 'invalid', 'possible only']) assert.ok((seen.get(kind) ?? 0) >= 10, `${kind}: ${seen.get(kind)}`);
  });
});
