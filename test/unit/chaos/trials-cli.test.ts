// `lockbench chaos --trials / --sweep` with bad values, as a user runs it: a usage error (254) that
// says what to type, before anything starts — no run folder, no Docker (DOCKER_HOST points nowhere,
// so reaching Docker would fail with a different message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/cli.ts';

const cases: [args: string[], message: RegExp][] = [
  [['--trials', '0'], /--trials must be a whole number from 1 to 100, got 0/],
  [['--trials', '2.5'], /--trials must be a whole number from 1 to 100, got 2\.5/],
  [['--trials', '101'], /--trials must be a whole number from 1 to 100/],
  [['--trials', 'many'], /--trials takes a number, got 'many'/],
  [['--matrix', '--trials', '0'], /--trials must be a whole number/],
  [['--sweep', 'hold=1,2'], /--sweep takes PARAM=V1,V2,… with PARAM one of pause-multiple, ttl/],
  [['--sweep', 'ttl=1000'], /needs at least two comma-separated values/],
  [['--sweep', 'ttl=1000,50'], /--sweep ttl=50: --ttl must be a whole number of ms from 100 to 600000/],
  [['--fault', 'client-pause', '--sweep', 'pause-multiple=1,x'], /'x' is not a number/],
  [['--ttl', '3000', '--sweep', 'ttl=1000,2000'], /drop --ttl, or drop --sweep/],
  [['--matrix', '--sweep', 'ttl=1000,2000'], /--sweep .* does not combine with --matrix/],
  [['--sweep', 'ttl=1000,2000', '--trials', '0'], /--trials must be a whole number/],
];

test('bad --trials and --sweep values are usage errors (254) that start nothing', async () => {
  const results = mkdtempSync(join(tmpdir(), 'lockbench-trials-cli-'));
  try {
    const env = { LOCKBENCH_RESULTS: results, DOCKER_HOST: 'unix:///nonexistent/lockbench-test.sock', LOCKBENCH_QUIET: '1' };
    const runs = await Promise.all(cases.map(([args]) => runCli(['chaos', '--lock', 'redis', '--no-install-docker', ...args], { env, timeoutMs: 180_000 })));
    for (const [i, r] of runs.entries()) {
      const [args, message] = cases[i] ?? [[], /./];
      assert.equal(r.code, 254, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, /docker/i, `${args.join(' ')} never reached Docker`);
    }
    assert.deepEqual(readdirSync(results), [], 'no run folder was made');
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
