// The two etcd locks against the real etcd members of the lab cluster: the Mutex's FIFO order and
// fencing tokens, a lock held past its lease (revoked from outside, or its holder cut from every
// member) firing `lost` and its late release finding it not held, a try-lock leaving no key behind,
// and mutual exclusion under contention for both (test/docker/locks.test.ts adds the heavy run
// every registered lock gets).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodesOf } from '../../clusters/topology.ts';
import { monoMs, sleep } from '../../core/clock.ts';
import { waitFor } from '../../core/wait.ts';
import { lockClientContext } from '../../locks/context.ts';
import { openEtcd } from '../../locks/etcd-connection.ts';
import { EtcdLock, createEtcdLock } from '../../locks/etcd-lock.ts';
import { createEtcd3Lock } from '../../locks/etcd3-lock.ts';
import type { Lease, LockClient, LockClientContext, LockClientFactory } from '../../locks/lock-client.ts';
import { useTestCluster } from '../support/cluster.ts';
import { contend } from '../support/contention.ts';

const clusterOf = useTestCluster();
const ctxFor = (id: number, tuning?: Readonly<Record<string, number>>): LockClientContext => lockClientContext(clusterOf().plan, id, tuning);

const uniqueKey = (name: string): string => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

async function mustAcquire(lock: LockClient, key: string, waitMs = 2000): Promise<Lease> {
  const r = await lock.acquire(key, { ttlMs: 10_000, waitMs });
  assert.ok(r.acquired, `${lock.name} should acquire ${key}: ${r.acquired ? '' : `${r.reason} ${r.detail ?? ''}`}`);
  return r.lease;
}

describe('etcd: the concurrency.Mutex recipe', () => {
  test('waiters are granted in request order, and the fencing token grows with every grant', async (t) => {
    const clients = await Promise.all([0, 1, 2, 3, 4].map((i) => EtcdLock.create(ctxFor(i))));
    const key = uniqueKey('fifo');
    try {
      const [holder, ...waiters] = clients as [EtcdLock, ...EtcdLock[]];
      const first = await mustAcquire(holder, key);
      assert.ok(first.token !== undefined && first.token > 0n, 'the Mutex gives a fencing token');
      assert.equal(first.validUntilMs, undefined, 'a session lock has no validity deadline');
      const grants: number[] = [];
      const tokens: bigint[] = [first.token];
      const pending = waiters.map(async (w, i) => {
        // Stagger the requests so their puts reach etcd in this order.
        await sleep(i * 150);
        const lease = await mustAcquire(w, key, 20_000);
        grants.push(i);
        if (lease.token !== undefined) tokens.push(lease.token);
        await sleep(20);
        assert.equal(await w.release(lease), 'released');
      });
      await sleep(waiters.length * 150 + 300);
      assert.equal(await holder.release(first), 'released');
      await Promise.all(pending);
      t.diagnostic(`grant order ${grants.join(',')}; tokens ${tokens.join(',')}`);
      assert.deepEqual(grants, [0, 1, 2, 3]);
      for (let i = 1; i < tokens.length; i++) assert.ok((tokens[i] ?? 0n) > (tokens[i - 1] ?? 0n), `token ${i} grows: ${tokens.join(',')}`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test('tokens strictly increase across alternating grants of one key', async () => {
    await using a = await EtcdLock.create(ctxFor(0));
    await using b = await EtcdLock.create(ctxFor(1));
    const key = uniqueKey('tokens');
    let last = 0n;
    for (let i = 0; i < 20; i++) {
      const lock = i % 2 === 0 ? a : b;
      const lease = await mustAcquire(lock, key);
      assert.ok(lease.token !== undefined && lease.token > last, `grant ${i}: ${lease.token} > ${last}`);
      last = lease.token;
      assert.equal(await lock.release(lease), 'released');
    }
  });

  test('a try-lock on a held key is busy and leaves no key behind', async () => {
    await using a = await EtcdLock.create(ctxFor(0));
    await using b = await EtcdLock.create(ctxFor(1));
    await using c = await EtcdLock.create(ctxFor(2));
    const key = uniqueKey('try');
    const held = await mustAcquire(a, key);
    const busy = await b.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    assert.equal(busy.acquired ? 'acquired' : busy.reason, 'busy');
    const waited = await b.acquire(key, { ttlMs: 10_000, waitMs: 300 });
    assert.equal(waited.acquired ? '' : waited.reason, 'busy', 'a bounded wait on a held key runs out');
    assert.equal(await a.release(held), 'released');
    // Had b left its key in the queue, c would now wait behind it and a try-lock would be busy.
    const next = await mustAcquire(c, key, 0);
    assert.equal(await c.release(next), 'released');
  });

  test('the session lease has the TTL of the session timeout, at least etcd\'s minimum', async () => {
    await using a = await EtcdLock.create(ctxFor(0, { sessionTimeoutMs: 3000 }));
    const lease = await mustAcquire(a, uniqueKey('ttl'));
    assert.equal(a.sessionTtlMs, 3000);
    await a.release(lease);
  });

  test('a lock whose lease is revoked fires lost; another client gets it; the late release finds it not held', async (t) => {
    await using a = await EtcdLock.create(ctxFor(0));
    await using b = await EtcdLock.create(ctxFor(1));
    const key = uniqueKey('revoked');
    const lease = await mustAcquire(a, key);
    const leaseId = a.sessionLeaseId;
    assert.ok(leaseId !== undefined);
    const outside = openEtcd(ctxFor(2).endpoints['etcd'] ?? [], { callTimeoutMs: 2000 });
    try {
      const revokedAt = monoMs();
      await outside.leaseClient.leaseRevoke({ ID: leaseId });
      await waitFor(() => Promise.resolve(lease.lost.aborted), { what: 'the revoked lease to fire lost', timeoutMs: 15_000, intervalMs: 20 });
      t.diagnostic(`lost fired ${(monoMs() - revokedAt).toFixed(0)} ms after the revoke: ${String(lease.lost.reason)}`);
    } finally {
      outside.close();
    }
    const second = await mustAcquire(b, key, 5000);
    assert.ok(second.token !== undefined && lease.token !== undefined && second.token > lease.token, 'the next grant has a larger token');
    assert.equal(await a.release(lease), 'not-held');
    assert.equal(await b.release(second), 'released');
    // The client recovers with a new session.
    const again = await mustAcquire(a, uniqueKey('after-revoke'), 5000);
    assert.notEqual(a.sessionLeaseId, leaseId);
    assert.equal(await a.release(again), 'released');
  });

  test('a holder cut from every member fires lost; the server expires its lease; after the heal its late release finds it not held', async (t) => {
    const cluster = clusterOf();
    const plan = cluster.plan;
    const members = nodesOf(plan, 'etcd').map((n) => n.name);
    assert.ok(plan.config.clientSlots >= 2, 'the holder and the next client need their own client slots');
    await using a = await EtcdLock.create(ctxFor(0));
    await using b = await EtcdLock.create(ctxFor(1));
    const key = uniqueKey('cut');
    const lease = await mustAcquire(a, key);
    const ttlMs = a.sessionTtlMs;
    const cutAt = monoMs();
    try {
      for (const m of members) await cluster.disableLink(0, m);
      await waitFor(() => Promise.resolve(lease.lost.aborted), { what: 'the cut holder to fire lost', timeoutMs: 30_000, intervalMs: 20 });
      const lostAfterMs = monoMs() - cutAt;
      const second = await mustAcquire(b, key, 30_000);
      const grantedAfterMs = monoMs() - cutAt;
      t.diagnostic(`lost after ${lostAfterMs.toFixed(0)} ms (${String(lease.lost.reason)}); b granted after ${grantedAfterMs.toFixed(0)} ms; session TTL ${ttlMs} ms`);
      assert.ok(second.token !== undefined && lease.token !== undefined && second.token > lease.token);
      assert.equal(await b.release(second), 'released');
    } finally {
      for (const m of members) await cluster.enableLink(0, m);
    }
    // Wait until the holder reaches etcd again (gRPC reconnects with a backoff), then release late.
    const probeKey = uniqueKey('cut-probe');
    const probe = await waitFor(
      async () => {
        const r = await a.acquire(probeKey, { ttlMs: 10_000, waitMs: 0 });
        return r.acquired ? r.lease : undefined;
      },
      { what: 'the healed client to acquire again', timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal(await a.release(probe), 'released');
    assert.equal(await a.release(lease), 'not-held');
  });
});

describe('etcd3-lock: the npm etcd3 package\'s Lock as shipped', () => {
  test('a held key is busy for others until released; it has no fencing token and no lease deadline', async () => {
    await using a = await createEtcd3Lock(ctxFor(0));
    await using b = await createEtcd3Lock(ctxFor(1));
    const key = uniqueKey('etcd3');
    const held = await mustAcquire(a, key);
    assert.equal(held.token, undefined);
    assert.equal(held.validUntilMs, undefined);
    const busy = await b.acquire(key, { ttlMs: 10_000, waitMs: 200 });
    assert.equal(busy.acquired ? '' : busy.reason, 'busy');
    assert.equal(await a.release(held), 'released');
    const next = await mustAcquire(b, key, 0);
    assert.equal(await b.release(next), 'released');
  });
});

describe('mutual exclusion under contention, no faults', () => {
  const locks: readonly [string, LockClientFactory][] = [
    ['etcd', createEtcdLock],
    ['etcd3-lock', createEtcd3Lock],
  ];
  for (const [name, factory] of locks) {
    test(`${name}: 6 clients on 1 key, no overlap at the resource and no lost update`, async (t) => {
      const r = await contend(clusterOf().plan, factory, { clients: 6, keys: 1, maxAcquiresPerClient: 100, durationMs: 40_000, holdMs: 1, ttlMs: 5000, waitMs: 5000 });
      t.diagnostic(`${name}: ${r.acquired} acquisitions, ${r.acquisitionsPerSec}/s; verdict ${r.check.verdict}; run ${r.dir}`);
      assert.ok(r.acquired >= 100, `only ${r.acquired} acquisitions`);
      assert.equal(r.check.checkers.overlap.verdict, 'valid', JSON.stringify(r.check.checkers.overlap).slice(0, 2000));
      assert.equal(r.check.checkers['lost-updates'].verdict, 'valid', JSON.stringify(r.check.checkers['lost-updates']).slice(0, 2000));
    });
  }
});
