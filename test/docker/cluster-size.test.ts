// The cluster-size points on real clusters: a tiny measurement (short cases) produces every planned
// point, Redlock on the first 3, 5 and 7 masters of one temporary cluster and ZooKeeper on the test
// cluster and the temporary one; afterwards no container or network of the temporary cluster is
// left and no worker process outlives it, also when the signal aborts mid-way (during a point, or
// while the temporary cluster starts). No timing is asserted.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { measureClusterSize, planClusterSize, type ClusterSizeOutput } from '../../bench/cluster-size.ts';
import { suiteOptions } from '../../bench/plan.ts';
import { dockerClient } from '../../clusters/docker-engine.ts';
import { listProjectContainers } from '../../clusters/docker-objects.ts';
import { projectFilter } from '../../clusters/labels.ts';
import type { ClusterControl } from '../../clusters/node-faults.ts';
import { testCluster } from '../support/cluster.ts';
import { alive } from '../support/process-alive.ts';

let cluster: ClusterControl;

before(async () => {
  cluster = await testCluster();
}, { timeout: 15 * 60_000 });

/** Child processes of this test process (the bench workers are forked from it). */
function childPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        // Fields after the command's closing parenthesis: state, then the parent's pid.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid ? [Number(d)] : [];
      } catch {
        return [];
      }
    });
}

/** What is left of a cluster: containers and networks by its label, and by its names. */
async function leftovers(name: string): Promise<string[]> {
  const docker = dockerClient();
  const containers = [...(await listProjectContainers(docker, name)), ...(await docker.listContainers({ all: true, filters: { name: [`${name}-`] } }))];
  const networks = [...(await docker.listNetworks({ filters: projectFilter(name) })), ...(await docker.listNetworks({ filters: { name: [name] } })).filter((n) => n.Name === name)];
  return [...containers.flatMap((c) => c.Names), ...networks.map((n) => `network ${n.Name}`)];
}

async function measure(locks: string, onProgress: (msg: string, abort: () => void) => void = () => undefined): Promise<{ out: ClusterSizeOutput; temporary: string; progress: string[] }> {
  const options = { ...suiteOptions({ locks, duration: 0.3 }), workers: 2 };
  const sizePlan = planClusterSize(cluster.plan.config, options);
  assert.ok(sizePlan.temporary, 'the plan needs a temporary cluster');
  const controller = new AbortController();
  const progress: string[] = [];
  const before = new Set(childPids());
  const out = await measureClusterSize(
    {
      plan: cluster.plan,
      options,
      runTag: `sizetest${Date.now()}`,
      signal: controller.signal,
      progress: (m) => {
        progress.push(m);
        onProgress(m, () => controller.abort(new Error('test abort')));
      },
    },
    sizePlan,
  );
  const started = childPids().filter((p) => !before.has(p) && alive(p));
  assert.deepEqual(started, [], `no worker outlives the measurement:\n${progress.join('\n')}`);
  assert.deepEqual(await leftovers(sizePlan.temporary.name), [], `the temporary cluster is gone:\n${progress.join('\n')}`);
  return { out, temporary: sizePlan.temporary.name, progress };
}

test('a tiny measurement gives every point: Redlock on 3, 5 and 7 masters of one cluster, ZooKeeper 3 and 5 members', { timeout: 10 * 60_000 }, async () => {
  const { out, temporary, progress } = await measure('redlock,zookeeper');
  const said = progress.join('\n');
  assert.deepEqual(
    out.points.map((p) => `${p.lock}/${p.nodes}`).sort(),
    ['redlock/3', 'redlock/5', 'redlock/7', 'zookeeper/3', 'zookeeper/5'],
    said,
  );
  for (const p of out.points) {
    assert.equal(p.status, 'ok', `${p.id ?? ''}: ${p.error ?? ''}\n${said}`);
    assert.ok(p.cyclesPerSec > 0, `${p.id ?? ''} completed cycles`);
    assert.ok(p.p50Ms !== null && p.p99Ms !== null && p.p50Ms <= p.p99Ms, `${p.id ?? ''} has latencies`);
    assert.equal(p.overlap, 'valid', `${p.id ?? ''} kept mutual exclusion`);
    assert.equal(p.clients, 16);
  }
  const redlock = out.points.filter((p) => p.lock === 'redlock');
  assert.ok(redlock.every((p) => p.cluster === temporary && p.clusterNodes === 7), 'Redlock sizes share the temporary cluster');
  const zk = new Map(out.points.filter((p) => p.lock === 'zookeeper').map((p) => [p.nodes, p]));
  assert.equal(zk.get(3)?.cluster, cluster.plan.config.name);
  assert.equal(zk.get(5)?.cluster, temporary);
  assert.equal(zk.get(5)?.clusterNodes, 5);
  assert.match(out.note, /removed afterwards/);
  assert.equal(out.temporary?.name, temporary);
  assert.match(out.temporary.removed, /^\d+ containers/);
});

test('aborted after the first point: what was measured is kept, the rest is said, the temporary cluster is gone', { timeout: 10 * 60_000 }, async () => {
  let fired = false;
  const { out } = await measure('redlock', (m, abort) => {
    if (!fired && m.startsWith('size/redlock/n3')) {
      fired = true;
      abort();
    }
  });
  assert.ok(fired, 'the first point was reported');
  assert.ok(out.points.length >= 1 && out.points.length < 3, `${out.points.length} points`);
  assert.equal(out.points[0]?.nodes, 3);
  assert.match(out.note, /not measured/);
});

test('aborted while the temporary cluster starts: nothing of it is left', { timeout: 10 * 60_000 }, async () => {
  const { out } = await measure('redlock', (m, abort) => {
    // Aborted before clusterUp runs: it creates the containers, sees the signal and removes them.
    if (m.includes('starting the temporary cluster')) abort();
  });
  assert.equal(out.points.length, 0);
  assert.match(out.note, /not measured/);
});
