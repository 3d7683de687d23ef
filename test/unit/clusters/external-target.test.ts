// The external target's flags, target file, credentials and namespace: every bad input is a
// usage error that names the field, and credentials are masked wherever lockbench writes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exportCredentials, resolveTarget, validateNamespace } from '../../../clusters/external/target.ts';
import { credentialsFromEnv } from '../../../core/access.ts';
import { planExternal } from '../../../clusters/external/plan.ts';
import { clientSideFaults } from '../../../chaos/faults/registry.ts';
import { lockSpecs } from '../../../locks/registry.ts';
import { endpointsFor } from '../../../locks/context.ts';
import { UsageError } from '../../../core/errors.ts';
import { clearSecrets, redactSecrets } from '../../../core/secrets.ts';
import { openRunDir } from '../../../core/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'lockbench-target-'));
const file = (name: string, body: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
};

test('no endpoint flags and no file: the lab', () => {
  assert.equal(resolveTarget({}, {}), undefined);
  assert.equal(resolveTarget({ target: 'lab' }, {}), undefined);
});

test('endpoint flags make an external target, with credentials from the environment', () => {
  const t = resolveTarget({ redis: '127.0.0.1:6390, 127.0.0.1:6391', etcd: 'localhost:2390' }, { LOCKBENCH_REDIS_PASSWORD: 's3cret-pw' });
  assert.ok(t);
  assert.deepEqual(t.systems.map((s) => [s.system, s.endpoints.length]), [['redis', 2], ['etcd', 1]]);
  assert.equal(t.systems[0]?.credentials.password, 's3cret-pw');
  assert.deepEqual(t.systems[1]?.credentials, {});
});

test('malformed endpoints and mixtures are usage errors that say how to fix them', () => {
  const cases: [Parameters<typeof resolveTarget>[0], RegExp][] = [
    [{ redis: '127.0.0.1' }, /--redis takes host:port with a port from 1 to 65535 \(e\.g\. 127\.0\.0\.1:6379\), got '127\.0\.0\.1'/],
    [{ redis: 'h:0' }, /got 'h:0'/],
    [{ redis: 'h:70000' }, /got 'h:70000'/],
    [{ zookeeper: 'bad host:2181' }, /--zookeeper takes host:port/],
    [{ etcd: ',' }, /--etcd takes a comma-separated list of host:port, got ','/],
    [{ redis: 'a:1,a:1' }, /--redis names a:1 twice/],
    [{ target: 'cloud' }, /--target takes lab or external, got 'cloud'/],
    [{ target: 'lab', redis: 'a:1' }, /--redis describe\(s\) an external target, but --target is lab/],
    [{ target: 'external' }, /--target external needs endpoints: --redis host:port,…, --zookeeper host:port,…, --etcd host:port,…/],
    [{ sentinel: 'a:26379' }, /--sentinel needs --sentinel-master NAME/],
    [{ sentinelMaster: 'm' }, /--sentinel-master names the master the Sentinels watch: give the Sentinels too/],
    [{ sentinel: 'a:26379', sentinelMaster: 'bad name' }, /--sentinel-master takes a Sentinel master name of letters, digits/],
    [{ targetFile: file('sentinel.json', { 'redis-sentinel': { endpoints: ['a:26379'] } }) }, /redis-sentinel\.master is missing: give the master name the Sentinels watch/],
    [{ targetFile: file('sentinel2.json', { 'redis-sentinel': { endpoints: ['a:26379'], master: 'm', tls: {} } }) }, /redis-sentinel has unknown field\(s\) tls; allowed: endpoints, master, username, password/],
    [{ targetFile: join(dir, 'missing.json') }, /--target-file: cannot read .*missing\.json/],
    [{ targetFile: file('nojson.json', '{oops') }, /is not JSON/],
    [{ targetFile: file('empty.json', {}) }, /names no system: give at least one of redis, zookeeper, etcd, redis-sentinel/],
    [{ targetFile: file('unknown.json', { mysql: {} }) }, /unknown field\(s\) mysql; allowed: namespace, redis, zookeeper, etcd, redis-sentinel/],
    [{ targetFile: file('eps.json', { redis: { endpoints: [] } }) }, /redis\.endpoints must be a non-empty list of "host:port" strings/],
    [{ targetFile: file('field.json', { redis: { endpoints: ['a:1'], passwd: 'x' } }) }, /redis has unknown field\(s\) passwd; allowed: endpoints, username, password, tls/],
    [{ targetFile: file('digest.json', { zookeeper: { endpoints: ['a:1'], digest: 'nocolon' } }) }, /zookeeper\.digest must be "user:password"/],
    [{ targetFile: file('tls.json', { etcd: { endpoints: ['a:1'], tls: { cert: '/nonexistent.pem' } } }) }, /a client certificate needs both cert and key/],
    [{ targetFile: file('tls2.json', { etcd: { endpoints: ['a:1'], tls: { ca: '/nonexistent.pem' } } }) }, /etcd\.tls\.ca: cannot read \/nonexistent\.pem/],
    [{ targetFile: file('both.json', { redis: { endpoints: ['a:1'] } }), redis: 'b:2' }, /--target-file and --redis both name endpoints/],
  ];
  for (const [flags, message] of cases) assert.throws(() => resolveTarget(flags, {}), (err: unknown) => err instanceof UsageError && message.test(err.message), JSON.stringify(flags));
});

test('a target file: endpoints, credentials (the file wins over the environment), namespace', () => {
  const p = file('ok.json', { namespace: 'team/check', redis: { endpoints: ['127.0.0.1:6390'], password: 'file-pw' }, zookeeper: { endpoints: ['127.0.0.1:2190'], digest: 'u:zk-pw' } });
  const t = resolveTarget({ targetFile: p }, { LOCKBENCH_REDIS_PASSWORD: 'env-pw', LOCKBENCH_REDIS_USERNAME: 'bench' });
  assert.ok(t);
  assert.equal(t.namespace, 'team/check');
  assert.deepEqual(t.systems[0]?.credentials, { username: 'bench', password: 'file-pw' });
  assert.equal(t.systems[1]?.credentials.digest, 'u:zk-pw');
});

test('credentials reach workers through the environment, and read back the same', () => {
  const t = resolveTarget({ redis: 'a:1', etcd: 'b:2' }, { LOCKBENCH_REDIS_PASSWORD: 'pw-one', LOCKBENCH_ETCD_USERNAME: 'root', LOCKBENCH_ETCD_PASSWORD: 'pw-two' });
  assert.ok(t);
  const env: NodeJS.ProcessEnv = {};
  exportCredentials(t, env);
  assert.deepEqual(credentialsFromEnv(env), { redis: { password: 'pw-one' }, etcd: { username: 'root', password: 'pw-two' } });
});

test('registered credentials are masked in log text and in every file a run writes', () => {
  clearSecrets();
  resolveTarget({ redis: 'a:1' }, { LOCKBENCH_REDIS_PASSWORD: 'hunter2-secret' });
  assert.equal(redactSecrets('AUTH hunter2-secret failed'), 'AUTH [redacted] failed');
  const run = openRunDir('redaction-test', dir, { linkLatest: false });
  const written = run.writeJson('manifest.json', { options: { password: 'hunter2-secret' } });
  assert.ok(!readFileSync(written, 'utf8').includes('hunter2-secret'));
  clearSecrets();
});

test('namespaces: path-like segments only, nothing a Redis pattern would expand', () => {
  assert.equal(validateNamespace('lockbench/bench-20261202-1'), 'lockbench/bench-20261202-1');
  for (const bad of ['', '/abs', 'trail/', 'a//b', 'a/../b', 'star*', 'q?', 'br[a]', 'sp ace', 'x'.repeat(121)]) {
    assert.throws(() => validateNamespace(bad), /--namespace takes segments of letters, digits/, bad);
  }
});

test('the external plan: one node per endpoint, links on 127.0.0.1 to it, lock clients get namespace and direct endpoints', () => {
  const t = resolveTarget({ redis: '10.1.2.3:6379', zookeeper: 'zk-a:2181,zk-b:2181' }, {});
  assert.ok(t);
  const plan = planExternal(t, { namespace: 'lockbench/x', portBase: 20000 });
  assert.deepEqual(plan.nodes.map((n) => `${n.name}=${n.directHost ?? ''}:${n.directPort}`), ['redis-1=10.1.2.3:6379', 'zk-1=zk-a:2181', 'zk-2=zk-b:2181']);
  assert.ok(plan.nodes.every((n) => n.container === '' && n.proxies.every((p) => p.port > 20000)));
  const direct = endpointsFor(plan, 0, 'zookeeper', 'direct');
  assert.deepEqual(direct.map((e) => [e.host, e.port, e.namespace]), [['zk-a', 2181, 'lockbench/x'], ['zk-b', 2181, 'lockbench/x']]);
  const proxied = endpointsFor(plan, 1, 'redis', 'proxy');
  assert.equal(proxied[0]?.host, '127.0.0.1');
  const eleven = resolveTarget({ redis: Array.from({ length: 11 }, (_, i) => `h:${i + 1}`).join(',') }, {});
  assert.ok(eleven);
  assert.throws(() => planExternal(eleven, { namespace: 'n' }), /at most 10 redis nodes/);
});

test('Redis with Sentinel: the Sentinels from --sentinel, the data nodes they name, the master name on every link', () => {
  const t = resolveTarget({ sentinel: 's1:26379,s2:26379,s3:26379', sentinelMaster: 'mymaster' }, { LOCKBENCH_SENTINEL_PASSWORD: 'data-pw' });
  assert.ok(t);
  assert.deepEqual([t.source, t.systems[0]?.system, t.systems[0]?.master, t.systems[0]?.credentials.password], ['--sentinel', 'redis-sentinel', 'mymaster', 'data-pw']);
  const sys = t.systems[0];
  assert.ok(sys);
  // As a session finds them: the primary first, then its replicas, by the addresses the Sentinels announce.
  const withMembers = { ...t, systems: [{ ...sys, members: [{ host: '10.0.0.5', port: 6379 }, { host: '10.0.0.6', port: 6379 }] }] };
  const plan = planExternal(withMembers, { namespace: 'lockbench/s', portBase: 20000 });
  assert.deepEqual(plan.nodes.map((n) => `${n.group}:${n.directHost ?? ''}:${n.directPort}`), ['rs:10.0.0.5:6379', 'rs:10.0.0.6:6379', 'sentinel:s1:26379', 'sentinel:s2:26379', 'sentinel:s3:26379']);
  const links = endpointsFor(plan, 0, 'redis-sentinel', 'proxy');
  assert.deepEqual(links.filter((e) => e.group === 'rs').map((e) => e.announced), ['10.0.0.5:6379', '10.0.0.6:6379'], 'natMap keys: what a Sentinel answers');
  assert.ok(links.every((e) => e.service === 'mymaster' && e.host === '127.0.0.1' && e.namespace === 'lockbench/s'));
});

test('against an external target only client-side faults are offered, per lock', () => {
  assert.deepEqual(clientSideFaults(lockSpecs.redis.model), ['none', 'partition', 'client-pause', 'latency']);
  // In the lab ZooKeeper's partition cuts the ensemble apart with iptables; against an external
  // target it cuts clients off from members through the local proxy.
  assert.deepEqual(clientSideFaults(lockSpecs.zookeeper.model), ['none', 'partition', 'client-pause', 'latency']);
});
