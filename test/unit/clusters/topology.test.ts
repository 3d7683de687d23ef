import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClusterConfig, planCluster, portSpan, publishedPorts, redisArgs, sameConfig, validateClusterConfig, type PlannedSystem } from '../../../clusters/topology.ts';
import { drivers } from '../../../clusters/systems/registry.ts';
import { UsageError } from '../../../core/errors.ts';

const base = defaultClusterConfig.portBase;

test('the default plan has 5 Redis masters, 3 ZooKeeper nodes, 3 etcd members, the Sentinel topology and one proxy per slot and node', () => {
  const plan = planCluster(defaultClusterConfig);
  assert.deepEqual(
    plan.nodes.map((n) => n.name),
    ['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5', 'zk-1', 'zk-2', 'zk-3', 'etcd-1', 'etcd-2', 'etcd-3', 'rs-1', 'rs-2', 'rs-3', 'sentinel-1', 'sentinel-2', 'sentinel-3'],
  );
  for (const n of plan.nodes) assert.equal(n.proxies.length, defaultClusterConfig.clientSlots);
  assert.equal(plan.nodes[0]?.proxies[3]?.name, 'c3-redis-1');
  assert.deepEqual(
    plan.nodes.map((n) => [n.system, n.internalPort]),
    [
      ...Array.from({ length: 5 }, () => ['redis', 6379]),
      ...Array.from({ length: 3 }, () => ['zookeeper', 2181]),
      ...Array.from({ length: 3 }, () => ['etcd', 2379]),
      ...Array.from({ length: 3 }, () => ['redis-sentinel', 6379]),
      ...Array.from({ length: 3 }, () => ['redis-sentinel', 26379]),
    ],
  );
});

test('one port block per system: direct at base+100·b+i, proxies at base+1000+400·b+10·slot+i-1', () => {
  const plan = planCluster(defaultClusterConfig);
  const node = (name: string) => plan.nodes.find((n) => n.name === name);
  assert.equal(plan.toxiproxy.apiPort, base + 474);
  assert.equal(node('redis-1')?.directPort, base + 1);
  assert.equal(node('redis-5')?.directPort, base + 5);
  assert.equal(node('zk-1')?.directPort, base + 101);
  assert.equal(node('zk-3')?.directPort, base + 103);
  assert.equal(node('redis-1')?.proxies[0]?.port, base + 1000);
  assert.equal(node('redis-2')?.proxies[3]?.port, base + 1000 + 30 + 1);
  assert.equal(node('zk-1')?.proxies[0]?.port, base + 1400);
  assert.equal(node('zk-3')?.proxies[7]?.port, base + 1400 + 70 + 2);
  assert.equal(node('etcd-1')?.directPort, base + 201);
  assert.equal(node('etcd-2')?.proxies[1]?.port, base + 1800 + 10 + 1);
  // 1000 + 400 per registered system − 1: 1799 with two, 2199 with three.
  assert.equal(portSpan(), 1000 + 400 * drivers.length - 1);
  assert.equal(portSpan(2), 1799);
  assert.equal(portSpan(3), 2199);
});

test('no two published ports coincide, for the largest cluster', () => {
  const plan = planCluster({ ...defaultClusterConfig, redisNodes: 10, zkNodes: 9, etcdNodes: 9, clientSlots: 32 });
  const ports = publishedPorts(plan);
  assert.equal(new Set(ports).size, ports.length);
  assert.ok(Math.max(...ports) <= base + portSpan(), 'every port is inside the span the messages quote');
  assert.ok(Math.max(...ports) < 32768, 'ports stay below the ephemeral range');
});

test('a fifth system gets its own block and nobody else is renumbered', () => {
  const fake: PlannedSystem = { name: 'consul', nodePrefix: 'consul', maxNodes: 10, internalPort: 8500, config: { nodeCount: () => 10, validate: () => undefined } };
  const config = { ...defaultClusterConfig, redisNodes: 10, zkNodes: 9, etcdNodes: 9, sentinelReplicas: 4, sentinels: 5, clientSlots: 32 };
  const four = planCluster(config);
  const five = planCluster({ ...config, systems: [...config.systems, 'consul'] }, [...drivers, fake]);
  const ports = (p: typeof four, system: string) => p.nodes.filter((n) => n.system === system).map((n) => [n.directPort, ...n.proxies.map((x) => x.port), n.peerProxy?.port]);
  for (const d of drivers) assert.deepEqual(ports(five, d.name), ports(four, d.name), `${d.name} keeps its ports`);
  const added = five.nodes.filter((n) => n.system === 'consul');
  assert.deepEqual(added.map((n) => n.name).slice(0, 2), ['consul-1', 'consul-2']);
  const first = added[0];
  assert.ok(first);
  assert.equal(first.directPort, base + 401);
  assert.equal(first.proxies[0]?.port, base + 2600);
  const all = publishedPorts(five);
  assert.equal(new Set(all).size, all.length);
  assert.ok(Math.max(...all) <= base + portSpan(5));
  // Peer proxies (unpublished) never meet a published port either.
  const peers = five.nodes.flatMap((n) => (n.peerProxy ? [n.peerProxy.port] : []));
  assert.equal(peers.length, 10);
  assert.ok(peers.every((p) => !all.includes(p)));
});

test('a subset of the systems: only their nodes and proxies, each at the ports it has in the whole cluster', () => {
  const config = { ...defaultClusterConfig, redisNodes: 10, zkNodes: 9, clientSlots: 32 };
  const whole = planCluster(config);
  const ports = (p: typeof whole, system: string) => p.nodes.filter((n) => n.system === system).map((n) => [n.name, n.directPort, ...n.proxies.map((x) => x.port)]);
  for (const d of drivers) {
    const one = planCluster({ ...config, systems: [d.name] });
    assert.deepEqual([...new Set(one.nodes.map((n) => n.system))], [d.name], `${d.name} alone`);
    assert.deepEqual(ports(one, d.name), ports(whole, d.name), `${d.name} keeps its ports`);
    assert.equal(one.toxiproxy.apiPort, whole.toxiproxy.apiPort);
    assert.ok(publishedPorts(one).every((p) => publishedPorts(whole).includes(p)));
  }
  // A later block without the earlier ones: the third system keeps +200 / +1800.
  const alone = planCluster({ ...config, systems: ['etcd'] });
  assert.deepEqual(alone.nodes.map((n) => [n.name, n.directPort, n.proxies[0]?.port]), [
    ['etcd-1', base + 201, base + 1800],
    ['etcd-2', base + 202, base + 1801],
    ['etcd-3', base + 203, base + 1802],
  ]);
});

test('the selection is validated with the config: empty, unknown or missing is a usage error; order and duplicates are normalised', () => {
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, systems: [] }), (e: unknown) => e instanceof UsageError && /non-empty list/.test(e.message));
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, systems: ['mysql'] }), (e: unknown) => e instanceof UsageError && /'mysql'/.test(e.message));
  const old: Record<string, unknown> = { ...defaultClusterConfig };
  delete old['systems'];
  // A config made before --systems (an older label) has none: refused, so status and up treat it as another version's.
  assert.throws(() => validateClusterConfig(old as unknown as typeof defaultClusterConfig), UsageError);
  const reversed = [...defaultClusterConfig.systems].reverse();
  assert.deepEqual(validateClusterConfig({ ...defaultClusterConfig, systems: [...reversed, ...reversed] }).systems, defaultClusterConfig.systems);
  assert.deepEqual(defaultClusterConfig.systems, drivers.map((d) => d.name), 'the default is every registered system');
});

test('a driver that wants more nodes than a block holds, or too many systems, is refused', () => {
  const wide: PlannedSystem = { name: 'wide', nodePrefix: 'w', maxNodes: 11, internalPort: 1, config: { nodeCount: () => 1, validate: () => undefined } };
  assert.throws(() => planCluster(defaultClusterConfig, [...drivers, wide]), /a port block holds 10/);
  const many = Array.from({ length: 11 }, (_, i): PlannedSystem => ({ name: `s${i}`, nodePrefix: `s${i}`, maxNodes: 1, internalPort: 1, config: { nodeCount: () => 1, validate: () => undefined } }));
  assert.throws(() => planCluster(defaultClusterConfig, many), /blocks for 10 systems/);
});

test('sizes that make no sense are usage errors that say what is allowed', () => {
  for (const zkNodes of [0, 2, 4, 11, 1.5]) {
    assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, zkNodes }), (e: unknown) => e instanceof UsageError && /--zk-nodes must be an odd/.test(e.message));
  }
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, redisNodes: 0 }), /--redis-nodes/);
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, redisNodes: 11 }), /--redis-nodes/);
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, clientSlots: 0 }), /--client-slots/);
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, portBase: 80 }), /--port-base/);
  const top = 32767 - portSpan();
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, portBase: top + 1 }), new RegExp(`--port-base must be a whole number from 1024 to ${top}`));
  assert.doesNotThrow(() => validateClusterConfig({ ...defaultClusterConfig, portBase: top }));
  // The limit is the whole layout's, whichever systems run.
  assert.throws(() => validateClusterConfig({ ...defaultClusterConfig, systems: defaultClusterConfig.systems.slice(0, 1), portBase: top + 1 }), /--port-base/);
});

test('configs compare on every field, the systems\' slices included', () => {
  assert.ok(sameConfig(defaultClusterConfig, { ...defaultClusterConfig }));
  assert.ok(!sameConfig(defaultClusterConfig, { ...defaultClusterConfig, redisPersistence: 'always' }));
  assert.ok(!sameConfig(defaultClusterConfig, { ...defaultClusterConfig, durability: 'disk' }));
  assert.ok(!sameConfig(defaultClusterConfig, { ...defaultClusterConfig, zkForceSync: true }));
  assert.ok(!sameConfig(defaultClusterConfig, { ...defaultClusterConfig, zkNodes: 5 }));
  // Lists compare by value: the same systems are the same config, other systems are not.
  assert.ok(sameConfig(defaultClusterConfig, { ...defaultClusterConfig, systems: [...defaultClusterConfig.systems] }));
  assert.ok(!sameConfig(defaultClusterConfig, { ...defaultClusterConfig, systems: defaultClusterConfig.systems.slice(0, 1) }));
  // A cluster made before a system was added lacks its field: not the same config.
  assert.ok(!sameConfig(defaultClusterConfig, { ...defaultClusterConfig, extra: 1 } as typeof defaultClusterConfig));
});

test('Redis persistence modes map to AOF settings', () => {
  assert.ok(redisArgs('none').join(' ').includes('--appendonly no'));
  assert.ok(redisArgs('always').join(' ').includes('--appendfsync always'));
  assert.ok(redisArgs('everysec').join(' ').includes('--appendfsync everysec'));
});
