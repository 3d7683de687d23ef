// The real cluster and its fault primitives: each primitive has its observable effect and its undo
// restores service. Runs against real Docker containers (started or reused once for the file).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { redisPing, tcpRequest, zkCommand, zkMode } from '../../clusters/probes.ts';
import { driverFor } from '../../clusters/systems/registry.ts';
import { runCli } from '../support/cli.ts';
import { useTestCluster } from '../support/cluster.ts';

const HOST = '127.0.0.1';
const clusterOf = useTestCluster();

function redisAt(port: number): Redis {
  return new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
}

describe('cluster', () => {
  test('comes up with 5 Redis masters, one ZooKeeper leader and two followers, and reports itself as JSON', async () => {
    const r = await runCli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as {
      nodes: { name: string; role: string; direct: string; proxied: { address: string }[] }[];
      toxiproxy: { api: string; implementation: string; version: string };
    };
    const roles = Object.fromEntries(status.nodes.map((n) => [n.name, n.role]));
    for (let i = 1; i <= 5; i++) assert.equal(roles[`redis-${i}`], 'master');
    const zkRoles = status.nodes.filter((n) => n.name.startsWith('zk-')).map((n) => n.role).sort();
    assert.deepEqual(zkRoles, ['follower', 'follower', 'leader']);
    const etcdRoles = status.nodes.filter((n) => n.name.startsWith('etcd-')).map((n) => n.role).sort();
    assert.deepEqual(etcdRoles, ['follower', 'follower', 'leader']);
    assert.ok(['compat', 'shopify'].includes(status.toxiproxy.implementation));
    assert.equal(status.toxiproxy.version, '2.12.0');
    assert.match(status.toxiproxy.api, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const n of status.nodes) {
      assert.match(n.direct, /^127\.0\.0\.1:\d+$/);
      assert.equal(n.proxied.length, 8);
    }
  });

  test('every direct and proxied endpoint answers', async () => {
    for (const n of clusterOf().plan.nodes) {
      for (const port of [n.directPort, ...n.proxies.map((p) => p.port)]) {
        assert.ok(await driverFor(n.system).passesTraffic(HOST, port, 1500), `${n.name} on ${port}`);
      }
      const r = await driverFor(n.system).probe(HOST, n.directPort, 1500);
      assert.equal(r.state, 'answered', n.name);
      if (n.system === 'zookeeper') assert.match(r.reply, /Zookeeper version: 3\.8/);
      if (n.system === 'etcd') assert.match(r.reply, /"etcdserver":"3\.4\./);
    }
  });

  test('a second up reuses the healthy cluster', async () => {
    const r = await runCli(['up', '--json'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { reused: boolean }).reused, true);
  });
});

describe('node primitives', () => {
  test('a killed node refuses connections, and starting it restores service', async () => {
    await clusterOf().kill('redis-2');
    const down = await redisPing(HOST, clusterOf().node('redis-2').directPort);
    assert.notEqual(down.state, 'answered');
    await clusterOf().start('redis-2');
    assert.equal((await redisPing(HOST, clusterOf().node('redis-2').directPort)).state, 'answered');
  });

  test('a paused node times out, and unpausing it restores service', async () => {
    await clusterOf().pause('redis-3');
    try {
      const r = await redisPing(HOST, clusterOf().node('redis-3').directPort, 800);
      assert.equal(r.state, 'timeout');
    } finally {
      await clusterOf().unpause('redis-3');
    }
    assert.equal((await redisPing(HOST, clusterOf().node('redis-3').directPort)).state, 'answered');
  });

  test('an isolated ZooKeeper node stops serving while the other two keep a quorum; healing restores it', async () => {
    const zk = ['zk-1', 'zk-2', 'zk-3'];
    const modes = await Promise.all(zk.map((n) => zkMode(HOST, clusterOf().node(n).directPort)));
    const victim = zk[modes.indexOf('follower')] ?? 'zk-1';
    const others = zk.filter((n) => n !== victim);
    await clusterOf().isolate(victim, others);
    try {
      // ZooKeeper notices a lost leader after syncLimit ticks (5 × 500 ms), then stops serving.
      let victimMode = await zkMode(HOST, clusterOf().node(victim).directPort);
      for (let i = 0; i < 60 && victimMode !== 'not-serving' && victimMode !== 'unreachable'; i++) {
        await new Promise((r) => setTimeout(r, 250));
        victimMode = await zkMode(HOST, clusterOf().node(victim).directPort);
      }
      assert.ok(victimMode === 'not-serving' || victimMode === 'unreachable', `isolated ${victim} is ${victimMode}`);
      const rest = await Promise.all(others.map((n) => zkMode(HOST, clusterOf().node(n).directPort)));
      assert.deepEqual([...rest].sort(), ['follower', 'leader']);
    } finally {
      await clusterOf().heal(victim);
    }
    await clusterOf().waitServing(victim);
  });

  test('a +20 s clock offset makes a 10 s key vanish on that node while the same key on another node survives', async () => {
    const a = redisAt(clusterOf().node('redis-1').directPort);
    const b = redisAt(clusterOf().node('redis-2').directPort);
    try {
      await a.connect();
      await b.connect();
      await a.set('skew-probe', 'x', 'PX', 10_000);
      await b.set('skew-probe', 'x', 'PX', 10_000);
      await clusterOf().setClockOffset('redis-1', 20_000);
      assert.equal(await a.get('skew-probe'), null);
      assert.equal(await b.get('skew-probe'), 'x');
      await clusterOf().setClockOffset('redis-1', 0);
      assert.ok(Math.abs((await clusterOf().clockOffsetMs('redis-1')).offsetMs) < 1000);
      assert.ok(Math.abs((await clusterOf().clockOffsetMs('redis-2')).offsetMs) < 1000, 'the other node was never skewed');
      assert.ok(Math.abs(Date.now() - Date.now()) < 5, 'the harness clock is untouched');
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  test('a latency toxic adds at least its latency, on an already-open connection; removing it restores the link', async () => {
    const port = clusterOf().linkPort(1, 'redis-4');
    const client = redisAt(port);
    try {
      await client.connect();
      await client.ping();
      const toxic = await clusterOf().addToxic(1, 'redis-4', { type: 'latency', attributes: { latency: 200, jitter: 0 } });
      let t = performance.now();
      await client.ping();
      assert.ok(performance.now() - t >= 195, `PING took ${(performance.now() - t).toFixed(1)} ms with 200 ms latency`);
      await clusterOf().removeToxic(1, 'redis-4', toxic);
      t = performance.now();
      await client.ping();
      assert.ok(performance.now() - t < 195, 'latency gone after removal');
    } finally {
      client.disconnect();
    }
  });

  test('a blackholed link hangs without closing, and recovers when the toxic is removed', async () => {
    const toxic = await clusterOf().addToxic(2, 'redis-5', { type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    try {
      const r = await tcpRequest(HOST, clusterOf().linkPort(2, 'redis-5'), 'PING\r\n', { timeoutMs: 1000, until: (s) => s.includes('\n') });
      assert.equal(r.state, 'timeout');
    } finally {
      await clusterOf().removeToxic(2, 'redis-5', toxic);
    }
    assert.equal((await redisPing(HOST, clusterOf().linkPort(2, 'redis-5'))).state, 'answered');
    assert.equal((await redisPing(HOST, clusterOf().linkPort(3, 'redis-5'))).state, 'answered', 'other client slots were never affected');
  });

  test('a disabled link refuses connections, only for that client slot, and enabling it restores it', async () => {
    await clusterOf().disableLink(4, 'zk-1');
    try {
      const r = await zkCommand(HOST, clusterOf().linkPort(4, 'zk-1'), 'ruok', 1000);
      assert.notEqual(r.state, 'answered');
      const other = await zkCommand(HOST, clusterOf().linkPort(5, 'zk-1'), 'ruok', 1000);
      assert.equal(other.state, 'answered');
    } finally {
      await clusterOf().enableLink(4, 'zk-1');
    }
    const r = await zkCommand(HOST, clusterOf().linkPort(4, 'zk-1'), 'ruok', 1000);
    assert.equal(r.state === 'answered' ? r.reply : r.state, 'imok');
  });
});

describe('bad input', () => {
  test('an unknown flag is a usage error (254) that points at --help', async () => {
    const r = await runCli(['up', '--redis-nodez', '3']);
    assert.equal(r.code, 254);
    assert.match(r.stderr, /Unknown argument|redis-nodez/);
    assert.match(r.stderr, /--help/);
  });

  test('a zero or even ZooKeeper size is a usage error (254) that says what is allowed', async () => {
    for (const size of ['0', '2']) {
      const r = await runCli(['up', '--zk-nodes', size]);
      assert.equal(r.code, 254, r.stderr);
      assert.match(r.stderr, /--zk-nodes must be an odd whole number/);
    }
  });

  test('a port already taken is a usage error (254) naming the port and --port-base, and the running cluster is untouched', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(21474, HOST, resolve));
    try {
      const r = await runCli(['up', '--port-base', '21000'], { timeoutMs: 120_000 });
      assert.equal(r.code, 254, r.stderr);
      assert.match(r.stderr, /21474/);
      assert.match(r.stderr, /--port-base/);
    } finally {
      server.close();
    }
    assert.equal((await redisPing(HOST, clusterOf().node('redis-1').directPort)).state, 'answered');
  });

  test('no Docker engine and no way to install it is a usage error (254) that says what to do', async () => {
    const r = await runCli(['up', '--no-install-docker'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    assert.equal(r.code, 254, r.stderr);
    assert.match(r.stderr, /No Docker engine answers/);
    assert.match(r.stderr, /docker info must work/);
  });
});
