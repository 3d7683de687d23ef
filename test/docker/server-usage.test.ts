// Server-side measurement on the real cluster: a window around real load sees every container,
// the loaded node busier than the idle ones, and the node's own counters grow; and tiny held /
// waiters scalability points come out with sane fields and leave nothing held. No timing is
// asserted: figures on a shared machine move, only their shape and direction are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { CaseTiming } from '../../bench/case-result.ts';
import { planCases, suiteOptions } from '../../bench/plan.ts';
import { runHeldCase, runWaitersCase } from '../../bench/scalability.ts';
import { readNodeCounters, startServerUsage } from '../../bench/server-usage.ts';
import { cleanupRun } from '../../bench/cleanup.ts';
import { WorkerPool } from '../../bench/worker-pool.ts';
import { nodesOf } from '../../clusters/topology.ts';
import { useTestCluster } from '../support/cluster.ts';

const cluster = useTestCluster();

test('a window around load on redis-1: every container is there, redis-1 is the busiest node, its counters grew', async () => {
  const plan = cluster().plan;
  const redis1 = nodesOf(plan, 'redis')[0];
  assert.ok(redis1);
  const client = new Redis({ host: '127.0.0.1', port: redis1.directPort, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const window = await startServerUsage(plan);
    const until = performance.now() + 1500;
    let sets = 0;
    while (performance.now() < until) {
      const p = client.pipeline();
      for (let i = 0; i < 100; i++) p.set(`lockbench:server-usage-test:${i}`, String(i), 'PX', 5000);
      await p.exec();
      sets += 100;
    }
    const u = await window.stop();
    assert.deepEqual(
      u.containers.map((c) => c.name).sort(),
      [...plan.nodes.map((n) => n.name), 'toxiproxy'].sort(),
      `every node and the proxy (missing: ${(u.missing ?? []).join('; ')})`,
    );
    assert.equal(u.missing, undefined);
    const cpu = (name: string): number => u.containers.find((c) => c.name === name)?.cpuPercent ?? Number.NaN;
    for (const other of nodesOf(plan, 'redis').slice(1)) assert.ok(cpu('redis-1') > cpu(other.name), `redis-1 ${cpu('redis-1')}% > ${other.name} ${cpu(other.name)}%`);
    assert.ok(u.containers.every((c) => c.memoryBytes > 0 && c.cpuPercent >= 0));
    assert.ok(u.hostCores >= 1 && u.hostIdlePercent >= 0 && u.hostIdlePercent <= 100);
    const c1 = u.counters?.['redis-1'];
    assert.ok(c1, 'redis-1 counters');
    assert.ok((c1['commands'] ?? 0) >= sets, `commands ${c1['commands']} ≥ ${sets} SETs`);
    assert.ok((c1['cmd_set'] ?? 0) >= sets, `cmd_set ${c1['cmd_set']} ≥ ${sets}: ${JSON.stringify(c1)}`);
    assert.ok((c1['used_memory'] ?? 0) > 0, 'used_memory is a gauge: its end value');
    assert.ok((u.counters['redis-2']?.['commands'] ?? Infinity) < 10, 'an idle master processed only the window’s own reads');
    for (const zk of nodesOf(plan, 'zookeeper')) assert.ok((u.counters[zk.name]?.['znode_count'] ?? 0) > 0, `${zk.name} znode_count`);
  } finally {
    client.disconnect();
  }
});

test('tiny held and waiters points: sane fields, and nothing left held', async () => {
  const plan = cluster().plan;
  const options = { ...suiteOptions({ quick: true, duration: 0.3 }), heldLocks: [200], waiters: [8], holdBudgetMs: 5000 };
  const runTag = `sutest${Date.now().toString(36)}`;
  const t: CaseTiming = { durationMs: options.durationMs, warmupMs: options.warmupMs, ttlMs: options.ttlMs, jitterMs: 0 };
  const signal = new AbortController().signal;
  const notes: string[] = [];
  await using pool = await WorkerPool.start(2, plan);
  const ctx = { pool, plan, options, signal, progress: (m: string) => notes.push(m) };
  try {
    for (const lock of ['redis', 'zookeeper'] as const) {
      const specs = planCases({ ...options, locks: [lock] });
      const heldSpec = specs.find((s) => s.kind === 'held');
      const waitersSpec = specs.find((s) => s.kind === 'waiters');
      assert.ok(heldSpec?.kind === 'held' && waitersSpec?.kind === 'waiters');
      const held = await runHeldCase(ctx, heldSpec, t, `bench:${runTag}:${heldSpec.id}`, undefined);
      assert.equal(held.kind, 'held');
      assert.ok(held.held, `${lock} held point`);
      assert.equal(held.held.requestedLocks, 200);
      assert.ok(held.held.heldLocks > 0 && held.held.heldLocks <= 200);
      assert.ok(held.cycles > 0 && held.held.cyclesPerSec > 0, `${lock} sweep cycles`);
      assert.ok(held.held.p99Ms !== null && held.held.p50Ms !== null && held.held.p99Ms >= held.held.p50Ms);
      if (held.held.heldLocks >= 100) assert.ok(held.held.memoryBytesPerLock !== null && held.held.memoryBytesPerLock > 0, `${lock} memory per lock ${held.held.memoryBytesPerLock} (${held.held.memoryBasis})`);
      assert.ok(held.server && held.bottleneck, 'server usage and bottleneck');
      assert.equal(held.overlap?.verdict, 'valid');

      const waiters = await runWaitersCase(ctx, waitersSpec, t, `bench:${runTag}:${waitersSpec.id}`, undefined);
      assert.ok(waiters.waiters, `${lock} waiters point`);
      assert.equal(waiters.waiters.waiters, 8);
      assert.ok(waiters.waiters.grantsPerSec > 0);
      assert.ok(waiters.waiters.serverOpsPerGrant !== null && waiters.waiters.serverOpsPerGrant > 0, `${lock} ops per grant`);
      assert.equal(waiters.overlap?.verdict, 'valid');
    }
    // Released: no ephemeral lock znodes left on the ensemble, no held Redis lock keys.
    const zk = nodesOf(plan, 'zookeeper');
    const { counters } = await readNodeCounters(zk);
    const ephemerals = [...counters.values()].map((c) => c['ephemerals_count'] ?? 0);
    assert.ok(ephemerals.every((e) => e <= 4), `ephemerals after release: ${ephemerals.join(', ')} (the pool's sessions hold none)`);
    const redis1 = nodesOf(plan, 'redis')[0];
    assert.ok(redis1);
    const r = new Redis({ host: '127.0.0.1', port: redis1.directPort, maxRetriesPerRequest: 1 });
    try {
      const [, keys] = await r.scan('0', 'MATCH', `bench:${runTag}:held*:h*`, 'COUNT', 100_000);
      assert.deepEqual(keys, [], 'no held lock key left');
    } finally {
      r.disconnect();
    }
  } finally {
    await pool.close();
    notes.push(await cleanupRun(plan, runTag));
  }
  assert.ok(!notes.some((n) => /not released/.test(n)), notes.join('\n'));
});
