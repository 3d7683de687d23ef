// The third-party Redis lock clients as npm installs them (redlock 4.2.0, redis-semaphore's Mutex
// and RedlockMutex), each through the same LockClient interface against the real Redis masters:
// acquire and release, a second client is busy while the first holds, what a release of a lost or
// expired grant answers (each file's mapping), the packages' own behaviour we measure as shipped
// (redlock 4's failed extend deletes the keys it still held; redis-semaphore's refresh reports a
// lost key through onLockLost), and mutual exclusion on one contended key in a short chaos run
// without faults. Only the Redis masters are started (--systems redis).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { clusterUp } from '../../clusters/cluster.ts';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { ClusterControl } from '../../clusters/node-faults.ts';
import { defaultClusterConfig, nodesOf, planCluster, type ClusterConfig, type ClusterPlan } from '../../clusters/topology.ts';
import { monoMs, sleep } from '../../core/clock.ts';
import { lockClientContext } from '../../locks/context.ts';
import { lockLabel } from '../../locks/labels.ts';
import type { Lease, LockClient } from '../../locks/lock-client.ts';
import { lockKey } from '../../locks/redis-connection.ts';
import { lockClients } from '../../locks/registry.ts';
import { resourceOverlaps, shortChaos } from '../support/chaos-run.ts';

const THIRD_PARTY = ['node-redlock-v4', 'redis-semaphore', 'redis-semaphore-redlock'] as const;
type ThirdParty = (typeof THIRD_PARTY)[number];

const config: ClusterConfig = { ...defaultClusterConfig, systems: ['redis'] };
let plan: ClusterPlan | undefined;
let control: ClusterControl | undefined;
const raw: Redis[] = [];

before(async () => {
  const env = await ensureEnvironment();
  await clusterUp(config, env.images);
  control = await ClusterControl.attach(undefined, config.name);
  plan = planCluster(config);
  for (const n of nodesOf(plan, 'redis')) raw.push(new Redis({ host: '127.0.0.1', port: n.directPort, lazyConnect: true, maxRetriesPerRequest: 1 }));
  await Promise.all(raw.map((r) => r.connect()));
}, { timeout: 15 * 60_000 });

after(async () => {
  for (const r of raw) r.disconnect();
  await control?.healAll();
});

function client(name: ThirdParty, id: number): Promise<LockClient> {
  if (!plan) throw new Error('no cluster yet');
  return lockClients[name](lockClientContext(plan, id));
}

const uniqueKey = (name: string): string => `tp-${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

async function mustAcquire(lock: LockClient, key: string, ttlMs: number, waitMs = 2000): Promise<Lease> {
  const r = await lock.acquire(key, { ttlMs, waitMs });
  assert.ok(r.acquired, `${lock.name} should acquire ${key}: ${r.acquired ? '' : r.reason}`);
  return r.lease;
}

/** The key the lock writes on the Redis nodes: redis-semaphore prefixes its own `mutex:`. */
const storedKey = (name: ThirdParty, key: string): string => (name === 'node-redlock-v4' ? lockKey(key) : `mutex:${lockKey(key)}`);

/** Waits (bounded) until `cond` holds. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = monoMs() + ms;
  while (!cond() && monoMs() < end) await sleep(20);
  return cond();
}

describe('through the LockClient interface', () => {
  for (const name of THIRD_PARTY) {
    test(`${name}: acquire and release; a second client is busy while the first holds, and gets it after`, async () => {
      await using a = await client(name, 0);
      await using b = await client(name, 1);
      const key = uniqueKey(name);
      const lease = await mustAcquire(a, key, 5000);
      assert.equal(lease.key, key);
      assert.equal(lease.token, undefined, 'no fencing token');
      const busy = await b.acquire(key, { ttlMs: 5000, waitMs: 150 });
      assert.deepEqual(busy.acquired ? 'acquired' : busy.reason, 'busy');
      assert.equal(await a.release(lease), 'released');
      const second = await mustAcquire(b, key, 5000, 500);
      assert.equal(await b.release(second), 'released');
      // A lease this client does not know (released already) is not held.
      assert.equal(await b.release(second), 'not-held');
    });
  }

  test('node-redlock-v4: a release after the TTL ran out answers not-held (its unlock finds no majority)', async () => {
    await using a = await client('node-redlock-v4', 0);
    const key = uniqueKey('v4-ttl');
    const lease = await mustAcquire(a, key, 300);
    assert.ok(lease.validUntilMs !== undefined && lease.validUntilMs <= monoMs() + 300, 'validity is the TTL less drift, on the monotonic clock');
    await sleep(600);
    assert.equal(await a.release(lease), 'not-held');
  });

  test('node-redlock-v4, as shipped: an extend that fails on a majority deletes the keys it still held on the others', async () => {
    await using a = await client('node-redlock-v4', 0);
    const key = uniqueKey('v4-extend');
    const lease = await mustAcquire(a, key, 10_000);
    const k = storedKey('node-redlock-v4', key);
    const held = await Promise.all(raw.map((r) => r.get(k)));
    assert.deepEqual(held, raw.map(() => lease.owner), 'the key is on every master');
    // Three masters lose the key (as a restart without persistence would): extend finds no majority.
    await Promise.all(raw.slice(0, 3).map((r) => r.del(k)));
    const ext = await a.extend?.(lease, 10_000);
    assert.deepEqual(ext, { extended: false, reason: 'not-held' });
    const left = await Promise.all(raw.map((r) => r.get(k)));
    assert.deepEqual(left, raw.map(() => null), 'its failed attempt unlocked the two masters that still held it');
  });

  for (const name of ['redis-semaphore', 'redis-semaphore-redlock'] as const) {
    test(`${name}: its refresh keeps the key past lockTimeout; a key that goes missing is reported through onLockLost as lease.lost, and release then answers not-held`, async () => {
      await using a = await client(name, 0);
      const key = uniqueKey(name);
      const ttlMs = 400;
      const lease = await mustAcquire(a, key, ttlMs);
      assert.equal(lease.validUntilMs, undefined, 'no deadline: the package refreshes it');
      await sleep(ttlMs * 2);
      const k = storedKey(name, key);
      assert.equal(await raw[0]?.get(k), lease.owner, 'refreshed, still ours after twice its lockTimeout');
      assert.equal(lease.lost.aborted, false);
      await Promise.all(raw.map((r) => r.del(k)));
      assert.ok(await until(() => lease.lost.aborted, ttlMs * 5), 'the next refresh finds the key gone and calls onLockLost');
      assert.equal(await a.release(lease), 'not-held');
    });
  }

  test('redis-semaphore: a release of a key that expired before any refresh saw it resolves, so it reads released (the package discards the answer)', async () => {
    await using a = await client('redis-semaphore', 0);
    const key = uniqueKey('sem-expired');
    const lease = await mustAcquire(a, key, 10_000);
    await raw[0]?.del(storedKey('redis-semaphore', key));
    assert.equal(await a.release(lease), 'released');
  });
});

describe('mutual exclusion on one contended key, no faults', () => {
  for (const name of THIRD_PARTY) {
    test(`${name}: a short chaos run without faults is valid with no overlap at the resource; the manifest names its package and version`, async (t) => {
      const r = await shortChaos({ lock: name, fault: 'none', durationMs: 6000, systems: ['redis'] });
      t.diagnostic(`${lockLabel(name)}: ${r.check.verdict}; ${r.counts.map((c) => JSON.stringify(c)).join(' ').slice(0, 400)}; run ${r.dir}`);
      assert.equal(resourceOverlaps(r), 0, r.check.checkers.overlap.summary);
      assert.equal(r.verdict, 'valid', r.check.checkers.overlap.summary);
      const manifest = JSON.parse(readFileSync(join(r.dir, 'manifest.json'), 'utf8')) as { versions: { lockPackages: Record<string, { name: string; version: string }> } };
      assert.deepEqual(manifest.versions.lockPackages['node-redlock-v4'], { name: 'redlock', version: '4.2.0' });
      assert.equal(manifest.versions.lockPackages['redis-semaphore']?.name, 'redis-semaphore');
      assert.match(readFileSync(join(r.dir, 'summary.md'), 'utf8'), new RegExp(`^# ${lockLabel(name).replace(/[().]/g, '\\$&')} `));
    });
  }
});
