// The soak, short (issue 16): two minutes of mixed faults (a dozen steps) through the CLI, as
// `npm run chaos -- --fault mix --duration 1800` runs half an hour of them. It must run to the end
// with a verdict, complete files, and the harness's footprint recorded at start, middle and end;
// the open file descriptors may not grow with the run (the workload is the same throughout). The
// half-hour run's figures are in the closing note of the session that added this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChaosResult } from '../../chaos/result.ts';
import { runCli } from '../support/cli.ts';
import { useTestCluster } from '../support/cluster.ts';

useTestCluster();

test('two minutes of mixed faults (a dozen steps): runs to the end, files complete, harness footprint recorded and fds flat', { timeout: 400_000 }, async (t) => {
  const results = mkdtempSync(join(tmpdir(), 'lockbench-soak-'));
  try {
    const r = await runCli(['chaos', '--lock', 'redis', '--fault', 'mix', '--duration', '110', '--warmup', '1', '--seed', '16'], { env: { LOCKBENCH_RESULTS: results }, timeoutMs: 360_000 });
    assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `a verdict, not an error: exit ${r.code}\n${r.stderr.slice(-3000)}`);
    // A long schedule waits on the run's signal in every step at once; Node must not call that a leak.
    assert.doesNotMatch(r.stderr, /MaxListenersExceededWarning/);
    const dir = /results in (\S+)/.exec(r.stderr)?.[1];
    assert.ok(dir, r.stderr.slice(-2000));
    const result = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ChaosResult;
    assert.equal(result.aborted, null);
    assert.ok(result.faults.length >= 3 && result.faults.every((f) => f.healedMs !== undefined), `several faults, all healed: ${result.faults.map((f) => f.kind).join(', ')}`);
    assert.deepEqual({ history: result.check.run.skippedLines.history, audit: result.check.run.skippedLines.audit, malformedOps: result.check.run.malformedOps }, { history: 0, audit: 0, malformedOps: 0 });
    assert.ok((result.check.run.auditEntries ?? 0) > 0 && result.check.run.ops > 0);
    const usage = result.harness?.usage ?? [];
    assert.deepEqual(usage.map((u) => u.at), ['start', 'middle', 'end']);
    const [start, , end] = usage;
    assert.ok(start && end && start.openFds !== null && end.openFds !== null);
    // A handful either way is sockets opening and closing; a leak grows with every op or fault.
    assert.ok(end.openFds - start.openFds <= 10, `open fds ${usage.map((u) => u.openFds).join(' → ')}`);
    t.diagnostic(`harness RSS ${usage.map((u) => (u.rssBytes / 2 ** 20).toFixed(0)).join(' → ')} MiB, heap ${usage.map((u) => (u.heapUsedBytes / 2 ** 20).toFixed(0)).join(' → ')} MiB, open fds ${usage.map((u) => u.openFds).join(' → ')}, ${result.check.run.ops} ops`);
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /## The harness itself\n\nRSS \d+ → \d+ → \d+ MiB, heap \d+ → \d+ → \d+ MiB, open fds/);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
