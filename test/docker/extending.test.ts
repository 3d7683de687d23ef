// The extending recipes (docs/extending.md) on the real cluster:
// - a lock on an existing system in one file: examples/lock-module-zookeeper.ts declares
//   ZooKeeper and a session lease; node faults must strike the ZooKeeper nodes and its lease must
//   last the session timeout (the bug was: every module was struck on the Redis nodes, TTL-based);
// - a fault in one file: one-way-partition and packet-loss take effect, are healed, leave no
//   iptables rule behind, and give a verdict.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLockModel } from '../../locks/user-module.ts';
import { systemNames } from '../../clusters/systems/registry.ts';
import { shortChaos } from '../support/chaos-run.ts';
import { useTestCluster } from '../support/cluster.ts';

const clusterOf = useTestCluster();

const chaos = (flags: Parameters<typeof shortChaos>[0]): ReturnType<typeof shortChaos> => shortChaos(flags, 17);

const zkNodes = (): string[] => clusterOf().plan.nodes.filter((n) => n.system === 'zookeeper').map((n) => n.name);

describe('a lock module on ZooKeeper (the lock recipe)', () => {
  const modulePath = 'examples/lock-module-zookeeper.ts';

  test('crashes strike ZooKeeper nodes only, and the ensemble keeps one holder at a time', async () => {
    const lockModel = await loadLockModel(modulePath, systemNames);
    const r = await chaos({ lock: 'module', modulePath, lockModel, fault: 'crash', durationMs: 8000 });
    const struck = r.faults.flatMap((f) => ((f.targets as { nodes?: string[] }).nodes ?? []));
    assert.ok(struck.length > 0, 'a crash was applied');
    for (const n of struck) assert.ok(zkNodes().includes(n), `${n} is a ZooKeeper node`);
    assert.equal(r.verdict, 'valid', r.check.checkers.overlap.summary);
  });

  test('its lease lasts the session timeout: a client pause of 2× the session, and a recovery wait of at least one session', async () => {
    const lockModel = await loadLockModel(modulePath, systemNames);
    const r = await chaos({ lock: 'module', modulePath, lockModel, fault: 'client-pause', durationMs: 10_000, sessionTimeoutMs: 3000, pauseMultiple: 2, ttlMs: 1000 });
    const pauses = r.schedule.filter((s) => s.kind === 'client-pause');
    assert.ok(pauses.length > 0);
    for (const s of pauses) assert.equal(s.durationMs, 6000, 'pause = 2 × the 3000 ms session, not 2 × the 1000 ms TTL');
    const recovery = r.phases['recovery'];
    assert.ok(recovery !== undefined && recovery.endMs - recovery.startMs >= 3000, 'the recovery wait covers a session');
    // A holder frozen past its session comes back believing it holds: two holders at the resource.
    assert.equal(r.verdict, 'invalid', r.check.checkers.overlap.summary);
  });
});

describe('faults added as one file each (the fault recipe)', () => {
  // Each fault once, each on a system whose nodes it strikes differently (ZooKeeper's peers, Redis's proxy side).
  for (const [lock, fault] of [
    ['zookeeper', 'one-way-partition'],
    ['redlock', 'packet-loss'],
  ] as const) {
    test(`${fault} on ${lock}: applied, healed, no rule left, a verdict`, async () => {
      const r = await chaos({ lock, fault, durationMs: 9000 });
      const applied = r.faults.filter((f) => f.kind === fault);
      assert.ok(applied.length > 0, `${fault} was applied`);
      for (const f of applied) assert.ok(f.healedMs !== undefined, `${fault} #${f.id} was healed`);
      assert.deepEqual(await clusterOf().leftoverRules(), [], 'no iptables rule is left on any node');
      assert.ok(['valid', 'invalid', 'unknown'].includes(r.verdict));
      // ZooKeeper is a consensus system: neither fault may make it grant twice.
      if (lock === 'zookeeper') assert.equal(r.verdict, 'valid', r.check.checkers.overlap.summary);
    });
  }
});
