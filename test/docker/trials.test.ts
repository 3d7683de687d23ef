// `chaos --trials 2` on the real cluster: two trials of one short scenario, each in its own folder
// with its own seed, trials.json whose rate matches the trials' verdicts, and the exit code the
// verdicts call for. The verdicts themselves are not asserted: the test is about the aggregation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aggregateTrials, trialsExitCode, type TrialsFile } from '../../chaos/trials.ts';
import { wilsonInterval } from '../../core/stats.ts';
import { runCli } from '../support/cli.ts';
import { useTestCluster } from '../support/cluster.ts';

useTestCluster();

test('chaos --trials 2: two trial folders, trials.json with the rates, and the exit code from the verdicts', async () => {
  const seed = 31;
  const r = await runCli(['chaos', '--lock', 'redis', '--fault', 'client-pause', '--trials', '2', '--duration', '4', '--warmup', '1', '--seed', String(seed), '--json'], { timeoutMs: 400_000 });
  const out = JSON.parse(r.stdout) as TrialsFile & { dir: string };
  assert.equal(out.kind, 'trials', r.stderr);
  assert.equal(out.planned, 2);
  assert.equal(out.interrupted, false);
  assert.deepEqual(out.trials.map((t) => [t.trial, t.seed, t.dir, t.completed]), [[1, seed, 'trial-1', true], [2, seed + 1, 'trial-2', true]], JSON.stringify(out.trials.map((t) => t.aborted)));

  for (const t of out.trials) {
    const dir = join(out.dir, t.dir ?? '');
    for (const f of ['manifest.json', 'history.jsonl', 'audit.jsonl', 'results.json', 'summary.md', 'report.html']) assert.ok(existsSync(join(dir, f)), `${t.dir}/${f}`);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { verdict: string; options: { seed: number }; recovery?: { longestNoGrantInFaultsMs: number | null } };
    assert.equal(results.verdict, t.verdict);
    assert.equal(results.options.seed, t.seed);
    assert.ok(results.recovery !== undefined && results.recovery.longestNoGrantInFaultsMs !== null, 'recovery figures in results.json');
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /## Recovery/);
  }

  const onDisk = JSON.parse(readFileSync(join(out.dir, 'trials.json'), 'utf8')) as TrialsFile;
  assert.deepEqual(onDisk.stats, out.stats);
  const invalid = out.trials.filter((t) => t.verdict === 'invalid').length;
  assert.equal(out.stats.completed, 2);
  assert.equal(out.stats.invalid, invalid);
  assert.equal(out.stats.unknown, out.trials.filter((t) => t.verdict === 'unknown').length);
  assert.deepEqual(out.stats.violationRate, wilsonInterval(invalid, 2));
  assert.deepEqual(out.stats, aggregateTrials(2, out.trials));
  assert.equal(r.code, trialsExitCode([out.stats], false), r.stderr);
  assert.match(readFileSync(join(out.dir, 'trials.md'), 'utf8'), new RegExp(`invalid in ${invalid} of 2 trials`));
  assert.ok(existsSync(join(out.dir, 'report.html')));
});
