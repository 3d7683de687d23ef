// Chaos runs of the two etcd locks on the real etcd members against what the literature expects
// (shared/research/jepsen.md: Jepsen's etcd 3.4.3 analysis; issue 13's list): valid with no faults,
// under server-side partitions, crashes, pauses and clock jumps on every member (the lease is timed
// on the leader's monotonic clock); overlapping holders under a client paused past its lease, and
// with fencing (the Mutex's create revision) no lost update. Each run is short and bounded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lostUpdates, resourceOverlaps, shortChaos } from '../support/chaos-run.ts';
import { useTestCluster } from '../support/cluster.ts';

useTestCluster();

const chaos = (flags: Parameters<typeof shortChaos>[0]): ReturnType<typeof shortChaos> => shortChaos(flags, 11);

const locks = ['etcd', 'etcd3-lock'] as const;

describe('etcd locks with no faults', () => {
  for (const lock of locks) {
    test(`${lock} is valid and every client passes the liveness check`, async () => {
      const r = await chaos({ lock, fault: 'none', durationMs: 6000 });
      assert.equal(r.verdict, 'valid', r.check.checkers.overlap.summary);
      assert.ok(r.liveness?.every((l) => l.ok), JSON.stringify(r.liveness));
    });
  }
});

describe('etcd locks under a client paused for longer than its lease', () => {
  for (const lock of locks) {
    test(`${lock} without fencing yields overlapping holders`, async () => {
      const r = await chaos({ lock, fault: 'client-pause', durationMs: 12_000 });
      assert.ok(r.faults.some((f) => f.kind === 'client-pause' && f.metHolder === true), 'the pause met a holder');
      assert.equal(r.verdict, 'invalid');
      assert.ok(resourceOverlaps(r) > 0, r.check.checkers.overlap.summary);
    });
  }

  test('etcd with --fencing: the resource rejects the stale writes (create revisions), so no update is lost', async () => {
    const r = await chaos({ lock: 'etcd', fault: 'client-pause', fencing: true, durationMs: 12_000 });
    const fencing = r.check.checkers.fencing;
    assert.ok('rejections' in fencing && fencing.rejections > 0, fencing.summary);
    assert.equal(fencing.verdict, 'valid', fencing.summary);
    assert.equal(lostUpdates(r), 0, r.check.checkers['lost-updates'].summary);
  });
});

describe('the etcd Mutex under server faults', () => {
  // The leader alone, and a minority that may hold it (isolate-one is halves' one-node case here).
  for (const shape of ['isolate-leader', 'halves'] as const) {
    test(`partition ${shape}: mutual exclusion holds`, async () => {
      const r = await chaos({ lock: 'etcd', fault: 'partition', partitionShape: shape, durationMs: 10_000 });
      assert.ok(r.faults.some((f) => f.kind === 'partition'));
      assert.equal(resourceOverlaps(r), 0, r.check.checkers.overlap.summary);
      assert.notEqual(r.verdict, 'invalid');
    });
  }

  for (const fault of ['crash', 'pause'] as const) {
    test(`${fault} of a member: mutual exclusion holds`, async () => {
      const r = await chaos({ lock: 'etcd', fault, durationMs: 12_000 });
      assert.ok(r.faults.some((f) => f.kind === fault));
      assert.equal(resourceOverlaps(r), 0, r.check.checkers.overlap.summary);
      assert.notEqual(r.verdict, 'invalid');
    });
  }

  // The one jump; strobe's back-and-forth runs in the matrix and in the clock-skew unit tests.
  for (const skewMode of ['bump'] as const) {
    test(`clock-skew (${skewMode}) on every member, the leader included, changes nothing`, async () => {
      const r = await chaos({ lock: 'etcd', fault: 'clock-skew', skewMode, durationMs: 12_000 });
      assert.ok(r.faults.some((f) => f.kind === 'clock-skew'));
      assert.equal(resourceOverlaps(r), 0, r.check.checkers.overlap.summary);
      assert.equal(r.verdict, 'valid', r.check.checkers.overlap.summary);
    });
  }
});
