// The case matrix from flags: defaults, --quick, narrowing flags, bad values (UsageError, exit 254),
// and the order the suite relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { focusClients, keyFor, planCases, suiteOptions, sweepId } from '../../../bench/plan.ts';
import { UsageError } from '../../../core/errors.ts';
import { systemNames } from '../../../clusters/systems/registry.ts';
import { lockNames, lockSpecs } from '../../../locks/registry.ts';

test('defaults: every lock × clients 1,4,16,64 × keys 1,many × latency 0,5, plus micro, open, fairness and http', () => {
  const o = suiteOptions({});
  assert.deepEqual(o.locks, lockNames);
  assert.deepEqual(o.clients, [1, 4, 16, 64]);
  assert.deepEqual(o.keys, [1, 'many']);
  assert.deepEqual(o.latenciesMs, [5]);
  assert.equal(o.durationMs, 2500);
  assert.equal(o.focusClients, 16);
  const cases = planCases(o);
  const n = lockNames.length;
  assert.equal(cases.filter((c) => c.kind === 'sweep').length, n * 4 * 2 * 2);
  assert.equal(cases.filter((c) => c.kind === 'micro').length, n);
  assert.equal(cases.filter((c) => c.kind === 'open').length, n * 2);
  assert.equal(cases.filter((c) => c.kind === 'fairness').length, n);
  assert.equal(cases.filter((c) => c.kind === 'http').length, n);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'case ids are unique');
});

test('--quick: a smaller matrix and shorter cases', () => {
  const o = suiteOptions({ quick: true });
  assert.deepEqual(o.clients, [1, 16]);
  assert.deepEqual(o.latenciesMs, [1]);
  assert.equal(o.durationMs, 1000);
  assert.equal(planCases(o).filter((c) => c.kind === 'sweep').length, lockNames.length * 2 * 2 * 2);
  // An explicit flag still wins over --quick's default.
  assert.equal(suiteOptions({ quick: true, duration: 0.5 }).durationMs, 500);
});

test('flags narrow the suite', () => {
  const o = suiteOptions({ locks: 'redis,zookeeper', clients: '4,1,4', keys: 'many', latency: '0', duration: 2 });
  assert.deepEqual(o.locks, ['redis', 'zookeeper']);
  assert.deepEqual(o.clients, [1, 4], 'sorted, duplicates dropped');
  assert.deepEqual(o.latenciesMs, [], 'latency 0 = no WAN cases');
  const cases = planCases(o);
  assert.deepEqual(
    cases.filter((c) => c.kind === 'sweep').map((c) => c.id),
    [sweepId('redis', 1, 'many', 0), sweepId('redis', 4, 'many', 0), sweepId('zookeeper', 1, 'many', 0), sweepId('zookeeper', 4, 'many', 0)],
  );
  assert.ok(cases.every((c) => c.latencyMs === 0));
  assert.equal(suiteOptions({ locks: 'all' }).locks.length, lockNames.length);
});

test('every case without latency (HTTP and scalability too) runs before the WAN cases, and each open-loop case after the sweep case its rate comes from', () => {
  const cases = planCases(suiteOptions({}));
  const latencies = cases.map((c) => c.latencyMs);
  assert.deepEqual(latencies, [...latencies].sort((a, b) => a - b));
  assert.ok(cases.some((c) => c.kind === 'held') && cases.some((c) => c.latencyMs > 0));
  cases.forEach((c, i) => {
    if (c.kind !== 'open') return;
    const ref = cases.findIndex((x) => x.id === c.rateOf);
    assert.ok(ref >= 0 && ref < i, `${c.id} must follow ${c.rateOf}`);
  });
});

test('bad values are usage errors that say how to fix them', () => {
  const bad: [Parameters<typeof suiteOptions>[0], RegExp][] = [
    [{ locks: 'redis,consul' }, /unknown lock 'consul'.*choose from/],
    [{ locks: ',' }, /at least one value/],
    [{ clients: '0' }, /--clients.*1 to 256/],
    [{ clients: '2.5' }, /--clients/],
    [{ clients: 'x' }, /--clients/],
    [{ keys: 'some' }, /--keys.*'many'/],
    [{ keys: '0' }, /--keys/],
    [{ latency: '-1' }, /--latency/],
    [{ latency: '1.5' }, /whole number of ms/],
    [{ duration: 0 }, /--duration/],
    [{ duration: Number.NaN }, /--duration/],
    [{ duration: 601 }, /--duration/],
    [{ workers: 0 }, /--workers/],
  ];
  for (const [flags, message] of bad) {
    assert.throws(() => suiteOptions(flags), (err: unknown) => err instanceof UsageError && err.exitCode === 254 && message.test(err.message), JSON.stringify(flags));
  }
});

test('keys: one shared key, one per client, or client i on key i mod N', () => {
  assert.equal(keyFor('p', 1, 7), 'p:k0');
  assert.equal(keyFor('p', 'many', 7), 'p:k7');
  assert.equal(keyFor('p', 3, 7), 'p:k1');
});

test('the focus concurrency is 16 when swept, else the largest below it', () => {
  assert.equal(focusClients([1, 4, 16, 64]), 16);
  assert.equal(focusClients([1, 8, 32]), 8);
  assert.equal(focusClients([32, 64]), 32);
});

test('scalability: held and waiters cases for every lock, smaller in --quick, last of the cases without latency and grouped by lock', () => {
  const full = suiteOptions({});
  assert.deepEqual(full.heldLocks, [1, 100, 1000, 10_000]);
  assert.deepEqual(full.waiters, [1, 16, 64, 256]);
  const cases = planCases(full);
  const n = lockNames.length;
  const held = cases.filter((c) => c.kind === 'held');
  const waiters = cases.filter((c) => c.kind === 'waiters');
  assert.equal(held.length, n * 4);
  assert.equal(waiters.length, n * 4);
  assert.deepEqual(
    held.filter((c) => c.lock === 'redis').map((c) => c.id),
    ['held/redis/n1', 'held/redis/n100', 'held/redis/n1000', 'held/redis/n10000'],
  );
  assert.ok(held.every((c) => c.clients === 16 && c.latencyMs === 0));
  assert.ok(waiters.every((c) => c.holdMs === 1 && c.clients <= 256));
  // After every other case without latency, and one lock's scalability cases together (its
  // clients stay open).
  const scalable = (c: (typeof cases)[number]): boolean => c.kind === 'held' || c.kind === 'waiters';
  const firstScal = cases.findIndex(scalable);
  const afterScal = cases.slice(firstScal).filter((c) => !scalable(c));
  assert.ok(afterScal.length > 0 && afterScal.every((c) => c.latencyMs > 0), 'only WAN cases follow');
  const lockOrder = cases.filter(scalable).map((c) => c.lock);
  assert.deepEqual(lockOrder, [...lockOrder].sort((a, b) => lockNames.indexOf(a) - lockNames.indexOf(b)));
  assert.ok(full.scalabilityDurationMs <= full.durationMs);

  const quick = suiteOptions({ quick: true });
  assert.deepEqual(quick.heldLocks, [1, 1000]);
  assert.deepEqual(quick.waiters, [1, 64]);
  assert.ok(quick.holdBudgetMs < full.holdBudgetMs);
  assert.equal(planCases(quick).filter((c) => c.kind === 'held' || c.kind === 'waiters').length, lockNames.length * 4);
  // --locks narrows them like every other case.
  const one = planCases(suiteOptions({ locks: 'zookeeper', quick: true }));
  assert.deepEqual(
    one.filter((c) => c.kind === 'held' || c.kind === 'waiters').map((c) => c.id),
    ['held/zookeeper/n1', 'held/zookeeper/n1000', 'waiters/zookeeper/w1', 'waiters/zookeeper/w64'],
  );
});

test('--systems: the default locks are those on the selected systems; a named lock on a left-out system is refused', () => {
  const systemOf = (l: string): string => lockSpecs[l as keyof typeof lockSpecs].model.system;
  for (const system of systemNames) {
    const on = lockNames.filter((l) => systemOf(l) === system);
    if (on.length === 0) continue;
    assert.deepEqual(suiteOptions({ systems: [system] }).locks, on, `${system}: its locks, in registry order`);
    assert.deepEqual(suiteOptions({ systems: [system], locks: 'all' }).locks, on);
    const other = lockNames.find((l) => systemOf(l) !== system);
    if (other === undefined) continue;
    assert.throws(
      () => suiteOptions({ systems: [system], locks: `${on[0] ?? ''},${other}` }),
      (e: unknown) => e instanceof UsageError && e.exitCode === 254 && e.message.includes(`lock '${other}' runs on ${systemOf(other)}, which --systems ${system} leaves out; add it (--systems `) && e.message.includes(`choose a lock on ${system}: ${on.join(', ')}`),
    );
  }
  assert.deepEqual(suiteOptions({ systems: systemNames }).locks, lockNames, 'every system: every lock');
  assert.deepEqual(suiteOptions({}).locks, lockNames, 'no selection given: every lock');
});
