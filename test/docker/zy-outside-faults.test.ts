// Faults from outside the harness (issue 16): the resource process killed, and a node container
// removed by someone else, in the middle of a chaos run. Each must end the run with its cause
// (exit 255, never a verdict as if nothing happened), heal what it can and name what it could not;
// the next `up` repairs the cluster. (A lock client killed from outside is recorded as a crash and
// the run goes on: chaos.test.ts. Named to run just before zz-lifecycle, which removes the cluster.)
// The Docker engine stopped mid-run is tested only where asked (LOCKBENCH_TEST_ENGINE_RESTART=1,
// as CI does) and only on an engine `npm run setup` started: it stops every container on it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKERD_LOG, dockerClient } from '../../clusters/docker-engine.ts';
import { defaultClusterConfig, planCluster } from '../../clusters/topology.ts';
import { withDeadline } from '../../core/wait.ts';
import { collect, runCli, spawnCli, type CliResult } from '../support/cli.ts';
import { useTestCluster } from '../support/cluster.ts';
import { childrenMatching, running } from '../support/process-alive.ts';

useTestCluster();
const resultsDir = mkdtempSync(join(tmpdir(), 'lockbench-outside-'));
after(() => rmSync(resultsDir, { recursive: true, force: true }));
const env = { LOCKBENCH_RESULTS: resultsDir };

/** A chaos run without faults of its own, with `strike` done once its fault phase begins. */
async function runStruck(strike: (cliPid: number) => Promise<void>): Promise<CliResult & { struck: boolean }> {
  const child = spawnCli(['chaos', '--lock', 'redis', '--fault', 'none', '--duration', '30', '--warmup', '1', '--seed', '3'], env);
  const done = collect(child, 300_000);
  let struck = false;
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (!struck && stderr.includes('phase: faults') && child.pid !== undefined) {
      struck = true;
      void strike(child.pid);
    }
  });
  return { ...(await done), struck };
}

function resultsOf(r: CliResult): { aborted: string | null } {
  const dir = /results in (\S+)/.exec(r.stderr)?.[1];
  assert.ok(dir, r.stderr.slice(-2000));
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { aborted: string | null };
}

test('the resource process killed from outside: the run stops with that cause, not a verdict', { timeout: 330_000 }, async () => {
  const r = await runStruck((cliPid) => {
    const [resource] = childrenMatching(cliPid, /resource/);
    assert.ok(resource !== undefined, 'the resource process is a child of the CLI');
    process.kill(resource, 'SIGKILL');
    return Promise.resolve();
  });
  assert.ok(r.struck, r.stderr.slice(-2000));
  assert.equal(r.code, 255, r.stderr.slice(-3000));
  assert.match(r.stderr, /the resource process \(pid \d+\) exited during the run \(signal SIGKILL\)/);
  assert.match(r.stdout, /up to where the run stopped early \(the resource process/);
  assert.match(resultsOf(r).aborted ?? '', /resource process .* exited during the run/);
});

test('a node container removed from outside: the run stops, says what it could not heal, and the next up repairs the cluster', { timeout: 600_000 }, async () => {
  const docker = dockerClient();
  const victim = planCluster(defaultClusterConfig).nodes.find((n) => n.name === 'redis-3');
  assert.ok(victim);
  const r = await runStruck(async () => {
    await docker.getContainer(victim.container).remove({ force: true });
  });
  assert.ok(r.struck, r.stderr.slice(-2000));
  assert.equal(r.code, 255, r.stderr.slice(-3000));
  assert.match(r.stderr, /node redis-3 \(container \S+\) was removed by something outside lockbench during the run/);
  assert.match(r.stderr, /could not heal redis-3: its container is gone \(removed outside lockbench\)\. `npm run up` repairs the cluster/);
  assert.match(resultsOf(r).aborted ?? '', /removed by something outside lockbench/);
  const up = await runCli(['up', '--json'], { timeoutMs: 300_000 });
  assert.equal(up.code, 0, up.stderr.slice(-3000));
  const status = JSON.parse(up.stdout) as { nodes: { name: string; state: string }[] };
  assert.deepEqual(
    status.nodes.filter((n) => n.state !== 'running').map((n) => `${n.name}: ${n.state}`),
    [],
  );
  assert.ok(status.nodes.some((n) => n.name === 'redis-3'));
});

/** The pid of a dockerd whose output goes to lockbench's log (one `npm run setup` started), if any. */
function lockbenchDockerd(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'dockerd') continue;
      if (readlinkSync(`/proc/${entry}/fd/1`) === DOCKERD_LOG) return Number(entry);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return undefined;
}

const engineRestart = process.env['LOCKBENCH_TEST_ENGINE_RESTART'] === '1';

test(
  'the Docker engine stopped from outside: the run stops with that cause, says the engine does not answer and how to go on, and setup then up repair the cluster',
  { timeout: 600_000, skip: engineRestart ? false : 'set LOCKBENCH_TEST_ENGINE_RESTART=1 to stop and restart the Docker engine (CI does)' },
  async () => {
    const dockerd = lockbenchDockerd();
    assert.ok(dockerd !== undefined, `no dockerd writing to ${DOCKERD_LOG}: this test stops only an engine \`npm run setup\` started`);
    try {
      const r = await runStruck(() => {
        process.kill(dockerd, 'SIGTERM');
        return Promise.resolve();
      });
      assert.ok(r.struck, r.stderr.slice(-2000));
      assert.equal(r.code, 255, r.stderr.slice(-3000));
      assert.match(r.stderr, /the Docker engine stopped answering during the run/);
      assert.match(r.stderr, /could not heal .*the Docker engine does not answer \(restarted or stopped from outside\?\): start it with `npm run setup`; then `npm run up` repairs the cluster/);
      assert.match(resultsOf(r).aborted ?? '', /Docker engine stopped answering/);
    } finally {
      // The engine finishes stopping its containers before it exits; setup starts a new one.
      await withDeadline(
        (async () => {
          while (running(dockerd)) await new Promise((resolve) => setTimeout(resolve, 200));
        })(),
        `dockerd (pid ${dockerd}) to exit after SIGTERM`,
        120_000,
      );
      const setup = await runCli(['setup'], { timeoutMs: 300_000 });
      assert.equal(setup.code, 0, setup.stderr.slice(-3000));
    }
    const up = await runCli(['up', '--json'], { timeoutMs: 300_000 });
    assert.equal(up.code, 0, up.stderr.slice(-3000));
    const status = JSON.parse(up.stdout) as { nodes: { name: string; state: string }[] };
    assert.deepEqual(
      status.nodes.filter((n) => n.state !== 'running').map((n) => `${n.name}: ${n.state}`),
      [],
    );
  },
);
