// Malformed invocations of every command, as a user types them (issue 16): each is a usage error —
// exit 254, one line on stderr that names the flag, no stack trace — and none starts anything: no
// run folder, and Docker is never reached (DOCKER_HOST points nowhere, so reaching it would fail
// with a different message and exit code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lockbench-malformed-'));
const notJson = join(scratch, 'target.json');
writeFileSync(notJson, '{not json');
const noExports = join(scratch, 'empty-lock.mjs');
writeFileSync(noExports, 'export const nothing = 1;\n');
const throwsOnLoad = join(scratch, 'broken-lock.mjs');
writeFileSync(throwsOnLoad, "throw new Error('this lock module is broken');\n");
const notJs = join(scratch, 'syntax-lock.mjs');
writeFileSync(notJs, 'export const = ;\n');

const cases: [args: string[], message: RegExp][] = [
  [[], /Name a command/],
  [['fly'], /Unknown argument: fly|Did you mean/],
  [['up', '--systems', 'mysql'], /--systems/],
  [['up', '--redis-nodes', '0'], /redis/i],
  [['up', '--zk-nodes', '2'], /zk|ZooKeeper/i],
  [['up', '--port-base', 'abc'], /--port-base takes a number, got 'abc'/],
  [['status', '--redis', 'nohost'], /--redis takes host:port/],
  [['status', '--target', 'cloud'], /--target takes lab or external, got 'cloud'/],
  [['status', '--target-file', join(scratch, 'missing.json')], /--target-file: cannot read/],
  [['status', '--target-file', notJson], /is not JSON/],
  [['status', '--sentinel', '127.0.0.1:26379'], /--sentinel needs --sentinel-master NAME/],
  [['status', '--zookeeper', 'a:1,a:1'], /--zookeeper names a:1 twice/],
  [['bench', '--locks', 'consul'], /--locks/],
  [['bench', '--clients', '0'], /--clients/],
  [['bench', '--clients', '1,x'], /--clients: 'x' is not a whole number/],
  [['bench', '--keys', 'lots'], /--keys/],
  [['bench', '--duration', 'abc'], /--duration takes a number, got 'abc'/],
  [['bench', '--duration', '-1'], /--duration/],
  [['bench', '--max-rate', '0', '--redis', '127.0.0.1:1'], /--max-rate must be a whole number/],
  [['bench', '--latency', 'x'], /--latency/],
  [['bench', '--redis', '127.0.0.1:70000'], /--redis takes host:port with a port from 1 to 65535/],
  [['bench', '--redis', 'a:1,a:1'], /names a:1 twice/],
  [['bench', '--redis', 'a:1', '--systems', 'redis'], /--systems/],
  [['chaos', '--lock', 'redis', '--warmup', 'soon'], /--warmup takes a number, got 'soon'/],
  [['chaos', '--lock', 'consul'], /--lock must be one of/],
  [['chaos', '--lock', 'redis', '--fault', 'meteor'], /--fault/],
  [['chaos', '--lock', 'redis', '--duration', 'abc'], /--duration takes a number, got 'abc'/],
  [['chaos', '--lock', 'redis', '--duration', '0'], /--duration must be between 1 and 3600 seconds, got 0/],
  [['chaos', '--lock', 'redis', '--clients', '99'], /--clients must be a whole number from 1 to 32, got 99/],
  [['chaos', '--lock', 'redis', '--ttl', '5'], /--ttl/],
  [['chaos', '--lock', 'redis', '--seed', 'x'], /--seed takes a number, got 'x'/],
  [['chaos', '--lock', 'redis', '--trials', 'many'], /--trials takes a number, got 'many'/],
  [['chaos', '--lock', 'redis', '--sweep', 'hold=1,2'], /--sweep takes PARAM=V1,V2/],
  [['chaos', '--lock', 'redis', '--partition-shape', 'star'], /--partition-shape/],
  [['chaos', '--lock-module', join(scratch, 'nonexistent.ts')], /--lock-module .*: no such file/],
  [['chaos', '--lock-module', noExports], /--lock-module/],
  [['chaos', '--lock-module', throwsOnLoad], /--lock-module/],
  [['chaos', '--lock-module', notJs], /--lock-module/],
  // Unknown flags that take no value: yargs's strict mode reports them, and nothing may run first.
  [['up', '--bogus'], /Unknown argument: bogus/],
  [['down', '--bogus'], /Unknown argument: bogus/],
  [['status', '--bogus'], /Unknown argument: bogus/],
  [['bench', '--quick', '--bogus'], /Unknown argument: bogus/],
  [['chaos', '--lock', 'redis', '--fencng'], /Unknown argument: fencng/],
  [['chaos', '--lock', 'redis', '--fault', 'crash', '--redis', '127.0.0.1:1'], /--fault crash needs control of the servers/],
  [['chaos', '--lock', 'redis', '--namespace', 'a/../b', '--redis', '127.0.0.1:1'], /--namespace takes segments/],
  [['check'], /run|Not enough/i],
  [['check', join(scratch, 'no-such-run')], /no-such-run/],
  [['report', join(scratch, 'no-such-run')], /no-such-run/],
  [['report', '--evidence', join(scratch, 'no-such-dir')], /no-such-dir/],
];

/** The commands that may install Docker are told not to: a case that got that far would try. */
const withoutDockerInstall = (args: readonly string[]): string[] => (['up', 'bench', 'chaos'].includes(args[0] ?? '') ? [...args, '--no-install-docker'] : [...args]);

test(`${cases.length} malformed invocations: exit 254, one line without a stack trace, nothing started`, { timeout: 240_000 }, async () => {
  assert.ok(cases.length >= 40, `the table holds ${cases.length} cases`);
  const results = mkdtempSync(join(tmpdir(), 'lockbench-malformed-results-'));
  try {
    const env = { LOCKBENCH_RESULTS: results, DOCKER_HOST: 'unix:///nonexistent/lockbench-test.sock', LOCKBENCH_QUIET: '1' };
    // Four at a time: each is a whole CLI start.
    const runs: Awaited<ReturnType<typeof runCli>>[] = [];
    for (let i = 0; i < cases.length; i += 4) {
      runs.push(...(await Promise.all(cases.slice(i, i + 4).map(([args]) => runCli(withoutDockerInstall(args), { env, timeoutMs: 60_000 })))));
    }
    for (const [i, r] of runs.entries()) {
      const [args, message] = cases[i] ?? [[], /./];
      const what = `lockbench ${args.join(' ')}`;
      assert.equal(r.code, 254, `${what}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, message, what);
      assert.doesNotMatch(r.stderr, /\n\s+at \S+ \(|internal error/, `${what}: a stack trace or an internal error\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /docker/i, `${what} never reached Docker`);
      assert.equal(r.stdout, '', `${what}: nothing ran, so nothing was printed on stdout`);
    }
    assert.deepEqual(readdirSync(results), [], 'no run folder was made');
  } finally {
    rmSync(results, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
});
