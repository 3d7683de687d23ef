import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import yargs from 'yargs';
import { clusterConfigFromArgs, clusterOptions } from '../../../cli/options.ts';
import { UsageError } from '../../../core/errors.ts';
import { configFromLabels } from '../../../clusters/docker-objects.ts';
import { LABEL_CONFIG, LABEL_ROLE } from '../../../clusters/labels.ts';
import { DEFAULT_DURABILITY, durabilityProfiles } from '../../../clusters/systems/durability.ts';
import { composeSystemsConfig, describeDurability, driverFor, drivers, durabilityDepartures, durabilityOf, systemDefaults } from '../../../clusters/systems/registry.ts';
import { defaultClusterConfig, planCluster, sameConfig, type ClusterConfig } from '../../../clusters/topology.ts';

const parse = (argv: string[]): ClusterConfig => clusterConfigFromArgs(clusterOptions(yargs(argv).exitProcess(false).strict()).parseSync());

test('the default config is the default profile applied to every system', () => {
  assert.equal(DEFAULT_DURABILITY, 'memory');
  assert.equal(systemDefaults.durability, DEFAULT_DURABILITY);
  for (const d of drivers) {
    for (const [field, v] of Object.entries(d.config.durability[DEFAULT_DURABILITY].settings)) {
      assert.equal((systemDefaults as unknown as Record<string, unknown>)[field], v, `${d.name}: ${field} follows the default profile`);
    }
  }
  assert.deepEqual(durabilityDepartures(defaultClusterConfig), []);
});

test('every driver says what each profile means, and each profile passes its validation', () => {
  for (const d of drivers) {
    for (const p of durabilityProfiles) {
      const m = d.config.durability[p];
      assert.ok(m.means.length > 0, `${d.name}/${p} says what it means`);
      // A system with one mode (etcd 3.4 cannot skip fsync) sets nothing in either profile and says so.
      const oneMode = durabilityProfiles.every((q) => Object.keys(d.config.durability[q].settings).length === 0);
      assert.ok(Object.keys(m.settings).length > 0 || (oneMode && /as shipped/.test(m.means)), `${d.name}/${p} sets something, or says it runs as shipped`);
      assert.doesNotThrow(() => d.config.validate(composeSystemsConfig(p, {})));
    }
  }
});

test('memory and disk map to Redis AOF and ZooKeeper forceSync', () => {
  const memory = composeSystemsConfig('memory', {});
  assert.equal(memory.redisPersistence, 'none');
  assert.equal(memory.zkForceSync, false);
  const disk = composeSystemsConfig('disk', {});
  assert.equal(disk.redisPersistence, 'always');
  assert.equal(disk.zkForceSync, true);
  assert.deepEqual(composeSystemsConfig(undefined, {}), memory);
  assert.equal(durabilityOf(memory), 'memory');
});

test('container specs follow the profile: Redis AOF flags, ZooKeeper ZK_FORCE_SYNC', () => {
  for (const [profile, aof, forceSync] of [['memory', '--appendonly no', 'no'], ['disk', '--appendfsync always', 'yes']] as const) {
    const plan = planCluster({ ...defaultClusterConfig, ...composeSystemsConfig(profile, {}) });
    const redis = plan.nodes.find((n) => n.name === 'redis-1');
    const zk = plan.nodes.find((n) => n.name === 'zk-1');
    assert.ok(redis && zk);
    const systemNodes = (system: string) => plan.nodes.filter((n) => n.system === system);
    assert.ok(driverFor('redis').container(redis, systemNodes('redis'), plan.config).cmd?.join(' ').includes(aof), `${profile}: ${aof}`);
    assert.ok(driverFor('zookeeper').container(zk, systemNodes('zookeeper'), plan.config).env.includes(`ZK_FORCE_SYNC=${forceSync}`), `${profile}: forceSync=${forceSync}`);
  }
});

test('an explicit --redis-persistence overrides the default profile and is named as a departure', () => {
  const c = composeSystemsConfig(undefined, { redisPersistence: 'always' });
  assert.equal(c.durability, 'memory');
  assert.equal(c.redisPersistence, 'always');
  assert.equal(c.zkForceSync, false);
  assert.deepEqual(durabilityDepartures(c), ['--redis-persistence always']);
  assert.match(describeDurability(c), /^memory \(redis: no AOF; zookeeper: forceSync=no.*\), except --redis-persistence always$/);
  // A cluster of fewer systems (--systems) describes only those.
  assert.equal(describeDurability({ ...c, systems: ['redis'] }), 'memory (redis: no AOF), except --redis-persistence always');
  // Agreeing with an explicit profile is fine, and so are flags the profile does not set.
  assert.equal(composeSystemsConfig('disk', { redisPersistence: 'always', redisNodes: 3 }).redisNodes, 3);
});

test('--redis-persistence contradicting an explicit --durability is a usage error that says what to drop', () => {
  for (const [profile, persistence] of [['memory', 'always'], ['disk', 'everysec'], ['disk', 'none']] as const) {
    assert.throws(
      () => composeSystemsConfig(profile, { redisPersistence: persistence }),
      (err: unknown) =>
        err instanceof UsageError &&
        err.exitCode === 254 &&
        err.message.includes(`--redis-persistence ${persistence} contradicts --durability ${profile}`) &&
        /drop --redis-persistence .* or drop --durability/.test(err.message),
    );
  }
  assert.throws(() => composeSystemsConfig('tape', {}), /--durability must be one of memory, disk, got 'tape'/);
});

test('the CLI flags: --durability, --redis-persistence alone, and both in contradiction', () => {
  assert.equal(parse([]).durability, 'memory');
  assert.equal(parse([]).redisPersistence, 'none');
  const disk = parse(['--durability', 'disk']);
  assert.equal(disk.redisPersistence, 'always');
  assert.equal(disk.zkForceSync, true);
  const override = parse(['--redis-persistence', 'everysec']);
  assert.equal(override.durability, 'memory');
  assert.equal(override.redisPersistence, 'everysec');
  assert.throws(() => parse(['--durability', 'memory', '--redis-persistence', 'always']), UsageError);
});

test('the profile round-trips through the container label, and another profile is another config', () => {
  const disk: ClusterConfig = { ...defaultClusterConfig, ...composeSystemsConfig('disk', {}) };
  const container = (c: ClusterConfig) => ({ Labels: { [LABEL_ROLE]: 'toxiproxy', [LABEL_CONFIG]: JSON.stringify(c) } }) as unknown as Docker.ContainerInfo;
  const back = configFromLabels([container(disk)]);
  assert.ok(back && sameConfig(back, disk));
  assert.equal(back.durability, 'disk');
  assert.ok(!sameConfig(back, defaultClusterConfig));
  // A cluster made before profiles existed has neither field: not the same config (up recreates it).
  const { durability: _d, zkForceSync: _z, ...old } = defaultClusterConfig;
  const oldBack = configFromLabels([container(old as ClusterConfig)]);
  assert.ok(oldBack && !sameConfig(oldBack, defaultClusterConfig));
  assert.match(describeDurability(oldBack), /not recorded/);
});
