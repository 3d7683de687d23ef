// Locks as descriptors: the registry's specs, a lock module's declared model, and the bug that
// made them necessary — a module on ZooKeeper was crashed, paused and partitioned on Redis nodes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveChaosOptions } from '../../../chaos/options.ts';
import { lockNodes, planSchedule } from '../../../chaos/schedule.ts';
import { UsageError } from '../../../core/errors.ts';
import { lockNames, lockSpecs } from '../../../locks/registry.ts';
import { leaseLifetimeMs } from '../../../locks/spec.ts';
import { loadLockModel } from '../../../locks/user-module.ts';

const nodes = { redis: ['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5'], zookeeper: ['zk-1', 'zk-2', 'zk-3'] };
const systems = ['redis', 'zookeeper'];
// The systems registered locks run on (a lock module here is checked against `systems` only).
const lockSystems = [...systems, 'etcd', 'redis-sentinel'];

describe('lock registry', () => {
  test('every spec is registered under its own name and runs on a known system', () => {
    for (const name of lockNames) {
      const spec = lockSpecs[name];
      assert.equal(spec.name, name);
      assert.ok(lockSystems.includes(spec.model.system), `${name} runs on ${spec.model.system}`);
      assert.match(spec.colour, /^#[0-9a-f]{6}$/);
      assert.ok(spec.floor.roundTrips + spec.floor.writes > 0);
    }
  });

  test('the etcd locks: both session locks on every member; only the Mutex has fencing tokens; colours distinct', () => {
    assert.deepEqual(lockSpecs.etcd.model, { system: 'etcd', lease: 'session', family: 'consensus', nodes: 'all', partitionSide: 'server', fencingTokens: true });
    assert.equal(lockSpecs['etcd3-lock'].model.fencingTokens, false);
    const colours = lockNames.map((n) => lockSpecs[n].colour);
    assert.equal(new Set(colours).size, colours.length, colours.join(' '));
  });

  test('the Sentinel locks: the primary of the Sentinel topology, replicated family, no fencing; only sentinel-wait asks a replica', () => {
    assert.deepEqual(lockSpecs.sentinel.model, { system: 'redis-sentinel', lease: 'ttl', family: 'replicated', nodes: 'first', partitionSide: 'client', fencingTokens: false });
    assert.deepEqual(lockSpecs['sentinel-wait'].model, { ...lockSpecs.sentinel.model, replicaAcks: 1 });
    assert.deepEqual(lockSpecs['sentinel-wait'].floor, { roundTrips: 1, writes: 1, over: 'one-node', handoff: { roundTrips: 0, writes: 1 } });
  });

  test('the lease lifetime is the TTL, or the session timeout for session leases', () => {
    const o = { ttlMs: 2000, sessionTimeoutMs: 4000 };
    assert.equal(leaseLifetimeMs(lockSpecs.redis.model, o), 2000);
    assert.equal(leaseLifetimeMs(lockSpecs.zookeeper.model, o), 4000);
    assert.equal(leaseLifetimeMs(lockSpecs.etcd.model, o), 4000);
    assert.equal(leaseLifetimeMs(lockSpecs['etcd3-lock'].model, o), 4000);
  });
});

describe('a lock module declares its system and lease', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-module-'));
  const write = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, `${body}\nexport function createLockClient() { throw new Error('not used'); }\n`);
    return p;
  };
  test.after(() => rmSync(dir, { recursive: true, force: true }));

  test('the examples declare theirs', async () => {
    assert.deepEqual(await loadLockModel('examples/lock-module-redis.ts', systems), { system: 'redis', lease: 'ttl', family: 'single', nodes: 'first', partitionSide: 'client', fencingTokens: false });
    const zk = await loadLockModel('examples/lock-module-zookeeper.ts', systems);
    assert.equal(zk.system, 'zookeeper');
    assert.equal(zk.lease, 'session');
  });

  test('a module that declares nothing, or something unknown, is a usage error that says what to export', async () => {
    const none = write('none.mjs', '');
    await assert.rejects(loadLockModel(none, systems), (e: unknown) => e instanceof UsageError && /does not export system and lease; declare what it runs on: `export const system = 'redis' \| 'zookeeper'`/.test(e.message));
    const etcd = write('etcd.mjs', "export const system = 'etcd'; export const lease = 'ttl';");
    await assert.rejects(loadLockModel(etcd, systems), /`system` must be one of redis, zookeeper, got "etcd"/);
    const lease = write('lease.mjs', "export const system = 'redis'; export const lease = 'forever';");
    await assert.rejects(loadLockModel(lease, systems), /`lease` must be 'ttl' or 'session', got "forever"/);
    await assert.rejects(loadLockModel(join(dir, 'missing.mjs'), systems), /no such file/);
  });

  test('options for a module cannot be resolved without its declaration', () => {
    assert.throws(() => resolveChaosOptions({ lock: 'redis', fault: 'crash', modulePath: 'x.ts' }), /its declaration \(system, lease\) must be read/);
  });
});

describe('bug: a lock module on ZooKeeper had its faults aimed at Redis nodes', () => {
  const zkModule = { system: 'zookeeper', lease: 'session', family: 'consensus', nodes: 'all', partitionSide: 'client', fencingTokens: false } as const;

  test('node faults strike the nodes of the system the module declares', () => {
    for (const fault of ['crash', 'pause', 'clock-skew']) {
      const o = resolveChaosOptions({ lock: 'module', modulePath: 'examples/lock-module-zookeeper.ts', lockModel: zkModule, fault, seed: 11 });
      assert.deepEqual(lockNodes(o, nodes), nodes.zookeeper);
      const steps = planSchedule(o, nodes);
      assert.ok(steps.length > 0, fault);
      for (const s of steps) {
        assert.ok('nodes' in s, `${fault} step ${s.id} strikes nodes`);
        for (const n of s.nodes) assert.ok(nodes.zookeeper.includes(n), `${fault} step ${s.id} strikes ${n}, not a ZooKeeper node`);
      }
    }
  });

  test('partitions cut its links to the ZooKeeper nodes, and pauses last the session timeout', () => {
    const o = resolveChaosOptions({ lock: 'module', modulePath: 'm.ts', lockModel: zkModule, fault: 'partition', seed: 5 });
    for (const s of planSchedule(o, nodes)) {
      assert.ok(s.kind === 'partition' && s.cuts !== undefined);
      for (const c of s.cuts) for (const n of c.nodes) assert.ok(nodes.zookeeper.includes(n), n);
    }
    const p = resolveChaosOptions({ lock: 'module', modulePath: 'm.ts', lockModel: zkModule, fault: 'client-pause', seed: 5, sessionTimeoutMs: 3000, pauseMultiple: 2 });
    for (const s of planSchedule(p, nodes)) assert.equal(s.durationMs, 6000);
  });

  test('a module on one Redis node is struck on that node only', () => {
    const one = { system: 'redis', lease: 'ttl', family: 'single', nodes: 'first', partitionSide: 'client', fencingTokens: false } as const;
    const o = resolveChaosOptions({ lock: 'module', modulePath: 'm.ts', lockModel: one, fault: 'crash', seed: 3 });
    for (const s of planSchedule(o, nodes)) assert.ok(s.kind === 'crash' && s.nodes.every((n) => n === 'redis-1'));
  });
});
