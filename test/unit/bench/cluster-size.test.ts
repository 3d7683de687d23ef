// Planning the cluster-size points: which locks (from their models, not their names), which sizes
// and on which cluster, and the temporary cluster's name and port base (validated so its ports
// never overlap the run's and stay inside the layout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCountField, planClusterSize, SIZE_PORT_BASE_ENV, sizesFor, temporaryConfig, temporaryPortBase, withNodes } from '../../../bench/cluster-size.ts';
import { renderClusterSize } from '../../../bench/cluster-size-table.ts';
import { suiteOptions } from '../../../bench/plan.ts';
import { drivers } from '../../../clusters/systems/registry.ts';
import { defaultClusterConfig, nodesOf, planCluster, portSpan, publishedPorts, sameConfig, type ClusterConfig } from '../../../clusters/topology.ts';
import { UsageError } from '../../../core/errors.ts';
import type { LockName } from '../../../locks/registry.ts';

const run = (over: Partial<ClusterConfig> = {}): ClusterConfig => ({ ...defaultClusterConfig, name: 'lockbench', portBase: 17000, redisNodes: 5, zkNodes: 3, ...over });
const noEnv = {};
/** The default offset of the temporary cluster: the registered layout's span rounded up to a thousand (2000 with two systems, 3000 with three). */
const offset = Math.ceil((portSpan() + 1) / 1000) * 1000;
const driver = (name: string) => {
  const d = drivers.find((x) => x.name === name);
  assert.ok(d, name);
  return d;
};

test('sizes: odd counts from 3 to two above the run cluster, within what the driver allows', () => {
  assert.deepEqual(sizesFor(5, 10), [3, 5, 7]);
  assert.deepEqual(sizesFor(3, 9), [3, 5]);
  assert.deepEqual(sizesFor(1, 9), [3]);
  assert.deepEqual(sizesFor(9, 10), [3, 5, 7, 9]);
});

test('defaults: every lock on all of a system\'s nodes; fan-out sizes on the temporary cluster, the replicated group on both', () => {
  const p = planClusterSize(run(), suiteOptions({}), drivers, undefined, noEnv);
  const got = p.points.map((x) => `${x.lock}/${x.system}/${x.nodes}/${x.on}`);
  assert.deepEqual(got, [
    'redlock/redis/3/temporary',
    'redlock/redis/5/temporary',
    'redlock/redis/7/temporary',
    'node-redlock/redis/3/temporary',
    'node-redlock/redis/5/temporary',
    'node-redlock/redis/7/temporary',
    'node-redlock-v4/redis/3/temporary',
    'node-redlock-v4/redis/5/temporary',
    'node-redlock-v4/redis/7/temporary',
    'redis-semaphore-redlock/redis/3/temporary',
    'redis-semaphore-redlock/redis/5/temporary',
    'redis-semaphore-redlock/redis/7/temporary',
    'zookeeper/zookeeper/3/run',
    'zookeeper/zookeeper/5/temporary',
    'etcd/etcd/3/run',
    'etcd/etcd/5/temporary',
    'etcd3-lock/etcd/3/run',
    'etcd3-lock/etcd/5/temporary',
  ]);
  assert.ok(p.temporary);
  assert.equal(p.temporary.name, 'lockbench-size');
  assert.equal(p.temporary.portBase, 17000 + offset);
  assert.equal(p.temporary.redisNodes, 7);
  assert.equal(p.temporary.zkNodes, 5);
  assert.equal(p.temporary.etcdNodes, 5);
  // The same config as the run's apart from name, port base and node counts (durability, slots…).
  assert.ok(sameConfig({ ...p.temporary, name: 'lockbench', portBase: 17000, redisNodes: 5, zkNodes: 3, etcdNodes: 3 }, run()));
  assert.match(p.note, /lockbench-size/);
  assert.match(p.note, /zookeeper.*3 on the run's cluster and 5 on the temporary one/);
});

test('which locks comes from the model: nodes all on a registered system; the --locks list narrows it', () => {
  const model = (nodes: 'all' | 'first', system: string, partitionSide: 'client' | 'server' = 'client') => ({ system, nodes, partitionSide });
  const locks = [
    { name: 'redis' as LockName, model: model('all', 'redis') },
    { name: 'zookeeper' as LockName, model: model('first', 'zookeeper', 'server') },
    { name: 'redlock' as LockName, model: model('all', 'consul') },
  ];
  const p = planClusterSize(run(), { locks: [], quick: false }, drivers, locks, noEnv);
  assert.deepEqual(p.points.map((x) => `${x.lock}/${x.nodes}`), ['redis/3', 'redis/5', 'redis/7']);
  assert.equal(planClusterSize(run(), suiteOptions({ locks: 'redis' }), drivers, undefined, noEnv).points.length, 0);
  const zk = planClusterSize(run(), suiteOptions({ locks: 'zookeeper' }), drivers, undefined, noEnv);
  assert.deepEqual(zk.points.map((x) => `${x.nodes}/${x.on}`), ['3/run', '5/temporary']);
  // Only ZooKeeper grows; Redis keeps the run's count.
  assert.ok(zk.temporary);
  assert.equal(zk.temporary.redisNodes, 5);
  assert.equal(zk.temporary.zkNodes, 5);
});

test('a replicated group the run cluster cannot give and is not the largest is left out, and said', () => {
  const p = planClusterSize(run({ zkNodes: 5 }), suiteOptions({ locks: 'zookeeper' }), drivers, undefined, noEnv);
  assert.deepEqual(p.points.map((x) => `${x.nodes}/${x.on}`), ['5/run', '7/temporary']);
  assert.match(p.note, /3 not measured/);
});

test('--quick skips the points and says why; no temporary cluster', () => {
  const p = planClusterSize(run(), suiteOptions({ quick: true }), drivers, undefined, noEnv);
  assert.equal(p.points.length, 0);
  assert.equal(p.temporary, null);
  assert.match(p.note, /skipped in --quick/);
});

test('port base: the layout span rounded up to a thousand above the run cluster, below it near the top, never overlapping', () => {
  const top = 32767 - portSpan();
  for (const base of [17000, 21000, 23000, 25000, 27000, 30000, 1024]) {
    const r = run({ portBase: base });
    const p = planClusterSize(r, suiteOptions({}), drivers, undefined, noEnv);
    assert.ok(p.temporary, `${base}`);
    assert.equal(p.temporary.portBase, base + offset <= top ? base + offset : base - offset, `${base}`);
    const temp = new Set(publishedPorts(planCluster(p.temporary)));
    assert.ok(publishedPorts(planCluster(r)).every((port) => !temp.has(port)), `${base}: no shared port`);
    assert.ok([...temp].every((port) => port >= 1024 && port <= 32767), `${base}: inside the layout`);
  }
  // A fourth system widens the layout (still below 3000 ports), a sixth past it, and the offset with it.
  const fake = (name: string) => ({ name, nodePrefix: name, maxNodes: 5, internalPort: 1, config: { options: [], nodeCount: () => 3, validate: () => undefined } });
  assert.equal(temporaryPortBase(run(), [...drivers, fake('a')], noEnv), 20000);
  assert.equal(portSpan(6) + 1 > 3000, true);
  assert.equal(temporaryPortBase(run(), [...drivers, fake('a'), fake('b'), fake('c')], noEnv), 21000);
});

test('a third registered system: the default offset grows past its span, and an override inside it is refused', () => {
  const two = drivers.slice(0, 2);
  const three = drivers.slice(0, 3);
  const r = { ...run(), systems: three.map((d) => d.name) };
  assert.ok(drivers.length >= 3 && r.systems.includes('etcd'));
  // The whole three-system layout spans B … B+2199, so the two-system offset (2000) would overlap it.
  assert.equal(portSpan(3), 2199);
  const t = temporaryConfig(r, new Map([['etcd', 5]]), three, noEnv);
  assert.equal(t.portBase, 20000);
  const mine = new Set(publishedPorts(planCluster(r, three)));
  assert.ok(publishedPorts(planCluster(t, three)).every((p) => !mine.has(p)), 'no shared port');
  // 19000 was clear of a two-system cluster; with three it is inside its span, and says how far away to go.
  assert.doesNotThrow(() => temporaryConfig({ ...r, systems: ['redis', 'zookeeper'] }, new Map(), two, { [SIZE_PORT_BASE_ENV]: '19000' }));
  assert.throws(
    () => temporaryConfig(r, new Map(), three, { [SIZE_PORT_BASE_ENV]: '19000' }),
    (e: unknown) => e instanceof UsageError && /share ports with the run's cluster \(ports 17000-19199\); set LOCKBENCH_SIZE_PORT_BASE at least 2200 away/.test(e.message),
  );
  // A selection of fewer systems keeps the whole layout's offset: nobody's ports depend on what else runs.
  assert.equal(temporaryConfig({ ...r, systems: ['redis'] }, new Map(), three, noEnv).portBase, 20000);
  // A fourth (the Sentinel topology) spans B … B+2599: still inside the 3000 offset.
  assert.equal(portSpan(4), 2599);
  assert.equal(temporaryConfig(run(), new Map([['etcd', 5]]), drivers, noEnv).portBase, 20000);
});

test('port base: LOCKBENCH_SIZE_PORT_BASE overrides it, and is checked', () => {
  const plan = (v: string): ReturnType<typeof planClusterSize> => planClusterSize(run(), suiteOptions({}), drivers, undefined, { [SIZE_PORT_BASE_ENV]: v });
  assert.equal(plan('30000').temporary?.portBase, 30000);
  assert.throws(() => plan('18000'), (e: unknown) => e instanceof UsageError && /share ports with the run's cluster/.test(e.message));
  assert.throws(() => plan('32000'), (e: unknown) => e instanceof UsageError && /--port-base/.test(e.message) && /LOCKBENCH_SIZE_PORT_BASE/.test(e.message));
  assert.throws(() => plan('many'), UsageError);
});

test('a run cluster name too long for the temporary one\'s suffix is a usage error naming LOCKBENCH_CLUSTER', () => {
  assert.throws(
    () => planClusterSize(run({ name: 'a'.repeat(30) }), suiteOptions({}), drivers, undefined, noEnv),
    (e: unknown) => e instanceof UsageError && /LOCKBENCH_CLUSTER/.test(e.message),
  );
});

test('the first n nodes of a plan have the same ports whatever its node count (what fan-out sizes rely on)', () => {
  const big = planCluster({ ...run(), redisNodes: 7, zkNodes: 5 });
  const redis = driver('redis');
  for (const n of [3, 5]) {
    const small = planCluster(withNodes(big.config, redis, n));
    assert.deepEqual(nodesOf(small, 'redis'), nodesOf(big, 'redis').slice(0, n));
    assert.deepEqual(nodesOf(small, 'zookeeper'), nodesOf(big, 'zookeeper'));
  }
});

test('the node-count field is found by asking the driver', () => {
  assert.equal(nodeCountField(driver('redis'), run()), 'redisNodes');
  assert.equal(nodeCountField(driver('zookeeper'), run()), 'zkNodes');
  assert.equal(withNodes(run(), driver('zookeeper'), 7).zkNodes, 7);
});

test('the table gives each point\'s throughput and p99 as ratios to its lock\'s smallest size, and the note', () => {
  const point = (lock: string, nodes: number, cyclesPerSec: number, p99Ms: number) => ({ lock, system: 's', nodes, clients: 16, cyclesPerSec, p50Ms: 1, p99Ms, cluster: 'c', overlap: 'valid' });
  const text = renderClusterSize({ clusterSize: [point('redlock', 7, 500, 30), point('redlock', 3, 1000, 10), point('zookeeper', 3, 200, 5)], clusterSizeNote: 'how they compare' });
  const lines = text.trimEnd().split('\n');
  assert.match(lines[2] ?? '', /^redlock\s+3\s.*1,000\s+1\.00\s+1\s+10\s+1\.00/);
  assert.match(lines[3] ?? '', /^redlock\s+7\s.*500\s+0\.50\s+1\s+30\s+3\.00/);
  assert.match(lines[4] ?? '', /^zookeeper\s+3\s/);
  assert.equal(lines[5], 'how they compare');
  assert.equal(renderClusterSize(undefined), '');
  assert.match(renderClusterSize({ clusterSize: [], clusterSizeNote: 'skipped in --quick: …' }), /skipped in --quick/);
});
