// The lock clients against the real cluster: mutual exclusion under contention (checked on the
// resource's audit log), TTL versus session semantics, ZooKeeper's FIFO order, Redlock's majority,
// a user's lock module, and a deliberately broken lock that the checkers must catch.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../core/clock.ts';
import { lockClientContext } from '../../locks/context.ts';
import type { Lease, LockClient, LockClientFactory } from '../../locks/lock-client.ts';
import { lockClients, lockNames } from '../../locks/registry.ts';
import { loadLockModule } from '../../locks/user-module.ts';
import { createGetThenSetLock } from '../support/broken-locks.ts';
import { useTestCluster } from '../support/cluster.ts';
import { contend } from '../support/contention.ts';

const clusterOf = useTestCluster();

async function client(factory: LockClientFactory, id: number): Promise<LockClient> {
  return factory(lockClientContext(clusterOf().plan, id));
}

async function mustAcquire(lock: LockClient, key: string, ttlMs = 10_000, waitMs = 2000): Promise<Lease> {
  const r = await lock.acquire(key, { ttlMs, waitMs });
  assert.ok(r.acquired, `${lock.name} should acquire ${key}: ${r.acquired ? '' : r.reason}`);
  return r.lease;
}

const uniqueKey = (name: string): string => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

describe('mutual exclusion under heavy contention, no faults', () => {
  for (const name of lockNames) {
    test(`${name}: 8 clients on 2 keys, hundreds of acquisitions or more, no overlap at the resource and no lost update`, async (t) => {
      const r = await contend(clusterOf().plan, lockClients[name], {
        clients: 8,
        keys: 2,
        maxAcquiresPerClient: 200,
        durationMs: 15_000,
        holdMs: 0,
        ttlMs: 5000,
        waitMs: 2000,
      });
      t.diagnostic(`${name}: ${r.acquired} acquisitions, ${r.acquisitionsPerSec}/s; verdict ${r.check.verdict}; run ${r.dir}`);
      // Enough grants for the checkers to have contention to judge, without asserting a speed: the
      // slowest lock here (etcd3-lock) made 664 in 45 s on a machine busy with other work.
      assert.ok(r.acquired >= 100, `only ${r.acquired} acquisitions`);
      const overlap = r.check.checkers.overlap;
      const lost = r.check.checkers['lost-updates'];
      assert.equal(overlap.verdict, 'valid', JSON.stringify(overlap).slice(0, 2000));
      assert.equal(lost.verdict, 'valid', JSON.stringify(lost).slice(0, 2000));
    });
  }

  test('a deliberately broken lock (GET-then-SET acquire, plain DEL release) is caught by the checkers', async (t) => {
    const r = await contend(clusterOf().plan, createGetThenSetLock, {
      clients: 8,
      keys: 1,
      maxAcquiresPerClient: 100,
      durationMs: 30_000,
      holdMs: 2,
      ttlMs: 5000,
      waitMs: 2000,
    });
    t.diagnostic(`broken lock: ${r.acquired} acquisitions; verdict ${r.check.verdict}`);
    assert.equal(r.check.verdict, 'invalid');
    assert.equal(r.check.checkers.overlap.verdict, 'invalid');
    assert.equal(r.check.checkers['lost-updates'].verdict, 'invalid');
  });
});

describe('lock semantics', () => {
  test('redis: a lock held past its TTL is lost: another client acquires it and the late release finds it not held', async () => {
    await using a = await client(lockClients.redis, 0);
    await using b = await client(lockClients.redis, 1);
    const key = uniqueKey('ttl');
    const lease = await mustAcquire(a, key, 500);
    assert.ok(lease.token !== undefined && lease.token > 0n, 'single Redis gives a fencing token');
    const busy = await b.acquire(key, { ttlMs: 500, waitMs: 0 });
    assert.equal(busy.acquired, false);
    await sleep(800);
    const second = await mustAcquire(b, key, 5000, 0);
    assert.ok(second.token !== undefined && second.token > lease.token, 'fencing tokens grow');
    assert.equal(await a.release(lease), 'not-held');
    assert.equal(await b.release(second), 'released');
  });

  test('zookeeper: a lock held past the "TTL" is kept until its session ends', async () => {
    const a = await client(lockClients.zookeeper, 0);
    await using b = await client(lockClients.zookeeper, 1);
    const key = uniqueKey('session');
    try {
      await mustAcquire(a, key, 500);
      await sleep(1500);
      const busy = await b.acquire(key, { ttlMs: 500, waitMs: 300 });
      assert.equal(busy.acquired, false, 'still held by a live session');
    } finally {
      await a.close();
    }
    // Closing the session deletes its ephemeral lock node.
    const after = await mustAcquire(b, key, 500, 5000);
    assert.equal(await b.release(after), 'released');
  });

  test('zookeeper: waiters are granted in request order', async () => {
    const clients = await Promise.all([0, 1, 2, 3, 4].map((i) => client(lockClients.zookeeper, i)));
    const key = uniqueKey('fifo');
    try {
      const [holder, ...waiters] = clients as [LockClient, ...LockClient[]];
      const first = await mustAcquire(holder, key);
      const grants: number[] = [];
      const pending = waiters.map(async (w, i) => {
        // Stagger the requests so their creates reach ZooKeeper in this order.
        await sleep(i * 150);
        const lease = await mustAcquire(w, key, 10_000, 20_000);
        grants.push(i);
        await sleep(20);
        await w.release(lease);
      });
      await sleep(waiters.length * 150 + 300);
      await holder.release(first);
      await Promise.all(pending);
      assert.deepEqual(grants, [0, 1, 2, 3]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test('redlock: acquires with two masters down and fails with three down', async () => {
    await using lock = await client(lockClients.redlock, 0);
    const down: string[] = [];
    try {
      for (const n of ['redis-4', 'redis-5']) {
        await clusterOf().kill(n);
        down.push(n);
      }
      const key = uniqueKey('majority');
      const lease = await mustAcquire(lock, key, 5000, 1000);
      assert.equal(await lock.release(lease), 'released');
      await clusterOf().kill('redis-3');
      down.push('redis-3');
      const r = await lock.acquire(uniqueKey('minority'), { ttlMs: 5000, waitMs: 500 });
      assert.equal(r.acquired, false);
    } finally {
      for (const n of down) await clusterOf().start(n);
    }
  });

  test('a lock module given with --lock-module (examples/lock-module-redis.ts) loads and keeps mutual exclusion', async () => {
    const factory = await loadLockModule('examples/lock-module-redis.ts');
    const r = await contend(clusterOf().plan, factory, { clients: 4, keys: 1, maxAcquiresPerClient: 100, durationMs: 20_000, holdMs: 0, ttlMs: 5000, waitMs: 2000 });
    assert.ok(r.acquired >= 200, `only ${r.acquired} acquisitions`);
    assert.equal(r.check.checkers.overlap.verdict, 'valid');
  });

  test('a lock module without the documented export is a usage error that says what to export', async () => {
    await assert.rejects(loadLockModule('core/clock.ts'), /createLockClient/);
    await assert.rejects(loadLockModule('no/such/module.ts'), /no such file/);
  });
});
