// lockbench against services it did not start (issue 15): Debian's redis-server with a password,
// ZooKeeper and etcd as plain processes on 127.0.0.1 (test/support/external-services.ts), driven
// through the CLI as a user drives it. Before anything runs, the test seeds data of "another
// team" in each service, some of it named like lockbench's own; after every command it checks
// that this data is untouched, that nothing of lockbench's is left, and at the end that the
// password is in no file under the results folder. No timing is asserted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import type { BenchResult } from '../../bench/results.ts';
import { openZkSession } from '../../clusters/systems/zookeeper/session.ts';
import { EXTERNAL_PORT_BASE } from '../../clusters/external/plan.ts';
import { collect, runCli, spawnCli, type CliResult } from '../support/cli.ts';
import { REDIS_PASSWORD, SENTINEL_MASTER, startExternalServices, type ExternalServices } from '../support/external-services.ts';

let services: ExternalServices;
let resultsDir: string;

// Another team's data: values lockbench must leave as they are. Some names look like lockbench's.
const seededRedis: Record<string, string> = { 'app:config': 'v1', 'lockbench:other-team': 'keep', 'lockbench/other:key-0': 'keep' };
const seededZk = ['/app', '/app/config', '/lockbench', '/lockbench/other-team'];
const seededEtcd: Record<string, string> = { '/app/config': 'v1', '/lockbench/other-team/x': 'keep', 'lockbench/bare': 'keep' };

before(async () => {
  services = await startExternalServices();
  resultsDir = mkdtempSync(join(tmpdir(), 'lockbench-external-results-'));
  const r = services.redisClient();
  await r.connect();
  for (const [k, v] of Object.entries(seededRedis)) await r.set(k, v);
  r.disconnect();
  const zk = await openZkSession(services.zookeeper);
  for (const p of seededZk) await zk.zk.create(p, 'keep', 0);
  await zk.close();
  const etcd = new Etcd3({ hosts: `http://${services.etcd}` });
  for (const [k, v] of Object.entries(seededEtcd)) await etcd.put(k).value(v);
  etcd.close();
}, { timeout: 120_000 });

after(async () => {
  await services[Symbol.asyncDispose]();
  rmSync(resultsDir, { recursive: true, force: true });
});

const env = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ LOCKBENCH_RESULTS: resultsDir, LOCKBENCH_REDIS_PASSWORD: REDIS_PASSWORD, ...over });
const endpoints = (): string[] => ['--redis', services.redis, '--zookeeper', services.zookeeper, '--etcd', services.etcd];
const runs = (): string[] => (existsSync(resultsDir) ? readdirSync(resultsDir).filter((d) => d !== 'latest') : []);

/** Everything each service holds now, in one comparable shape. */
async function contents(): Promise<{ redis: Record<string, string>; zookeeper: string[]; etcd: Record<string, string> }> {
  const r = services.redisClient();
  await r.connect();
  const redis: Record<string, string> = {};
  for (const k of (await r.keys('*')).sort()) redis[k] = (await r.get(k)) ?? '';
  r.disconnect();
  const zk = await openZkSession(services.zookeeper);
  const paths: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const children = await zk.zk.get_children(p, false);
    for (const c of children.sort()) {
      const child = p === '/' ? `/${c}` : `${p}/${c}`;
      if (child === '/zookeeper') continue;
      paths.push(child);
      await walk(child);
    }
  };
  await walk('/');
  await zk.close();
  const etcd = new Etcd3({ hosts: `http://${services.etcd}` });
  const all = await etcd.getAll().strings();
  etcd.close();
  return { redis, zookeeper: paths, etcd: all };
}

/** The services hold exactly the seeded data: nothing of lockbench's left, nothing of theirs touched. */
async function assertOnlySeeded(after: string): Promise<void> {
  const now = await contents();
  assert.deepEqual(now.redis, Object.fromEntries(Object.entries(seededRedis).sort()), `Redis after ${after}`);
  assert.deepEqual(now.zookeeper, [...seededZk].sort(), `ZooKeeper after ${after}`);
  assert.deepEqual(now.etcd, seededEtcd, `etcd after ${after}`);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function json(r: CliResult): unknown {
  return JSON.parse(r.stdout);
}

test('status names each endpoint with its role and version', async () => {
  const r = await runCli(['status', ...endpoints(), '--json'], { env: env(), timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  const s = json(r) as { systems: { system: string; answers: { role: string; version: string }[] }[] };
  assert.deepEqual(s.systems.map((x) => [x.system, x.answers[0]?.role]), [['redis', 'master'], ['zookeeper', 'standalone'], ['etcd', 'leader']]);
  assert.ok(s.systems.every((x) => x.answers.every((a) => /^\d+\.\d+/.test(a.version))), r.stdout);
});

test('a wrong or missing password, a server-side fault and a lock that needs more nodes are usage errors before anything runs', async () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['chaos', '--redis', services.redis, '--lock', 'redis', '--fault', 'none'], { LOCKBENCH_REDIS_PASSWORD: 'not-the-password' }, /redis at 127\.0\.0\.1:\d+ refused lockbench's credentials \(WRONGPASS/],
    [['bench', '--redis', services.redis], { LOCKBENCH_REDIS_PASSWORD: '' }, /refused lockbench's credentials \(NOAUTH/],
    [['chaos', '--redis', services.redis, '--lock', 'redis', '--fault', 'crash'], {}, /--fault crash needs control of the servers.*faults available against it for redis: none, partition, client-pause, latency/],
    [['chaos', '--etcd', services.etcd, '--lock', 'etcd', '--fault', 'clock-skew'], {}, /--fault clock-skew needs control of the servers/],
    [['chaos', '--zookeeper', services.zookeeper, '--lock', 'zookeeper', '--fault', 'pause'], {}, /--fault pause needs control of the servers/],
    [['chaos', '--redis', services.redis, '--lock', 'redlock', '--fault', 'none'], {}, /--lock redlock needs at least 3 redis nodes, and the target names 1/],
    [['chaos', '--redis', services.redis, '--lock', 'zookeeper', '--fault', 'none'], {}, /--lock zookeeper runs on zookeeper, and the external target names redis only/],
    [['bench', '--redis', services.redis, '--locks', 'redlock'], {}, /--locks: redlock needs at least 3 redis nodes/],
    [['bench', '--redis', services.redis, '--max-rate', '0'], {}, /--max-rate must be a whole number of lock cycles per second from 1 to 1000000, got 0/],
    [['chaos', '--redis', services.redis, '--matrix'], {}, /--matrix and --sweep run on the lab only so far/],
  ];
  for (const [args, over, message] of cases) {
    const r = await runCli(args, { env: env(over), timeoutMs: 60_000 });
    assert.equal(r.code, 254, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(' ')}: a stack trace`);
  }
  assert.deepEqual(runs(), [], 'no run folder for a refused command');
  await assertOnlySeeded('refused commands');
});

test('a namespace that already holds data is refused, and --reuse-namespace uses it and removes it at the end', async () => {
  const r = services.redisClient();
  await r.connect();
  await r.set('lockbench/mine:left-over', 'x');
  r.disconnect();
  const refused = await runCli(['chaos', '--redis', services.redis, '--lock', 'redis', '--fault', 'none', '--namespace', 'lockbench/mine', '--duration', '2'], { env: env(), timeoutMs: 60_000 });
  assert.equal(refused.code, 254, refused.stderr);
  assert.match(refused.stderr, /redis already holds 1 item\(s\) under the namespace lockbench\/mine.*--reuse-namespace/);
  const reused = await runCli(['chaos', '--redis', services.redis, '--lock', 'redis', '--fault', 'none', '--namespace', 'lockbench/mine', '--reuse-namespace', '--duration', '2', '--json'], { env: env(), timeoutMs: 3 * 60_000 });
  assert.equal(reused.code, 0, reused.stderr.slice(-3000));
  assert.equal((json(reused) as { verdict: string }).verdict, 'valid');
  await assertOnlySeeded('a run with --reuse-namespace');
});

test('chaos: a client-side partition leaves the Redis lock valid, a paused client breaks the ZooKeeper lock, and each run cleans up', async () => {
  const partition = await runCli(['chaos', '--redis', services.redis, '--lock', 'redis', '--fault', 'partition', '--partition-shape', 'one', '--duration', '8', '--json'], { env: env(), timeoutMs: 3 * 60_000 });
  assert.equal(partition.code, 0, partition.stderr.slice(-3000));
  const p = json(partition) as { verdict: string; dir: string; faults: { applied: number } };
  assert.equal(p.verdict, 'valid');
  const manifest = JSON.parse(readFileSync(join(p.dir, 'manifest.json'), 'utf8')) as { target?: { kind: string; namespace: string } };
  assert.equal(manifest.target?.kind, 'external');
  assert.match(manifest.target.namespace, /^lockbench\/chaos-/);
  await assertOnlySeeded('a partition run');

  // No fencing: a client paused past its session keeps writing after ZooKeeper granted the lock to another.
  const pause = await runCli(['chaos', '--zookeeper', services.zookeeper, '--lock', 'zookeeper', '--fault', 'client-pause', '--duration', '8', '--json'], { env: env(), timeoutMs: 3 * 60_000 });
  assert.equal(pause.code, 1, pause.stderr.slice(-3000));
  assert.equal((json(pause) as { verdict: string }).verdict, 'invalid');
  await assertOnlySeeded('a client-pause run');
  assert.equal(await portOpen(EXTERNAL_PORT_BASE + 1), false, 'the local proxy is closed after the run');
});

test('bench --quick against all three completes under the default --max-rate and leaves nothing behind', async () => {
  const r = await runCli(['bench', ...endpoints(), '--locks', 'redis,zookeeper,etcd', '--duration', '0.3', '--json'], { env: env(), timeoutMs: 8 * 60_000 });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const b = json(r) as BenchResult;
  assert.equal(b.options['target'], 'external');
  assert.equal(b.options['quick'], true);
  assert.equal(b.options['maxRatePerSec'], 500);
  assert.ok(b.cases.length > 0);
  assert.deepEqual(b.cases.filter((c) => c.status !== 'ok').map((c) => `${c.id}: ${c.error ?? c.status}`), []);
  assert.deepEqual([...new Set(b.cases.map((c) => c.kind))].sort(), ['fairness', 'held', 'http', 'micro', 'open', 'sweep', 'waiters']);
  assert.deepEqual(b.violations, []);
  // The cap holds (with room for the window's edges), and the floor was measured against the target.
  for (const c of b.cases) assert.ok(c.cyclesPerSec <= 500 * 1.1, `${c.id}: ${c.cyclesPerSec}/s over the cap`);
  assert.deepEqual(Object.keys(b.floor ?? {}).sort(), ['etcd', 'redis', 'zookeeper']);
  assert.ok(b.cases.some((c) => c.latencyMs > 0), 'the WAN cases ran through the local proxy');
  await assertOnlySeeded('bench');
});

test('Ctrl-C in the middle of a chaos run: exit 130, the namespace removed, the proxy closed, the run folder readable', async () => {
  const child = spawnCli(['chaos', '--redis', services.redis, '--lock', 'redis', '--fault', 'latency', '--duration', '30'], env());
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const deadline = Date.now() + 90_000;
  while (!/latency #1 applied/.test(stderr) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
  assert.match(stderr, /latency #1 applied/, 'the fault was in force when Ctrl-C came');
  child.kill('SIGINT');
  const r = await collect(child, 90_000);
  assert.equal(r.code, 130, stderr.slice(-3000));
  assert.match(stderr + r.stderr, /\[external\] redis: removed \d+ item\(s\) under lockbench\/chaos-/);
  await assertOnlySeeded('Ctrl-C');
  assert.equal(await portOpen(EXTERNAL_PORT_BASE + 1), false, 'the local proxy is closed after Ctrl-C');
  const dir = join(resultsDir, runs().filter((d) => d.includes('latency')).sort().at(-1) ?? 'missing');
  const check = await runCli(['check', dir], { env: env(), timeoutMs: 60_000 });
  assert.ok([0, 1, 2].includes(check.code ?? -1), `check reads the interrupted run: ${check.stderr}`);
});

test('TLS through the local proxy: the certificate is checked against the endpoint\'s name, and a missing CA is refused before anything runs', async () => {
  const args = ['chaos', '--redis', services.redisTls, '--lock', 'redis', '--fault', 'none', '--duration', '3', '--json'];
  const ok = await runCli(args, { env: env({ LOCKBENCH_REDIS_TLS_CA: services.tlsCa }), timeoutMs: 3 * 60_000 });
  assert.equal(ok.code, 0, ok.stderr.slice(-3000));
  const r = json(ok) as { verdict: string; liveness: { ok: boolean } | undefined };
  assert.equal(r.verdict, 'valid');
  const noCa = await runCli(args, { env: env(), timeoutMs: 60_000 });
  assert.equal(noCa.code, 254, noCa.stderr);
  assert.match(noCa.stderr, /redis at localhost:\d+ (does not answer|refused)/);
});

test('Redis with Sentinel: status asks the Sentinel, chaos and bench run the Sentinel locks on the data nodes it names, and leave the primary as they found it', async () => {
  const sentinelEnv = env({ LOCKBENCH_SENTINEL_PASSWORD: REDIS_PASSWORD });
  const target = ['--sentinel', services.sentinel, '--sentinel-master', SENTINEL_MASTER];
  const primaryKeys = async (): Promise<Record<string, string>> => {
    const r = services.sentinelPrimaryClient();
    await r.connect();
    const out: Record<string, string> = {};
    for (const k of (await r.keys('*')).sort()) out[k] = (await r.get(k)) ?? '';
    r.disconnect();
    return out;
  };
  const seeded = { 'app:session': 'v1', 'lockbench:other-team': 'keep' };
  const c = services.sentinelPrimaryClient();
  await c.connect();
  for (const [k, v] of Object.entries(seeded)) await c.set(k, v);
  c.disconnect();

  const refused: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['status', '--sentinel', services.sentinel], sentinelEnv, /--sentinel needs --sentinel-master NAME/],
    [['status', '--sentinel', services.sentinel, '--sentinel-master', 'nope'], sentinelEnv, /no Sentinel named a primary for the master 'nope'/],
    [['chaos', ...target, '--lock', 'sentinel', '--fault', 'none'], env({ LOCKBENCH_SENTINEL_PASSWORD: 'wrong' }), /redis-sentinel|redis at 127\.0\.0\.1:\d+ refused lockbench's credentials/],
    [['chaos', ...target, '--lock', 'sentinel', '--fault', 'failover'], sentinelEnv, /--fault failover needs control of the servers/],
  ];
  for (const [args, over, message] of refused) {
    const r = await runCli(args, { env: over, timeoutMs: 60_000 });
    assert.equal(r.code, 254, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }

  const status = await runCli(['status', ...target, '--json'], { env: sentinelEnv, timeoutMs: 60_000 });
  assert.equal(status.code, 0, status.stderr);
  const answers = (json(status) as { systems: { system: string; answers: { role: string }[] }[] }).systems;
  const [first] = answers;
  assert.ok(first);
  assert.equal(first.system, 'redis-sentinel');
  assert.match(first.answers[0]?.role ?? '', new RegExp(`sentinel of '${SENTINEL_MASTER}' \\(primary 127\\.0\\.0\\.1:\\d+; data nodes 127\\.0\\.0\\.1:\\d+ master, 127\\.0\\.0\\.1:\\d+ slave\\)`));

  // Cut off from one node (a data node or the Sentinel), the client may not get the lock, but never twice.
  const chaos = await runCli(['chaos', ...target, '--lock', 'sentinel-wait', '--fault', 'partition', '--partition-shape', 'one', '--duration', '6', '--json'], { env: sentinelEnv, timeoutMs: 3 * 60_000 });
  assert.equal(chaos.code, 0, chaos.stderr.slice(-3000));
  const r = json(chaos) as { verdict: string; counts: { acquired: number }[] };
  assert.equal(r.verdict, 'valid');
  assert.ok(r.counts.reduce((n, x) => n + x.acquired, 0) > 0, 'the lock was granted through the Sentinel');
  assert.deepEqual(await primaryKeys(), seeded, 'the primary after chaos');

  const bench = await runCli(['bench', ...target, '--locks', 'sentinel,sentinel-wait', '--duration', '0.3', '--json'], { env: sentinelEnv, timeoutMs: 8 * 60_000 });
  assert.equal(bench.code, 0, bench.stderr.slice(-3000));
  const b = json(bench) as BenchResult;
  assert.deepEqual(b.cases.filter((x) => x.status !== 'ok').map((x) => `${x.id}: ${x.error ?? x.status}`), []);
  assert.deepEqual([...new Set(b.cases.map((x) => x.lock))].sort(), ['sentinel', 'sentinel-wait']);
  assert.deepEqual(Object.keys(b.floor ?? {}), ['redis-sentinel']);
  assert.deepEqual(await primaryKeys(), seeded, 'the primary after bench');
});

test('etcd with authentication: the user and password from the environment open it, a wrong or missing one is refused before anything runs', async () => {
  const args = ['chaos', '--etcd', services.etcdAuth, '--lock', 'etcd', '--fault', 'none', '--duration', '3', '--json'];
  const ok = await runCli(args, { env: env({ LOCKBENCH_ETCD_USERNAME: 'root', LOCKBENCH_ETCD_PASSWORD: REDIS_PASSWORD }), timeoutMs: 3 * 60_000 });
  assert.equal(ok.code, 0, ok.stderr.slice(-3000));
  const r = json(ok) as { verdict: string; counts: { acquired: number }[] };
  assert.equal(r.verdict, 'valid');
  assert.ok(r.counts.reduce((n, x) => n + x.acquired, 0) > 0, 'the lock was granted as that user');
  for (const over of [{ LOCKBENCH_ETCD_USERNAME: 'root', LOCKBENCH_ETCD_PASSWORD: 'not-it' }, {}]) {
    const refused = await runCli(args, { env: env(over), timeoutMs: 60_000 });
    assert.equal(refused.code, 254, `${JSON.stringify(over)}: ${refused.stderr}`);
    assert.match(refused.stderr, /etcd at 127\.0\.0\.1:\d+ refused lockbench's credentials .*LOCKBENCH_ETCD_USERNAME/, JSON.stringify(over));
  }
});

test('the password is in no file under results/', () => {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (readFileSync(p).includes(REDIS_PASSWORD)) hits.push(p);
    }
  };
  assert.ok(runs().length >= 4, `the tests above wrote runs: ${runs().join(', ')}`);
  walk(resultsDir);
  assert.deepEqual(hits, []);
});
