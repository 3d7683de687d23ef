// The etcd members on the real cluster: one leader, every endpoint answering, the node faults
// taking effect and healing, the floor's raw operations and the member's own counters, and the
// clock-skew hook built into etcd (clusters/systems/etcd/image/Dockerfile).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execChecked } from '../../clusters/docker-objects.ts';
import { etcdHealthy, etcdRole } from '../../clusters/systems/etcd/probes.ts';
import { driverFor } from '../../clusters/systems/registry.ts';
import { nodesOf } from '../../clusters/topology.ts';
import { monoMs } from '../../core/clock.ts';
import { waitFor } from '../../core/wait.ts';
import { useTestCluster } from '../support/cluster.ts';

const HOST = '127.0.0.1';
const clusterOf = useTestCluster();
const etcd = driverFor('etcd');

const members = (): string[] => nodesOf(clusterOf().plan, 'etcd').map((n) => n.name);
const roles = async (): Promise<Record<string, string>> =>
  Object.fromEntries(await Promise.all(members().map(async (m) => [m, await etcdRole(HOST, clusterOf().node(m).directPort)] as const)));
const leaderOf = async (among = members()): Promise<string | undefined> => {
  const r = await roles();
  return among.find((m) => r[m] === 'leader');
};

describe('etcd cluster', () => {
  test('three members elect exactly one leader, and every direct and proxied endpoint answers', async () => {
    assert.deepEqual(Object.values(await roles()).sort(), ['follower', 'follower', 'leader']);
    for (const n of nodesOf(clusterOf().plan, 'etcd')) {
      for (const port of [n.directPort, ...n.proxies.map((p) => p.port)]) assert.ok(await etcd.passesTraffic(HOST, port, 1500), `${n.name} on ${port}`);
      assert.ok(await etcdHealthy(HOST, n.directPort), `${n.name} is healthy`);
    }
  });

  test('killing the leader elects another; the restarted member rejoins with its data', async () => {
    const leader = await leaderOf();
    assert.ok(leader);
    await clusterOf().kill(leader);
    try {
      const rest = members().filter((m) => m !== leader);
      await waitFor(async () => (await leaderOf(rest)) !== undefined, { what: 'a new etcd leader among the other two', timeoutMs: 20_000, intervalMs: 200 });
    } finally {
      await clusterOf().start(leader);
    }
    assert.equal(await etcdRole(HOST, clusterOf().node(leader).directPort), 'follower');
  });

  test('an isolated leader loses its leadership, the other two elect one, and healing restores it', async () => {
    const leader = await leaderOf();
    assert.ok(leader);
    const rest = members().filter((m) => m !== leader);
    await clusterOf().isolate(leader, rest);
    try {
      await waitFor(async () => (await leaderOf(rest)) !== undefined, { what: 'a leader among the majority side', timeoutMs: 20_000, intervalMs: 200 });
      await waitFor(async () => !(await etcdHealthy(HOST, clusterOf().node(leader).directPort, 1000)), { what: `isolated ${leader} to report unhealthy`, timeoutMs: 20_000, intervalMs: 250 });
    } finally {
      await clusterOf().heal(leader);
    }
    await clusterOf().waitServing(leader);
    assert.deepEqual(Object.values(await roles()).sort(), ['follower', 'follower', 'leader']);
  });

  test('a paused member stops answering and serves again after unpause', async () => {
    const m = members()[2] ?? 'etcd-3';
    await clusterOf().pause(m);
    try {
      assert.notEqual((await clusterOf().probe(m, 500)).state, 'answered');
    } finally {
      await clusterOf().unpause(m);
    }
    await clusterOf().waitServing(m);
  });

  test("a clock offset on a member moves etcd's own clock (its Date header), not only the container's, and 0 restores it", async () => {
    const m = members()[0] ?? 'etcd-1';
    const port = clusterOf().node(m).directPort;
    try {
      // Verified inside setClockOffset against etcd's own clock (NodeFaultHooks.wallClock).
      await clusterOf().setClockOffset(m, 60_000);
      const own = await etcd.faults.wallClock?.(HOST, port, 2000);
      assert.ok(own && own.ms - Date.now() > 55_000, `etcd's Date header is ${own ? own.ms - Date.now() : '?'} ms ahead`);
      const dateMs = Number((await execChecked(clusterOf().docker, clusterOf().node(m).container, ['date', '+%s%3N'])).trim());
      assert.ok(dateMs - Date.now() > 55_000, 'the C programs of the node see the same offset');
      assert.ok(await etcdHealthy(HOST, port), 'a member with a skewed clock still serves');
    } finally {
      await clusterOf().setClockOffset(m, 0);
    }
    const own = await etcd.faults.wallClock?.(HOST, port, 2000);
    assert.ok(own && Math.abs(own.ms - Date.now()) < 2000, 'back on the host\'s time');
  });

  test("the floor's raw operations run, remove what they wrote, and the members' counters count them", async () => {
    const ops = await etcd.floor.ops();
    const first = clusterOf().node(members()[0] ?? 'etcd-1');
    const address = `${HOST}:${first.directPort}`;
    const read = (): Promise<Record<string, number>> => {
      const c = etcd.counters;
      if (!c) throw new Error('etcd has counters');
      return c.read(HOST, first.directPort, 3000);
    };
    const before = await read();
    const rtt = await ops.roundTrips(address);
    try {
      for (let i = 0; i < 10; i++) await rtt.ops();
    } finally {
      await rtt.close();
    }
    const everyMember = nodesOf(clusterOf().plan, 'etcd').map((n) => `${HOST}:${n.directPort}`).join(',');
    const pairs = await ops.pairs([everyMember, everyMember], '/lockbench/floor/test-etcd/c2');
    try {
      for (let i = 0; i < 20; i++) await pairs.ops(i % 2, 1);
    } finally {
      await pairs.close();
    }
    const writes = ops.quorumWrites ? await ops.quorumWrites(address, '/lockbench/floor/test-etcd/w') : undefined;
    try {
      await writes?.ops.write();
    } finally {
      await writes?.close();
    }
    const removed = await ops.removeMatching(address, ['/lockbench/floor/test-etcd'], monoMs() + 10_000);
    assert.equal(removed, 1, 'the quorum write left its key; the pairs deleted theirs');
    const after = await read();
    assert.ok((after['grpc_requests'] ?? 0) > (before['grpc_requests'] ?? 0), 'gRPC requests were counted');
    assert.ok((after['wal_fsync_count'] ?? 0) >= (before['wal_fsync_count'] ?? 0));
  });
});
