// --systems on the real engine, on a cluster of its own (LOCKBENCH_CLUSTER=sel, port base 23000) so
// it never touches the shared one: `up --systems <first>` starts only that system's nodes and the
// proxy, a lock on another system is refused (254) before anything starts, and `down` leaves nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerClient } from '../../clusters/docker-engine.ts';
import { listProjectContainers } from '../../clusters/docker-objects.ts';
import { LABEL_NODE, LABEL_ROLE, LABEL_SYSTEM } from '../../clusters/labels.ts';
import { systemNames } from '../../clusters/systems/registry.ts';
import { lockNames, lockSpecs } from '../../locks/registry.ts';
import { runCli } from '../support/cli.ts';

const CLUSTER = 'sel';
const env = { LOCKBENCH_CLUSTER: CLUSTER, LOCKBENCH_PORT_BASE: '23000' };
const docker = dockerClient();
const only = systemNames[0];
const otherLock = lockNames.find((l) => lockSpecs[l].model.system !== only);

const containers = () => listProjectContainers(docker, CLUSTER);
const networks = async (): Promise<number> => (await docker.listNetworks({ filters: { label: ['lockbench=true', `lockbench.cluster=${CLUSTER}`] } })).length;
const down = async (): Promise<void> => {
  const r = await runCli(['down'], { env });
  assert.equal(r.code, 0, r.stderr);
};

before(down, { timeout: 60_000 });
after(down, { timeout: 60_000 });

test('a lock on a system --systems leaves out is refused with 254 before anything starts', { timeout: 120_000 }, async () => {
  assert.ok(only && otherLock, 'needs two systems with a lock each');
  const system = lockSpecs[otherLock].model.system;
  const refused = [
    ['bench', '--systems', only, '--locks', otherLock, '--quick'],
    ['chaos', '--systems', only, '--lock', otherLock, '--fault', 'none'],
    ['chaos', '--systems', only, '--matrix', '--locks', otherLock, '--faults', 'none'],
  ];
  for (const argv of refused) {
    const r = await runCli(argv, { env });
    assert.equal(r.code, 254, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`runs on ${system}, which --systems ${only} leaves out; add it \\(--systems [a-z,]*${system}`), argv.join(' '));
  }
  assert.equal((await containers()).length, 0, 'nothing was started');
  assert.equal(await networks(), 0);
});

test('up --systems starts only that system and the proxy; status shows only them; up again reuses; down leaves nothing', { timeout: 600_000 }, async () => {
  assert.ok(only);
  const up = await runCli(['up', '--systems', only, '--json'], { env, timeoutMs: 300_000 });
  assert.equal(up.code, 0, up.stderr);
  const started = JSON.parse(up.stdout) as { reused: boolean; config: { systems: string[] }; nodes: { system: string }[] };
  assert.equal(started.reused, false);
  assert.deepEqual(started.config.systems, [only]);
  const cs = await containers();
  const nodes = cs.filter((c) => c.Labels[LABEL_ROLE] === 'node');
  assert.ok(nodes.length > 0);
  assert.deepEqual([...new Set(nodes.map((c) => c.Labels[LABEL_SYSTEM]))], [only], 'only the selected system has containers');
  assert.equal(cs.filter((c) => c.Labels[LABEL_ROLE] === 'toxiproxy').length, 1);
  assert.equal(cs.length, nodes.length + 1, 'nothing else');
  assert.ok(cs.every((c) => c.State === 'running'));

  const status = await runCli(['status'], { env });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`^  systems ${only}\\b`, 'm'));
  const json = await runCli(['status', '--json'], { env });
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as { config: { systems: string[] }; nodes: { name: string; system: string; state: string }[] };
  assert.deepEqual(shown.config.systems, [only]);
  assert.deepEqual(shown.nodes.map((n) => n.name).sort(), nodes.map((c) => c.Labels[LABEL_NODE] ?? '').sort(), 'status lists exactly the running nodes');
  assert.ok(shown.nodes.every((n) => n.system === only && n.state === 'running'));

  const again = await runCli(['up', '--systems', only, '--json'], { env, timeoutMs: 120_000 });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { reused: boolean }).reused, true, 'the same systems and flags: reused');

  const removed = await runCli(['down'], { env });
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, new RegExp(`removed ${cs.length} container\\(s\\) and 1 network\\(s\\)`));
  assert.equal((await containers()).length, 0);
  assert.equal(await networks(), 0);
});
