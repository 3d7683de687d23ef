// Recovery figures on hand-written histories: heal → first grant, the longest grant-less stretch of
// the fault phase, and the edges (no fault, no grant at all, no phase recorded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Op } from '../../../core/history.ts';
import { recoveryFigures, recoveryFromHistory, renderRecoverySection } from '../../../chaos/recovery.ts';

const grant = (process: number, timeMs: number): Op[] => [
  { type: 'invoke', f: 'acquire', process, timeMs: timeMs - 1, key: 'k' },
  { type: 'ok', f: 'acquire', process, timeMs, key: 'k', lease: { owner: `w${process}` } },
];
const refused = (process: number, timeMs: number): Op[] => [
  { type: 'invoke', f: 'acquire', process, timeMs: timeMs - 1, key: 'k' },
  { type: 'fail', f: 'acquire', process, timeMs, key: 'k', error: 'busy' },
];
const nemesis = (f: string, timeMs: number): Op[] => [
  { type: 'invoke', f, process: 'nemesis', timeMs },
  { type: 'ok', f, process: 'nemesis', timeMs: timeMs + 5 },
];

test('the first grant after the last heal, and the longest gap between grants inside the fault phase', () => {
  const ops = [...grant(0, 1010), ...grant(1, 1300), ...refused(2, 2000), ...grant(2, 4300), ...grant(0, 5200), ...grant(1, 6100)];
  const r = recoveryFigures(ops, { faultPhase: { startMs: 1000, endMs: 6000 }, faults: [{ startMs: 1200, endMs: 3000 }, { startMs: 3500, endMs: 5000 }] });
  assert.equal(r.lastHealMs, 5000);
  assert.equal(r.healToFirstGrantMs, 200, 'the grant at 5200 follows the heal at 5000');
  assert.equal(r.longestNoGrantInFaultsMs, 3000, 'from the grant at 1300 to the one at 4300; a refused acquire is no grant');
  assert.equal(r.longestNoGrantFromMs, 1300);
  assert.equal(r.grantsInFaultPhase, 4, 'the grant at 6100 is after the phase');
});

test('the stretch from the last grant to the end of the phase counts, and so does the start', () => {
  const tail = recoveryFigures([...grant(0, 1100)], { faultPhase: { startMs: 1000, endMs: 4000 }, faults: [{ startMs: 1050, endMs: 3900 }] });
  assert.equal(tail.longestNoGrantInFaultsMs, 2900);
  assert.equal(tail.healToFirstGrantMs, null, 'nothing was granted after the heal');
  const head = recoveryFigures([...grant(0, 3500)], { faultPhase: { startMs: 1000, endMs: 4000 }, faults: [] });
  assert.equal(head.longestNoGrantInFaultsMs, 2500);
  assert.equal(head.longestNoGrantFromMs, 1000);
});

test('a run with no grant at all and no faults: nothing to recover from, the whole phase without a grant', () => {
  const ops = [...refused(0, 1500), ...refused(1, 2500)];
  const r = recoveryFigures(ops, { faultPhase: { startMs: 1000, endMs: 3000 }, faults: [] });
  assert.deepEqual(r, { lastHealMs: null, healToFirstGrantMs: null, longestNoGrantInFaultsMs: 2000, longestNoGrantFromMs: 1000, grantsInFaultPhase: 0 });
  const bare = recoveryFigures([], { faults: [] });
  assert.deepEqual(bare, { lastHealMs: null, healToFirstGrantMs: null, longestNoGrantInFaultsMs: null, longestNoGrantFromMs: null, grantsInFaultPhase: 0 });
});

test('without a recorded fault phase, the span of the fault windows stands in for it', () => {
  const r = recoveryFigures([...grant(0, 2000)], { faults: [{ startMs: 1000, endMs: 2500 }] });
  assert.equal(r.longestNoGrantInFaultsMs, 1000);
  assert.equal(r.healToFirstGrantMs, null);
});

test('from a history: fault windows come from the nemesis ops, the phase from the runner', () => {
  const ops = [...grant(0, 1100), ...nemesis('start-partition', 1200), ...refused(1, 1900), ...nemesis('stop-partition', 2400), ...grant(1, 2600)];
  const r = recoveryFromHistory(ops, { faults: { startMs: 1000, endMs: 3000 } });
  assert.equal(r.lastHealMs, 2405, 'the heal counts from its completion');
  assert.equal(r.healToFirstGrantMs, 195);
  assert.equal(r.longestNoGrantInFaultsMs, 1500);
});

test('the summary section says what happened, and nothing for runs stored without the figures', () => {
  const phases = { faults: { startMs: 1000, endMs: 3000 } };
  const none = renderRecoverySection({ phases, recovery: { lastHealMs: null, healToFirstGrantMs: null, longestNoGrantInFaultsMs: 2000, longestNoGrantFromMs: 1000, grantsInFaultPhase: 0 } }).join('\n');
  assert.match(none, /^## Recovery/);
  assert.match(none, /No fault was applied/);
  assert.match(none, /2\.000 s, from 0\.000 s into the fault phase \(0 grants/);
  const stuck = renderRecoverySection({ phases, recovery: { lastHealMs: 2000, healToFirstGrantMs: null, longestNoGrantInFaultsMs: 1000, longestNoGrantFromMs: 2000, grantsInFaultPhase: 3 } }).join('\n');
  assert.match(stuck, /No lock was granted after the last heal/);
  assert.deepEqual(renderRecoverySection({ phases }), []);
});
