// Trials and sweeps without Docker: what one trial contributes, how trials aggregate into a rate
// with its Wilson interval, the exit code, the matrix cell and table over trials, and the up-front
// validation of --trials and --sweep values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cellFrom, cellFromTrials, renderMatrix } from '../../../chaos/matrix.ts';
import { renderCrashSection } from '../../../chaos/summary.ts';
import { parseSweep, pointDir, sweepPoints } from '../../../chaos/sweep.ts';
import { aggregateTrials, firstViolationAfterFaultMs, parseTrials, rateText, renderTrials, trialNotRun, trialOutcome, trialsExitCode, type TrialsFile } from '../../../chaos/trials.ts';
import { UsageError } from '../../../core/errors.ts';
import { fakeResult } from '../../support/chaos-results.ts';

const pause = { lock: 'redis', fault: 'client-pause' } as const;
const usage = (re: RegExp) => (err: unknown): boolean => err instanceof UsageError && err.exitCode === 254 && re.test(err.message);

describe('one trial', () => {
  test('the time from the first fault to the earliest definite overlap in any view', () => {
    const r = fakeResult(pause, { verdict: 'invalid', firstOverlapAtMs: 3500 });
    assert.equal(firstViolationAfterFaultMs(r), 2500);
    const believed = fakeResult(pause, { verdict: 'invalid', firstOverlapAtMs: 3500 });
    const views = (believed.check.checkers.overlap as { views: Record<string, { firstDefiniteAtMs?: number }> }).views;
    (views['believed'] as { firstDefiniteAtMs?: number }).firstDefiniteAtMs = 1200;
    assert.equal(firstViolationAfterFaultMs(believed), 200, 'the earliest view wins');
    assert.equal(firstViolationAfterFaultMs(fakeResult(pause, { verdict: 'valid' })), null);
    assert.equal(firstViolationAfterFaultMs(fakeResult({ lock: 'redis', fault: 'none' }, { verdict: 'invalid' })), null, 'no fault, no time from it');
  });

  test('the first fault counts from its start op, and a construction background partition is no fault under study', () => {
    const r = fakeResult({ lock: 'redlock', fault: 'clock-skew' }, { verdict: 'invalid', firstOverlapAtMs: 5050 });
    const withConstruction = {
      ...r,
      faults: [{ id: 0, kind: 'partition', construction: true, scheduledAtMs: 0, startedMs: 100, targets: {} }, { id: 1, kind: 'clock-skew', construction: false, scheduledAtMs: 4000, startedMs: 5100, targets: {} }],
      // The jump broke the lease while the nemesis was still applying it (start op at 5000, verified at 5100).
      check: { ...r.check, faults: [{ fault: 'partition', startMs: 90, endMs: 9000, healed: true, value: { id: 0 } }, { fault: 'clock-skew', startMs: 5000, endMs: 7000, healed: true, value: { id: 1 } }] },
    } as typeof r;
    assert.equal(firstViolationAfterFaultMs(withConstruction), 50);
  });

  test('an outcome carries verdict, lost updates, liveness and whether it stopped early', () => {
    const t = trialOutcome(fakeResult(pause, { verdict: 'invalid', lost: 3, livenessOk: false }), 2, 'trial-2');
    assert.deepEqual([t.trial, t.seed, t.dir, t.completed, t.verdict, t.lostUpdates, t.livenessOk, t.definiteOverlaps], [2, 1, 'trial-2', true, 'invalid', 3, false, 2]);
    const cut = trialOutcome(fakeResult(pause, { verdict: 'valid', aborted: 'interrupted', lost: null }), 1, 'trial-1');
    assert.equal(cut.completed, false);
    assert.equal(cut.lostUpdates, null);
  });
});

describe('a lock client that crashed', () => {
  const crash = { clientId: 2, atMs: 4000, code: null, signal: 'SIGABRT', holding: 'k0', lastOutput: ["node: ../deps/uv/src/unix/core.c: uv__io_stop: Assertion `loop->watchers[w->fd] == w' failed."] };
  const crashed = fakeResult({ lock: 'zookeeper', fault: 'partition' }, { verdict: 'valid', clientCrashes: [crash] });

  test('counts in its trial and in the trials, completed or not, and the matrix shows it beside liveness', () => {
    assert.equal(trialOutcome(crashed, 1, 'trial-1').clientCrashes, 1);
    const trials = [trialOutcome(crashed, 1, 'trial-1'), trialOutcome(fakeResult({ lock: 'zookeeper', fault: 'partition' }, { verdict: 'valid' }), 2, 'trial-2'), trialNotRun(3, 3, 'no cluster', 0)];
    const stats = aggregateTrials(3, trials);
    assert.equal(stats.trialsWithClientCrashes, 1);
    const file: TrialsFile = { kind: 'trials', version: 1, id: 'trials-z', lock: 'zookeeper', fault: 'partition', options: crashed.options, planned: 3, interrupted: false, stats, trials, wallMs: 1000 };
    assert.match(renderTrials(file), /a lock client crashed \| 1 of 3 \|/);
    const cell = cellFrom('zookeeper', 'partition', crashed, 1);
    assert.equal(cell.clientCrashes, 1);
    assert.match(renderMatrix([cell], ['zookeeper'], ['partition'], 1000), /\| ok \(1 client crash\) \|/);
  });

  test('the summary names the client, the signal, the key it held and its last output', () => {
    const md = renderCrashSection(crashed, 0).join('\n');
    assert.match(md, /## Lock clients that crashed/);
    assert.match(md, /1 of 4 lock client processes died/);
    assert.match(md, /client 2 at 4\.000 s: signal SIGABRT, holding `k0`/);
    assert.match(md, /uv__io_stop: Assertion/);
    assert.deepEqual(renderCrashSection(fakeResult(pause, { verdict: 'valid' }), 0), [], 'no section without a crash');
  });
});

describe('aggregation', () => {
  const outcomes = [
    trialOutcome(fakeResult(pause, { verdict: 'invalid', firstOverlapAtMs: 2000, lost: 1 }), 1, 'trial-1'),
    trialOutcome(fakeResult(pause, { verdict: 'invalid', firstOverlapAtMs: 5000, lost: 0, livenessOk: false }), 2, 'trial-2'),
    trialOutcome(fakeResult(pause, { verdict: 'unknown', lost: null, recovery: { lastHealMs: 5000, healToFirstGrantMs: 40, longestNoGrantInFaultsMs: 2100, longestNoGrantFromMs: 1000, grantsInFaultPhase: 9 } }), 3, 'trial-3'),
    trialOutcome(fakeResult(pause, { verdict: 'valid', recovery: { lastHealMs: 5000, healToFirstGrantMs: 60, longestNoGrantInFaultsMs: 1900, longestNoGrantFromMs: 1000, grantsInFaultPhase: 9 } }), 4, 'trial-4'),
    trialOutcome(fakeResult(pause, { verdict: 'invalid', aborted: 'interrupted' }), 5, 'trial-5'),
  ];

  test('k invalid, u unknown of the N trials that completed, with the Wilson interval', () => {
    const s = aggregateTrials(6, outcomes);
    assert.deepEqual([s.planned, s.completed, s.invalid, s.unknown, s.valid, s.incomplete], [6, 4, 2, 1, 1, 1]);
    assert.equal(s.violationRate.rate, 0.5);
    assert.ok(Math.abs(s.violationRate.low - 0.1500) < 5e-4 && Math.abs(s.violationRate.high - 0.8500) < 5e-4, JSON.stringify(s.violationRate));
    assert.equal(s.verdict, 'invalid');
    assert.equal(s.medianFirstViolationMs, 2500, 'median of 1000 and 4000, over the two trials that had one');
    assert.equal(s.trialsWithViolationTime, 2);
    assert.deepEqual(s.lostUpdatesPerTrial, [1, 0, null, 0]);
    assert.equal(s.livenessFailures, 1);
    assert.equal(s.medianHealToFirstGrantMs, 50);
    assert.equal(s.maxLongestNoGrantInFaultsMs, 2100);
    assert.equal(rateText(s), 'invalid in 2 of 4 trials, 15–85%; 1 unknown');
  });

  test('all valid, all invalid, none completed', () => {
    const valid = aggregateTrials(2, [trialOutcome(fakeResult(pause, { verdict: 'valid' }), 1, 'a'), trialOutcome(fakeResult(pause, { verdict: 'valid' }), 2, 'b')]);
    assert.equal(rateText(valid), 'invalid in 0 of 2 trials, 0–66%');
    assert.equal(valid.verdict, 'valid');
    assert.equal(valid.medianFirstViolationMs, null);
    const invalid = aggregateTrials(2, [trialOutcome(fakeResult(pause, { verdict: 'invalid' }), 1, 'a'), trialOutcome(fakeResult(pause, { verdict: 'invalid' }), 2, 'b')]);
    assert.equal(rateText(invalid), 'invalid in 2 of 2 trials, 34–100%');
    const none = aggregateTrials(3, [trialNotRun(1, 7, 'cluster did not start', 10)]);
    assert.equal(none.verdict, 'not run');
    assert.equal(none.violationRate.rate, null);
    assert.equal(rateText(none), 'no trial completed (of 3)');
  });

  test('exit code: invalid over unknown over an unfinished trial over valid; Ctrl-C first', () => {
    const s = (invalid: number, unknown: number, incomplete: number) => ({ invalid, unknown, incomplete });
    assert.equal(trialsExitCode([s(1, 1, 1)], false), 1);
    assert.equal(trialsExitCode([s(0, 1, 1), s(0, 0, 0)], false), 2);
    assert.equal(trialsExitCode([s(0, 0, 1)], false), 255);
    assert.equal(trialsExitCode([s(0, 0, 0), s(0, 0, 0)], false), 0);
    assert.equal(trialsExitCode([s(1, 0, 0)], true), 130);
  });

  test('trials.md leads with the rate and lists every trial with its folder', () => {
    const file: TrialsFile = { kind: 'trials', version: 1, id: 'trials-x', lock: 'redis', fault: 'client-pause', options: fakeResult(pause, { verdict: 'valid' }).options, planned: 6, interrupted: true, stats: aggregateTrials(6, outcomes), trials: outcomes, wallMs: 1000 };
    const md = renderTrials(file);
    assert.match(md, /^# redis under client-pause: invalid in 2 of 4 trials, 15–85%; 1 unknown/);
    assert.match(md, /Interrupted/);
    assert.match(md, /\| 5 \| 1 \| invalid \(stopped early: interrupted\) \|/);
    assert.match(md, /\[trial-2\]\(trial-2\/summary\.md\)/);
  });

  test('a matrix cell over trials shows the rate in matrix.md, and sums its figures', () => {
    const results = [fakeResult(pause, { verdict: 'invalid', lost: 1 }), fakeResult(pause, { verdict: 'valid' })];
    const o = results.map((r, i) => trialOutcome(r, i + 1, `trial-${i + 1}`));
    const file = { kind: 'trials', version: 1, id: 'x', lock: 'redis', fault: 'client-pause', options: results[0]?.options, planned: 2, interrupted: false, stats: aggregateTrials(2, o), trials: o, wallMs: 1 } as TrialsFile;
    const cell = cellFromTrials('redis', 'client-pause', { dir: '/m/redis-client-pause', file, results, markdown: '' }, 60_000);
    assert.equal(cell.verdict, 'invalid');
    assert.equal(cell.definiteOverlaps, 2);
    assert.equal(cell.lostUpdates, 1);
    assert.equal(cell.ran, true);
    assert.equal(cell.trials?.completed, 2);
    const md = renderMatrix([cell], ['redis'], ['client-pause'], 60_000);
    assert.match(md, /\| redis \| invalid in 1 of 2 trials, 9–91% ⚠ \|/, 'the valid trial disagrees: a pause past the lease should overlap');
    assert.equal(cell.agrees, false);
    assert.match(md, /\| redis \| client-pause \| invalid in 1 of 2 trials, 9–91% \| 0 of 2 \|/);
  });
});

describe('validation before anything starts', () => {
  test('--trials is a whole number from 1 to 100', () => {
    assert.equal(parseTrials(undefined), 1);
    assert.equal(parseTrials(10), 10);
    for (const bad of [0, -1, 2.5, 101, Number.NaN]) assert.throws(() => parseTrials(bad), usage(/--trials must be a whole number from 1 to 100/), String(bad));
  });

  test('--sweep PARAM=V1,V2,…: a known parameter, numbers, at least two, no repeats', () => {
    assert.deepEqual(parseSweep('pause-multiple=0.5,1,2,4'), { param: 'pause-multiple', values: [0.5, 1, 2, 4] });
    assert.deepEqual(parseSweep('ttl= 1000, 2000'), { param: 'ttl', values: [1000, 2000] });
    assert.throws(() => parseSweep('hold=1,2'), usage(/PARAM one of pause-multiple, ttl, skew, restart-delay, session-timeout, latency/));
    assert.throws(() => parseSweep('ttl'), usage(/at least two comma-separated values/));
    assert.throws(() => parseSweep('ttl=1000'), usage(/at least two/));
    assert.throws(() => parseSweep('ttl=1000,,2000'), usage(/at least two/));
    assert.throws(() => parseSweep('ttl=1000,abc'), usage(/'abc' is not a number/));
    assert.throws(() => parseSweep('ttl=1000,1000'), usage(/repeated/));
    assert.equal(pointDir('pause-multiple', 0.5), 'pause-multiple=0.5');
  });

  test('every value is resolved through the chaos options up front, with one seed for all', () => {
    const points = sweepPoints({ lock: 'redlock', fault: 'crash' }, parseSweep('restart-delay=500,9000'));
    assert.deepEqual(points.map((p) => p.options.restartDelayMs), [500, 9000]);
    assert.equal(points[0]?.options.seed, points[1]?.options.seed);
    const ttl = sweepPoints({ lock: 'redis', fault: 'clock-skew', seed: 4 }, parseSweep('ttl=1000,10000'));
    assert.deepEqual(ttl.map((p) => [p.options.ttlMs, p.options.skewMs, p.options.seed]), [[1000, 20_000, 4], [10_000, 30_000, 4]], 'defaults that follow the TTL follow it at each value');
    assert.throws(() => sweepPoints({ lock: 'redis', fault: 'crash' }, parseSweep('ttl=1000,50')), usage(/--sweep ttl=50: --ttl must be a whole number of ms from 100/));
    assert.throws(() => sweepPoints({ lock: 'redis', fault: 'client-pause' }, parseSweep('pause-multiple=1,30')), usage(/--sweep pause-multiple=30: --pause-multiple must be > 0 and ≤ 20/));
    assert.throws(() => sweepPoints({ lock: 'redis', fault: 'client-pause', ttlMs: 3000 }, parseSweep('ttl=1000,2000')), usage(/drop --ttl, or drop --sweep/));
  });
});
