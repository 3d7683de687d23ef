// Durability profiles on a real cluster: `up --durability X` makes (or remakes) the cluster with
// each system's setting for X, visible inside the containers and in `status`. Ends on the default
// profile (memory), which is the config the other Docker test files reuse.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execChecked } from '../../clusters/docker-objects.ts';
import { dockerClient } from '../../clusters/docker-engine.ts';
import { zkCommand } from '../../clusters/probes.ts';
import { openZkSession, ZK_EPHEMERAL } from '../../clusters/systems/zookeeper/session.ts';
import { defaultClusterConfig, nodesOf, planCluster } from '../../clusters/topology.ts';
import { runCli } from '../support/cli.ts';

const HOST = '127.0.0.1';
const UP_TIMEOUT_MS = 5 * 60_000;
const plan = planCluster(defaultClusterConfig);
const zk = nodesOf(plan, 'zookeeper');
const redis = nodesOf(plan, 'redis');

async function redisConfig(container: string, name: string): Promise<string> {
  const out = await execChecked(dockerClient(), container, ['redis-cli', 'CONFIG', 'GET', name]);
  return out.trim().split('\n')[1]?.trim() ?? '';
}

async function zooCfgForceSync(container: string): Promise<string> {
  return (await execChecked(dockerClient(), container, ['grep', '^forceSync=', '/var/lib/zk/zoo.cfg'])).trim();
}

/** Transaction-log fsyncs the ensemble has counted so far (mntr zk_cnt_fsynctime, every member). */
async function fsyncCount(): Promise<number> {
  let n = 0;
  for (const node of zk) {
    const r = await zkCommand(HOST, node.directPort, 'mntr', 3000);
    if (r.state !== 'answered') assert.fail(`${node.name} does not answer mntr: ${r.state}`);
    const m = /^zk_cnt_fsynctime\s+(\d+)$/m.exec(r.reply);
    assert.ok(m?.[1] !== undefined, `${node.name}'s mntr has zk_cnt_fsynctime`);
    n += Number(m[1]);
  }
  return n;
}

/** Fsyncs counted across `writes` ephemeral create + delete pairs. */
async function fsyncsDuring(writes: number): Promise<number> {
  const before = await fsyncCount();
  await using s = await openZkSession(zk.map((n) => `${HOST}:${n.directPort}`).join(','));
  for (let i = 0; i < writes; i++) {
    await s.zk.create('/lockbench-durability-probe', '', ZK_EPHEMERAL);
    await s.zk.delete_('/lockbench-durability-probe', -1);
  }
  return (await fsyncCount()) - before;
}

async function up(args: string[]): Promise<{ reused: boolean }> {
  const r = await runCli(['up', '--json', ...args], { timeoutMs: UP_TIMEOUT_MS });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { reused: boolean };
}

describe('durability profiles', () => {
  test('contradicting flags are a usage error that says what to drop', async () => {
    const r = await runCli(['up', '--durability', 'memory', '--redis-persistence', 'always']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /--redis-persistence always contradicts --durability memory.*drop --redis-persistence/);
  });

  test('disk: Redis AOF fsync always, ZooKeeper fsyncs its log', { timeout: UP_TIMEOUT_MS + 60_000 }, async () => {
    await up(['--durability', 'disk']);
    for (const n of redis) {
      assert.equal(await redisConfig(n.container, 'appendonly'), 'yes', n.name);
      assert.equal(await redisConfig(n.container, 'appendfsync'), 'always', n.name);
    }
    for (const n of zk) assert.equal(await zooCfgForceSync(n.container), 'forceSync=yes', n.name);
    // Every member logs every write, so 10 sequential writes cost each member at least one fsync.
    assert.ok((await fsyncsDuring(5)) >= zk.length, 'the transaction log is fsynced');
    const status = await runCli(['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { config: { durability: string } }).config.durability, 'disk');
  });
  test('memory (the default): another profile remakes the cluster; Redis without AOF, ZooKeeper forceSync=no (writes are not fsynced), and status says so', { timeout: UP_TIMEOUT_MS + 60_000 }, async () => {
    assert.equal((await up([])).reused, false, 'a different profile is a different cluster');
    for (const n of redis) assert.equal(await redisConfig(n.container, 'appendonly'), 'no', n.name);
    for (const n of zk) assert.equal(await zooCfgForceSync(n.container), 'forceSync=no', n.name);
    assert.equal(await fsyncsDuring(5), 0);
    const status = await runCli(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /durability memory \(redis: no AOF; zookeeper: forceSync=no; etcd: WAL fsync as shipped \(etcd 3\.4 cannot turn it off\); redis-sentinel: no AOF on primary or replicas\)/);
    const json = await runCli(['status', '--json']);
    assert.equal((JSON.parse(json.stdout) as { config: { durability: string } }).config.durability, 'memory');
  });

});
