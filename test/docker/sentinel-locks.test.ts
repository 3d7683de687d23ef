// The Sentinel locks on the real topology, through each client's own proxies: a grant, a second
// client busy while it is held, the release; and sentinel-wait's WAIT: with the replication link
// cut no replica can acknowledge, so a grant is withdrawn instead of counted.
// (Mutual exclusion under heavy contention is locks.test.ts's, for every registered lock.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { lockClientContext } from '../../locks/context.ts';
import { lockKey } from '../../locks/redis-connection.ts';
import { lockSpecs } from '../../locks/registry.ts';
import { useTestCluster } from '../support/cluster.ts';

const clusterOf = useTestCluster();
const key = (name: string): string => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

describe('the Sentinel locks', () => {
  for (const name of ['sentinel', 'sentinel-wait'] as const) {
    test(`${name}: grants, keeps a second client out while held, and releases`, async () => {
      const plan = clusterOf().plan;
      const a = await lockSpecs[name].create(lockClientContext(plan, 0));
      const b = await lockSpecs[name].create(lockClientContext(plan, 1));
      try {
        const k = key(name);
        const first = await a.acquire(k, { ttlMs: 5000, waitMs: 2000 });
        assert.ok(first.acquired, JSON.stringify(first));
        assert.equal(first.lease.token, undefined, 'no fencing token');
        assert.deepEqual(await b.acquire(k, { ttlMs: 5000, waitMs: 100 }), { acquired: false, reason: 'busy' });
        assert.equal(await a.release(first.lease), 'released');
        assert.equal(await a.release(first.lease), 'not-held');
        const second = await b.acquire(k, { ttlMs: 5000, waitMs: 2000 });
        assert.ok(second.acquired);
        assert.equal(await b.release(second.lease), 'released');
      } finally {
        await a.close();
        await b.close();
      }
    });
  }

  test('sentinel-wait: with no replica able to acknowledge, the grant is withdrawn and not counted; sentinel grants anyway', async () => {
    const c = clusterOf();
    const wait = await lockSpecs['sentinel-wait'].create(lockClientContext(c.plan, 2));
    const plain = await lockSpecs.sentinel.create(lockClientContext(c.plan, 3));
    const primary = new Redis({ host: '127.0.0.1', port: c.node('rs-1').directPort, lazyConnect: true, maxRetriesPerRequest: 1 });
    primary.on('error', () => undefined);
    const k = key('unacked');
    await c.cutPeerLink('rs-1');
    try {
      const r = await wait.acquire(k, { ttlMs: 5000, waitMs: 600 });
      assert.match(r.acquired ? 'acquired' : (r.detail ?? ''), /withdrawn: fewer than 1 replica\(s\) acknowledged/);
      await primary.connect();
      assert.equal(await primary.exists(lockKey(k)), 0, 'the withdrawn grant left no key');
      const p = await plain.acquire(k, { ttlMs: 5000, waitMs: 600 });
      assert.ok(p.acquired, 'the plain lock counts a grant no replica has');
      assert.equal(await plain.release(p.lease), 'released');
    } finally {
      await c.restorePeerLink('rs-1');
      primary.disconnect();
      await wait.close();
      await plain.close();
    }
    await c.waitServing('rs-1');
  });
});
