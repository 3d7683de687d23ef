// The Sentinel topology on the real cluster: settled with rs-1 as primary, every endpoint
// answering; peer links that can be cut and slowed while clients still reach the node; a killed
// primary replaced by a promoted replica that lock clients follow; the old primary rejoining as a
// replica; the members split into two sides; and the failback that puts rs-1 back.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterStatus } from '../../clusters/cluster.ts';
import { memberAddress } from '../../clusters/node-plan.ts';
import { driverFor } from '../../clusters/systems/registry.ts';
import { nodesOf } from '../../clusters/topology.ts';
import { waitFor } from '../../core/wait.ts';
import { lockClientContext } from '../../locks/context.ts';
import { lockSpecs } from '../../locks/registry.ts';
import { useTestCluster } from '../support/cluster.ts';

const HOST = '127.0.0.1';
const clusterOf = useTestCluster();
const driver = driverFor('redis-sentinel');
const hooks = driver.failover;
const nodes = () => nodesOf(clusterOf().plan, 'redis-sentinel');
const primary = async (): Promise<string | undefined> => hooks?.primary(nodes(), HOST);

async function acquireOnce(clientId: number, key: string): Promise<boolean> {
  const lock = await lockSpecs.sentinel.create(lockClientContext(clusterOf().plan, clientId));
  try {
    const r = await lock.acquire(key, { ttlMs: 5000, waitMs: 15_000 });
    if (r.acquired) assert.equal(await lock.release(r.lease), 'released');
    return r.acquired;
  } finally {
    await lock.close();
  }
}

describe('the Sentinel topology', () => {
  test('settled with rs-1 as primary: two replicas following it, three Sentinels naming it, every endpoint answering; status says so', async () => {
    assert.ok(hooks, 'the driver has failover hooks');
    assert.equal(await primary(), 'rs-1');
    for (const n of nodes()) for (const port of [n.directPort, ...n.proxies.map((p) => p.port)]) assert.ok(await driver.passesTraffic(HOST, port, 1500), `${n.name} on ${port}`);
    const status = await clusterStatus(clusterOf().docker, clusterOf().plan.config.name);
    const role = (name: string): string => status?.nodes.find((n) => n.name === name)?.role ?? '';
    assert.equal(role('rs-1'), 'primary, 2 replicas');
    assert.match(role('rs-2'), /^replica of rs-1, lag \d+ B$/);
    assert.match(role('sentinel-3'), /^sentinel: primary rs-1, 2 replicas, 2 other sentinels$/);
  });

  test('a cut peer link refuses the other members but not the clients; a latency toxic on it slows what crosses it', async () => {
    const c = clusterOf();
    await c.cutPeerLink('rs-2');
    try {
      assert.equal(await c.canConnect('rs-1', memberAddress(c.node('rs-2'))), false);
      assert.ok(await driver.passesTraffic(HOST, c.linkPort(0, 'rs-2'), 1500), 'clients still reach rs-2');
    } finally {
      await c.restorePeerLink('rs-2');
    }
    assert.equal(await c.canConnect('rs-1', memberAddress(c.node('rs-2'))), true);
    const before = await c.peerPingMs('rs-2');
    await c.addPeerToxic('rs-2', { type: 'latency', name: 'test_lag', stream: 'downstream', attributes: { latency: 400, jitter: 0 } });
    try {
      assert.ok((await c.peerPingMs('rs-2')) >= 300, 'the toxic delays the reply');
    } finally {
      await c.removePeerToxic('rs-2', 'test_lag');
    }
    assert.ok((await c.peerPingMs('rs-2')) < before + 300, 'removed again');
  });

  test('killing the primary: the Sentinels promote a replica, a lock client follows it, the old primary rejoins as a replica, and the failback restores rs-1', async () => {
    const c = clusterOf();
    await c.kill('rs-1');
    let promoted: string | undefined;
    try {
      await waitFor(async () => ((promoted = await primary()) ?? 'rs-1') !== 'rs-1', { what: 'the Sentinels to promote a replica', timeoutMs: 30_000, intervalMs: 200 });
      assert.ok(promoted === 'rs-2' || promoted === 'rs-3', String(promoted));
      assert.ok(await acquireOnce(1, `follow-${Date.now()}`), 'a lock client finds and uses the new primary');
    } finally {
      await c.start('rs-1');
    }
    await hooks?.settle(nodes(), { host: HOST, timeoutMs: 60_000 });
    assert.equal(await primary(), promoted, 'the restarted rs-1 did not take over: it is a replica now');
    const status = await clusterStatus(c.docker, c.plan.config.name);
    assert.match(status?.nodes.find((n) => n.name === 'rs-1')?.role ?? '', new RegExp(`^replica of ${promoted}`));
    await driver.waitReady(nodes(), { host: HOST, timeoutMs: 60_000 });
    assert.equal(await primary(), 'rs-1', 'failed back');
  });

  test('split into two sides: no member reaches the other side, the majority side promotes its replica, and healing settles it', async () => {
    const c = clusterOf();
    const a = ['rs-1', 'sentinel-1'];
    const b = ['rs-2', 'rs-3', 'sentinel-2', 'sentinel-3'];
    await c.splitMembers(a, b);
    try {
      for (const [x, y] of [['rs-1', 'rs-2'], ['sentinel-2', 'rs-1'], ['sentinel-1', 'sentinel-3']] as const) assert.equal(await c.canConnect(x, memberAddress(c.node(y))), false, `${x} → ${y}`);
      await waitFor(async () => ['rs-2', 'rs-3'].includes((await primary()) ?? ''), { what: 'the majority side to promote a replica', timeoutMs: 30_000, intervalMs: 200 });
    } finally {
      for (const n of [...a, ...b]) await c.clearIsolation(n);
    }
    await hooks?.settle(nodes(), { host: HOST, timeoutMs: 60_000 });
    await driver.waitReady(nodes(), { host: HOST, timeoutMs: 60_000 });
    assert.equal(await primary(), 'rs-1');
  });
});
