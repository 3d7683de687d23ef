// --systems as a user types it: every mistake is a usage error (254) that says what to type, before
// anything starts — no run folder, no Docker (DOCKER_HOST points nowhere, so reaching Docker would
// fail with another message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drivers, systemNames } from '../../../clusters/systems/registry.ts';
import { defaultClusterConfig } from '../../../clusters/topology.ts';
import { lockNames, lockSpecs } from '../../../locks/registry.ts';
import { runCli } from '../../support/cli.ts';

const only = systemNames[0] ?? '';
const otherLock = lockNames.find((l) => lockSpecs[l].model.system !== only) ?? '';
const otherSystem = lockSpecs[otherLock as keyof typeof lockSpecs].model.system;
const otherFlag = drivers.find((d) => d.name === otherSystem)?.config.options.find((o) => o.type === 'number')?.flag ?? '';
const leavesOut = new RegExp(`lock '${otherLock}' runs on ${otherSystem}, which --systems ${only} leaves out; add it \\(--systems [a-z,]*\\)`);

const cases: [args: string[], message: RegExp][] = [
  [['up', '--systems', 'mysql'], new RegExp(`no backing system named 'mysql'; choose from ${systemNames.join(', ')}`)],
  [['up', '--systems', ','], /--systems needs at least one of/],
  [['up', '--systems', only, `--${otherFlag}`, '7'], new RegExp(`--${otherFlag} 7 sets ${otherSystem}, which --systems ${only} leaves out`)],
  [['bench', '--systems', only, '--locks', otherLock], leavesOut],
  [['chaos', '--systems', only, '--lock', otherLock], leavesOut],
  [['chaos', '--systems', only, '--matrix', '--locks', otherLock, '--faults', 'none'], leavesOut],
  [['chaos', '--systems', 'mysql'], /no backing system named 'mysql'/],
];

test('--systems mistakes are usage errors (254) that start nothing', { timeout: 240_000 }, async () => {
  assert.ok(only && otherLock && otherFlag, 'needs two systems, each with a lock and a number flag');
  const results = mkdtempSync(join(tmpdir(), 'lockbench-systems-cli-'));
  try {
    const env = { LOCKBENCH_RESULTS: results, DOCKER_HOST: 'unix:///nonexistent/lockbench-test.sock', LOCKBENCH_QUIET: '1' };
    const runs = await Promise.all(cases.map(([args]) => runCli([...args, '--no-install-docker'], { env, timeoutMs: 180_000 })));
    for (const [i, r] of runs.entries()) {
      const [args, message] = cases[i] ?? [[], /./];
      assert.equal(r.code, 254, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.doesNotMatch(r.stderr, /docker/i, `${args.join(' ')} never reached Docker`);
    }
    // The cluster-size cases' temporary cluster overlapping the run's ports is refused before anything starts too.
    const overlap = await runCli(['bench', '--systems', only, '--no-install-docker'], { env: { ...env, LOCKBENCH_SIZE_PORT_BASE: String(defaultClusterConfig.portBase + 500) }, timeoutMs: 180_000 });
    assert.equal(overlap.code, 254, overlap.stderr);
    assert.match(overlap.stderr, /would share ports with the run's cluster/);
    assert.doesNotMatch(overlap.stderr, /docker/i);
    assert.deepEqual(readdirSync(results), [], 'no run folder was made');
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
