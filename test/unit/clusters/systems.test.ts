import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { driverFor, drivers, isSystemName, systemDefaults, systemNames } from '../../../clusters/systems/registry.ts';
import { redisFloorOps, COMPARE_AND_DELETE } from '../../../clusters/systems/redis/floor-ops.ts';
import { ensembleFormed } from '../../../clusters/systems/zookeeper/driver.ts';
import { defaultClusterConfig, planCluster, NODES_PER_BLOCK } from '../../../clusters/topology.ts';
import { RELEASE_LUA } from '../../../locks/redis-connection.ts';
import { endpointsFor } from '../../../locks/context.ts';

const repoRoot = join(fileURLToPath(import.meta.url), '../../../..');

test('the registry lists redis, zookeeper, etcd, then redis-sentinel, keyed by their CLI names', () => {
  assert.deepEqual(systemNames, ['redis', 'zookeeper', 'etcd', 'redis-sentinel']);
  assert.equal(driverFor('redis-sentinel').nodePrefix, 'rs');
  assert.equal(driverFor('redis').nodePrefix, 'redis');
  assert.equal(driverFor('zookeeper').nodePrefix, 'zk');
  assert.equal(driverFor('etcd').nodePrefix, 'etcd');
  assert.ok(isSystemName('etcd') && !isSystemName('consul'));
  assert.throws(() => driverFor('consul'), /no backing system named 'consul'; systems are redis, zookeeper, etcd, redis-sentinel/);
});

test('every driver has every hook, and its defaults pass its own validation', () => {
  const prefixes = new Set<string>();
  for (const d of drivers) {
    assert.match(d.name, /^[a-z][a-z0-9-]*$/);
    assert.ok(!prefixes.has(d.nodePrefix), `${d.name}: node prefix ${d.nodePrefix} is unique`);
    prefixes.add(d.nodePrefix);
    assert.ok(d.maxNodes >= 1 && d.maxNodes <= NODES_PER_BLOCK, `${d.name}: maxNodes fits a port block`);
    assert.ok(Number.isInteger(d.internalPort) && d.internalPort > 0);
    for (const hook of [d.describeNodes, d.container, d.probe, d.role, d.passesTraffic, d.waitReady, d.faults.serving, d.config.validate, d.config.nodeCount, d.config.describe]) {
      assert.equal(typeof hook, 'function', `${d.name}: a hook is missing`);
    }
    for (const hook of [d.floor.pairTarget, d.floor.measurementTag, d.floor.floorLeftovers, d.floor.ops]) assert.equal(typeof hook, 'function', `${d.name}: a floor hook is missing`);
    assert.doesNotThrow(() => d.config.validate(systemDefaults));
    assert.ok(d.config.nodeCount(systemDefaults) >= 1);
    assert.ok(d.config.options.length >= 1, `${d.name}: a flag sets its node count`);
    for (const o of d.config.options) assert.ok(o.field in defaultClusterConfig, `${d.name}: --${o.flag} sets ${o.field}, which has a default`);
  }
});

test('every driver names an image whose inputs exist and whose first input holds the Dockerfile', () => {
  for (const d of drivers) {
    assert.ok(d.image.inputs.length >= 1);
    for (const input of d.image.inputs) assert.ok(existsSync(join(repoRoot, input.from)), `${d.name}: ${input.from} exists`);
    const first = d.image.inputs[0];
    assert.ok(first && statSync(join(repoRoot, first.from, 'Dockerfile')).isFile(), `${d.name}: Dockerfile in ${first?.from}`);
  }
});

test('container specs: Redis gets its persistence flags, ZooKeeper its id and ensemble', () => {
  const plan = planCluster({ ...defaultClusterConfig, redisPersistence: 'always', zkForceSync: false });
  const of = (name: string) => {
    const n = plan.nodes.find((x) => x.name === name);
    assert.ok(n);
    return driverFor(n.system).container(n, plan.nodes.filter((x) => x.system === n.system), plan.config);
  };
  assert.ok(of('redis-2').cmd?.join(' ').includes('--appendfsync always'));
  assert.deepEqual(of('zk-2').env, ['ZK_ID=2', 'ZK_SERVERS=1,2,3', 'ZK_FORCE_SYNC=no']);
  assert.equal(of('zk-2').cmd, undefined);
  assert.deepEqual(of('etcd-3').env, ['ETCD_ORDINAL=3', 'ETCD_MEMBERS=1,2,3']);
});

test('ZooKeeper is ready with exactly one leader and the rest followers', () => {
  assert.ok(ensembleFormed(['follower', 'leader', 'follower']));
  assert.ok(ensembleFormed(['standalone']));
  assert.ok(!ensembleFormed(['leader', 'leader', 'follower']));
  assert.ok(!ensembleFormed(['leader', 'not-serving', 'follower']));
  assert.ok(!ensembleFormed(['follower']));
});

test('floor targets follow the lock clients\' paths: redis-1 per slot, the whole ensemble per slot', () => {
  const plan = planCluster(defaultClusterConfig);
  const redis = plan.nodes.filter((n) => n.system === 'redis');
  const zk = plan.nodes.filter((n) => n.system === 'zookeeper');
  assert.equal(driverFor('redis').floor.pairTarget(endpointsFor(plan, 3, 'redis')), redis[0]?.proxies[3]?.port);
  assert.equal(driverFor('redis').floor.pairTarget(endpointsFor(plan, 3, 'redis', 'direct')), redis[0]?.directPort);
  assert.equal(driverFor('zookeeper').floor.pairTarget(endpointsFor(plan, 1, 'zookeeper')), zk.map((n) => `127.0.0.1:${n.proxies[1]?.port}`).join(','));
  assert.equal(driverFor('zookeeper').floor.pairTarget(endpointsFor(plan, 1, 'zookeeper', 'direct')), zk.map((n) => `127.0.0.1:${n.directPort}`).join(','));
  assert.equal(driverFor('redis').floor.measurementTag('t', 'c16'), 'lockbench:floor:t:c16');
  assert.equal(driverFor('zookeeper').floor.measurementTag('t', 'c16'), 't-c16');
});

test('the Redis floor does the same compare-and-delete as the lock clients\' release', () => {
  assert.equal(COMPARE_AND_DELETE, RELEASE_LUA);
  assert.equal(typeof redisFloorOps.pairs, 'function');
});
