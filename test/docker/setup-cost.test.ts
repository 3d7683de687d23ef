// Ease of setup against the real cluster: a fresh start records each system's ready time, a reuse
// of the same containers reads it back (and a list of other containers gets none, with why), and
// the memory at rest of every lock's containers comes from the engine. Re-creates the cluster
// once, since only a start can measure the ready time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureSetup } from '../../bench/setup-cost.ts';
import { clusterDown, clusterUp } from '../../clusters/cluster.ts';
import { dockerClient } from '../../clusters/docker-engine.ts';
import { listProjectContainers } from '../../clusters/docker-objects.ts';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { nodeMemoryAtRest } from '../../clusters/memory-at-rest.ts';
import { loadReadyTimes } from '../../clusters/ready-times.ts';
import { drivers } from '../../clusters/systems/registry.ts';
import { defaultClusterConfig } from '../../clusters/topology.ts';
import { lockNames, lockSpecs } from '../../locks/registry.ts';

const docker = dockerClient();
const cluster = defaultClusterConfig.name;

test('a fresh start measures every system\'s ready time, and a reuse of the same containers reports the same figures', { timeout: 10 * 60_000 }, async () => {
  const env = await ensureEnvironment();
  await clusterDown(docker);
  const fresh = await clusterUp(defaultClusterConfig, env.images);
  assert.equal(fresh.reused, false);
  assert.ok(fresh.ready.measured, 'a fresh start measured its ready times');
  for (const d of drivers) assert.ok((fresh.ready.bySystemMs[d.name] ?? 0) > 0, `${d.name}: ${JSON.stringify(fresh.ready.bySystemMs)}`);

  const again = await clusterUp(defaultClusterConfig, env.images);
  assert.equal(again.reused, true);
  assert.deepEqual(again.ready, fresh.ready, 'the reused cluster reports the figures measured at its start');

  const other = await loadReadyTimes(cluster, ['not-a-container-of-this-cluster']);
  assert.equal(other.measured, false);
  assert.match(other.why, /earlier cluster/);
});

test('memory at rest is read from the engine for every node, and every lock gets its setup cost', { timeout: 5 * 60_000 }, async () => {
  const env = await ensureEnvironment();
  const up = await clusterUp(defaultClusterConfig, env.images);
  const nodes = await nodeMemoryAtRest(docker, cluster);
  const running = (await listProjectContainers(docker, cluster)).filter((c) => c.State === 'running' && c.Labels['lockbench.role'] !== 'toxiproxy');
  assert.equal(nodes.length, running.length);
  for (const n of nodes) assert.ok(n.memoryBytes !== null && n.memoryBytes > 0, `${n.name}: ${n.why ?? ''}`);

  const setup = await measureSetup({ docker, cluster, ready: up.ready, locks: lockNames.map((n) => lockSpecs[n]) });
  assert.deepEqual(setup.map((s) => s.lock), lockNames);
  for (const s of setup) {
    assert.ok(s.containers > 0, s.lock);
    assert.ok(s.memoryBytesAtRest !== null && s.memoryBytesAtRest > 0, `${s.lock}: ${s.memoryWhy ?? ''}`);
    assert.ok(s.clientLines > 0, s.lock);
    if (up.ready.measured) assert.equal(s.readyMs, up.ready.bySystemMs[s.system]);
    else assert.equal(s.readyWhy, up.ready.why);
  }
  const redis = setup.find((s) => s.lock === 'redis');
  assert.deepEqual(redis?.containerNames, ['redis-1'], 'the single-Redis lock uses one container');
});
