import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClusterConfig, planCluster, publishedPorts, redisArgs, validateClusterConfig } from '../../../clusters/topology.ts';
import { UsageError } from '../../../core/errors.ts';

test('the default plan has 5 Redis masters, 3 ZooKeeper nodes and one proxy per slot and node', () => {
  const plan = planCluster(defaultClusterConfig);
  assert.deepEqual(
    plan.nodes.map((n) => n.name),
    ['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'zk-1', 'zk-2', 'zk-3'],
  );
  for (const n of plan.nodes) assert.equal(n.proxies.length, defaultClusterConfig.clientSlots);
  assert.equal(plan.nodes[0]?.proxies[3]?.name, 'c3-redis-1');
});

test('no two published ports coincide, for the largest cluster', () => {
  const plan = planCluster({ ...defaultClusterConfig, redisNodes: 10, zkNodes: 9, clientSlots: 32 });
  const ports = publishedPorts(plan);
  assert.equal(new Set(ports).size, ports.length);
  assert.ok(Math.max(...ports) < 32768, 'ports stay below the ephemeral range');
});

test('sizes that make no sense are usage errors that say what is allowed', () => {
  for (const zkNodes of [0, 2, 4, 11, 1.5]) {
    assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, zkNodes }), (e: unknown) => e instanceof UsageError && /--zk-nodes must be an odd/.test(e.message));
  }
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, redisNodes: 0 }), /--redis-nodes/);
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, clientSlots: 0 }), /--client-slots/);
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, portBase: 80 }), /--port-base/);
});

test('Redis persistence modes map to AOF settings', () => {
  assert.ok(redisArgs('none').join(' ').includes('--appendonly no'));
  assert.ok(redisArgs('always').join(' ').includes('--appendfsync always'));
  assert.ok(redisArgs('everysec').join(' ').includes('--appendfsync everysec'));
});
