// The evidence table combines trials of one scenario only: hand-written runs in a temp results
// folder, where default and delayed-restart crash runs must never share a cell, a fencing run gets
// its own row (and still feeds the fencing rows), and a run cut short is not counted.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveChaosOptions } from '../../../chaos/options.ts';
import { scenarioOf } from '../../../chaos/scenario.ts';
import { findChaosRuns, groupByScenario } from '../../../report/evidence-runs.ts';
import { renderEvidence } from '../../../report/index.ts';
import { writeFakeRun } from '../../support/chaos-results.ts';

const crash = { lock: 'redlock', fault: 'crash' } as const;
const delayed = { ...crash, restartDelayMs: 9000 };

describe('scenario identity', () => {
  test('the lock × fault defaults are the default scenario, whatever the seed, duration or clients', () => {
    const a = scenarioOf(resolveChaosOptions({ ...crash, seed: 1 }));
    const b = scenarioOf(resolveChaosOptions({ ...crash, seed: 2, durationMs: 20_000, clients: 6 }));
    assert.equal(a.key, b.key);
    assert.ok(a.isDefault);
    assert.equal(a.label, '');
  });

  test('a delayed restart, fencing, a partition shape, a pause length are each their own scenario, labelled', () => {
    const d = scenarioOf(resolveChaosOptions(delayed));
    assert.notEqual(d.key, scenarioOf(resolveChaosOptions(crash)).key);
    assert.equal(d.isDefault, false);
    assert.equal(d.label, 'delayed restart (restart-delay 9000 ms > TTL 8000 ms)');
    assert.equal(scenarioOf(resolveChaosOptions({ lock: 'zookeeper', fault: 'client-pause', fencing: true })).label, 'fencing');
    assert.equal(scenarioOf(resolveChaosOptions({ lock: 'zookeeper', fault: 'partition', partitionShape: 'isolate-leader' })).label, 'shape isolate-leader');
    assert.equal(scenarioOf(resolveChaosOptions({ lock: 'redis', fault: 'client-pause', pauseMultiple: 4 })).label, 'pause 4× lease');
    assert.equal(scenarioOf(resolveChaosOptions({ lock: 'redis', fault: 'clock-skew', ttlMs: 10_000 })).label, 'TTL 10000 ms', 'the clock jump that follows the TTL is not named');
  });

  test('options a stored run does not record count as their defaults; a lock module is never the default', () => {
    assert.ok(scenarioOf({ lock: 'redis', fault: 'crash', ttlMs: 8000 }).isDefault);
    const lockModel = { system: 'redis', lease: 'ttl', family: 'single', nodes: 'first', partitionSide: 'client', fencingTokens: false } as const;
    const m = scenarioOf(resolveChaosOptions({ lock: 'redis', fault: 'none', modulePath: 'examples/lock-module-redis.ts', lockModel }));
    assert.equal(m.isDefault, false);
    assert.equal(m.label, 'module lock-module-redis.ts');
  });
});

describe('the evidence table over stored trials', () => {
  test('default and delayed-restart crash runs never mix; a fencing run has its own row; runs cut short do not count', async () => {
    const results = mkdtempSync(join(tmpdir(), 'lockbench-evidence-'));
    try {
      // Three default trials (two invalid), then a newer delayed-restart run that is valid: today's
      // bug read the newest one and called redlock VALID under crash.
      writeFakeRun(results, 'trials-redlock-crash-20261201-100000Z-aa01/trial-1', { ...crash, seed: 5 }, { verdict: 'invalid' }, '2026-12-01T10:00:00.000Z');
      writeFakeRun(results, 'trials-redlock-crash-20261201-100000Z-aa01/trial-2', { ...crash, seed: 6 }, { verdict: 'valid' }, '2026-12-01T10:01:00.000Z');
      writeFakeRun(results, 'trials-redlock-crash-20261201-100000Z-aa01/trial-3', { ...crash, seed: 7 }, { verdict: 'invalid' }, '2026-12-01T10:02:00.000Z');
      writeFakeRun(results, 'trials-redlock-crash-20261201-100000Z-aa01/trial-4', { ...crash, seed: 8 }, { verdict: 'invalid', aborted: 'interrupted' }, '2026-12-01T10:03:00.000Z');
      writeFakeRun(results, 'chaos-redlock-crash-20261201-120000Z-bb02', { ...delayed, ttlMs: 8000 }, { verdict: 'valid' }, '2026-12-01T12:00:00.000Z');
      // A matrix scenario folder of one run (the layout without --trials) is a trial of its scenario too.
      writeFakeRun(results, 'matrix-20261201-090000Z-cc03/redis-crash', { lock: 'redis', fault: 'crash' }, { verdict: 'invalid' }, '2026-12-01T09:00:00.000Z');
      writeFakeRun(results, 'chaos-zookeeper-client-pause-20261201-130000Z-dd04', { lock: 'zookeeper', fault: 'client-pause', fencing: true }, { verdict: 'invalid', lost: 0, tokenedWrites: 12 }, '2026-12-01T13:00:00.000Z');
      writeFakeRun(results, 'sweep-redis-client-pause-pause-multiple-20261201-140000Z-ee05/pause-multiple=4/trial-1', { lock: 'redis', fault: 'client-pause', pauseMultiple: 4 }, { verdict: 'invalid' }, '2026-12-01T14:00:00.000Z');

      const runs = await findChaosRuns(results);
      assert.equal(runs.length, 8);
      assert.equal(groupByScenario(runs).length, 5);

      const out = await renderEvidence(results);
      const md = readFileSync(out.md, 'utf8');
      const rowOf = (area: string, what: string): string[] => {
        const line = md.split('\n').find((l) => l.startsWith(`| ${area} | ${what} |`));
        assert.ok(line, `a row "${what}" in:\n${md}`);
        return line.replace(/ \|$/, '').split(' | ').slice(2);
      };
      const row = (what: string): string[] => rowOf('behaviour under failure', what);
      // The lock columns as the header names them (every registered lock has one).
      const header = (md.split('\n').find((l) => l.startsWith('| area | what |')) ?? '').replace(/ \|$/, '').split(' | ').slice(2);
      const zk = header.indexOf('zookeeper');
      assert.ok(zk > 0, header.join(', '));
      const [redisCrash, redlockCrash] = row('under crash');
      assert.match(redlockCrash ?? '', /^\[invalid in 2 of 3 trials, 21–94%; 0 lost per trial; 1 stopped early, not counted; ⚠ unexpected in 1\]\(evidence-trials\/redlock-crash\.html\)$/);
      assert.doesNotMatch(redlockCrash ?? '', /VALID/);
      // The valid default trial is the unexpected one: a master restarted empty should re-grant.
      assert.match(redisCrash ?? '', /^\[INVALID; 2 overlaps; 0 lost\]\(matrix-20261201-090000Z-cc03\/redis-crash\/results\.json\)$/);
      const [, delayedCell] = row('under crash, delayed restart (restart-delay 9000 ms > TTL 8000 ms)');
      assert.match(delayedCell ?? '', /^\[VALID; 0 overlaps; 0 lost\]\(chaos-redlock-crash-20261201-120000Z-bb02\/results\.json\)$/);
      assert.equal(row('under crash, delayed restart (restart-delay 9000 ms > TTL 8000 ms)')[0], 'no run', 'other locks have no such run');
      assert.match(row('under client-pause, fencing')[zk] ?? '', /^\[INVALID; 2 overlaps; 0 lost; fencing on\]/);
      assert.equal(row('under client-pause')[zk], 'no run', 'the fencing run is not a plain client-pause trial');
      assert.match(row('under client-pause, pause 4× lease')[0] ?? '', /^\[INVALID/);
      const tokens = rowOf('fencing', 'fencing token with each grant');
      assert.deepEqual(tokens.slice(0, zk), header.slice(0, zk).map(() => 'no run with --fencing'));
      assert.match(tokens[zk] ?? '', /^\[yes: 12 writes carried a token; tokens strictly increase\]/);

      const list = readFileSync(join(results, 'evidence-trials', 'redlock-crash.md'), 'utf8');
      assert.match(list, /^# redlock under crash: invalid in 2 of 3 trials, 21–94%/);
      for (const n of [1, 2, 3, 4]) assert.match(list, new RegExp(`\\]\\(\\.\\./trials-redlock-crash-20261201-100000Z-aa01/trial-${n}/results\\.json\\)`));
      assert.doesNotMatch(list, /chaos-redlock-crash/, 'the delayed-restart run is not in the default list');
      assert.match(list, /stopped early, not counted/);
      assert.ok(readFileSync(join(results, 'evidence-trials', 'redlock-crash.html'), 'utf8').includes('<table>'));
    } finally {
      rmSync(results, { recursive: true, force: true });
    }
  });
});
