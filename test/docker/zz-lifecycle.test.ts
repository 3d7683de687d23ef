// Tearing down: `down` is idempotent, and Ctrl-C during `up` leaves nothing behind. Named to run
// after the other Docker test files, because it removes the shared cluster. (down's own `up` reuses
// the cluster zy-outside-faults repaired; the Ctrl-C test then starts from none.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerClient } from '../../clusters/docker-engine.ts';
import { listProjectContainers } from '../../clusters/docker-objects.ts';
import { defaultClusterConfig, planCluster } from '../../clusters/topology.ts';
import { collect, interruptGroup, runCli, shellStatus, spawnNpmJob } from '../support/cli.ts';

const docker = dockerClient();

async function projectNetworks(): Promise<number> {
  return (await docker.listNetworks({ filters: { label: ['lockbench=true', `lockbench.cluster=${defaultClusterConfig.name}`] } })).length;
}

test('down removes every container and network, and a second down is a no-op', async () => {
  const up = await runCli(['up'], { timeoutMs: 180_000 });
  assert.equal(up.code, 0, up.stderr);
  assert.ok((await listProjectContainers(docker, defaultClusterConfig.name)).length >= 9);
  const first = await runCli(['down']);
  assert.equal(first.code, 0, first.stderr);
  // Every planned node plus the Toxiproxy container, whatever the registry holds.
  const expected = planCluster(defaultClusterConfig).nodes.length + 1;
  assert.match(first.stdout, new RegExp(`removed ${expected} container\\(s\\) and 1 network\\(s\\)`));
  assert.equal((await listProjectContainers(docker, defaultClusterConfig.name)).length, 0);
  const second = await runCli(['down']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /removed 0 container\(s\) and 0 network\(s\)/);
  const status = await runCli(['status', '--json']);
  assert.equal(status.code, 1);
  assert.equal((JSON.parse(status.stdout) as { running: boolean }).running, false);
});

test('Ctrl-C while up is starting the cluster leaves no container or network behind', async () => {
  const down = await runCli(['down']);
  assert.equal(down.code, 0, down.stderr);
  // As a terminal sends it: SIGINT to the whole process group of `npm run up` (npm relays it once more).
  const child = spawnNpmJob(['up']);
  const result = collect(child, 120_000);
  // Interrupt once the containers are being created.
  let sent = false;
  child.stderr?.on('data', (b: Buffer) => {
    if (!sent && b.toString().includes('starting ')) {
      sent = true;
      interruptGroup(child);
    }
  });
  const r = await result;
  assert.ok(sent, `up never reported starting the cluster:\n${r.stderr}`);
  assert.equal(shellStatus(r), 130, r.stderr);
  assert.equal(r.stderr.match(/SIGINT received, cleaning up/g)?.length, 1, `one key press is one interrupt:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /without cleanup/);
  assert.equal((await listProjectContainers(docker, defaultClusterConfig.name)).length, 0);
  assert.equal(await projectNetworks(), 0);
});
