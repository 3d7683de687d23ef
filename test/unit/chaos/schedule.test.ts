import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveChaosOptions } from '../../../chaos/options.ts';
import { planSchedule } from '../../../chaos/schedule.ts';
import { bridgeNodes, clientCuts, serverGroups } from '../../../chaos/shapes.ts';
import { UsageError } from '../../../core/errors.ts';
import { seededRandom } from '../../../core/rng.ts';

const redis = ['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5'];
const zookeeper = ['zk-1', 'zk-2', 'zk-3'];
const nodes = { redis, zookeeper };

describe('partition shapes', () => {
  test('bridge: even clients reach only redis-1..3, odd clients only redis-3..5; redis-3 is the bridge', () => {
    const cuts = clientCuts('bridge', redis, 4, seededRandom(1));
    assert.deepEqual(cuts[0]?.nodes, ['redis-4', 'redis-5']);
    assert.deepEqual(cuts[1]?.nodes, ['redis-1', 'redis-2']);
    assert.deepEqual(bridgeNodes(redis), ['redis-3']);
  });

  test('majorities-ring: every client keeps a majority, and no two clients keep the same one', () => {
    const cuts = clientCuts('majorities-ring', redis, 5, seededRandom(1));
    const kept = cuts.map((c) => redis.filter((n) => !c.nodes.includes(n)).join(','));
    for (const k of kept) assert.equal(k.split(',').length, 3);
    assert.equal(new Set(kept).size, 5);
  });

  test('one / minority / majority cut the same nodes for every client', () => {
    for (const [shape, lost] of [['one', 1], ['minority', 2], ['majority', 3]] as const) {
      const cuts = clientCuts(shape, redis, 3, seededRandom(7));
      assert.equal(cuts[0]?.nodes.length, lost, shape);
      assert.deepEqual(cuts[0].nodes, cuts[2]?.nodes);
    }
  });

  test('server groups split the ensemble into a minority and a majority', () => {
    const [a, b] = serverGroups('isolate-one', zookeeper, seededRandom(3));
    assert.equal(a?.length, 1);
    assert.equal(b?.length, 2);
    assert.deepEqual([...a, ...b].sort(), zookeeper);
  });
});

describe('schedule', () => {
  test('the same seed gives the same schedule; another seed another one', () => {
    const o = resolveChaosOptions({ lock: 'redlock', fault: 'mix', seed: 42 });
    assert.deepEqual(planSchedule(o, nodes), planSchedule(o, nodes));
    const other = planSchedule({ ...o, seed: 43 }, nodes);
    assert.notDeepEqual(planSchedule(o, nodes), other);
  });

  test('no faults means no steps; every step fits in the fault phase', () => {
    assert.deepEqual(planSchedule(resolveChaosOptions({ lock: 'redis', fault: 'none' }), nodes), []);
    for (const fault of ['partition', 'crash', 'clock-skew', 'pause', 'client-pause', 'latency', 'mix']) {
      for (const lock of ['redis', 'redlock', 'zookeeper']) {
        const o = resolveChaosOptions({ lock, fault, seed: 5 });
        const steps = planSchedule(o, nodes);
        assert.ok(steps.length > 0, `${lock} × ${fault} has steps`);
        for (const s of steps) assert.ok(s.atMs >= 0 && s.atMs + s.durationMs <= o.durationMs, `${lock} × ${fault} step ${s.id} fits`);
      }
    }
  });

  test("Redlock crash and clock-skew use the construction: a bridge partition for the whole phase, faults on the shared master", () => {
    for (const fault of ['crash', 'clock-skew']) {
      const steps = planSchedule(resolveChaosOptions({ lock: 'redlock', fault, seed: 1 }), nodes);
      const bridge = steps[0];
      assert.ok(bridge?.kind === 'partition');
      assert.equal(bridge.construction, true);
      assert.equal(bridge.shape, 'bridge');
      for (const s of steps.slice(1)) assert.deepEqual('nodes' in s ? s.nodes : undefined, ['redis-3']);
    }
    const plain = planSchedule(resolveChaosOptions({ lock: 'redlock', fault: 'crash', seed: 1, construction: false }), nodes);
    assert.ok(plain.every((s) => s.construction !== true));
  });

  test('ZooKeeper partitions are server-side shapes; client pauses last a multiple of the session timeout', () => {
    const steps = planSchedule(resolveChaosOptions({ lock: 'zookeeper', fault: 'partition', seed: 9 }), nodes);
    for (const s of steps) assert.ok(s.kind === 'partition' && ['isolate-one', 'isolate-leader', 'halves'].includes(s.shape), JSON.stringify(s));
    const pauses = planSchedule(resolveChaosOptions({ lock: 'zookeeper', fault: 'client-pause', seed: 9, pauseMultiple: 3 }), nodes);
    for (const s of pauses) assert.equal(s.durationMs, 3 * 4000);
  });

  test('mix never overlaps two steps of the same kind', () => {
    for (let seed = 0; seed < 30; seed++) {
      const steps = planSchedule(resolveChaosOptions({ lock: 'redlock', fault: 'mix', seed, durationMs: 60_000 }), nodes);
      for (const a of steps) for (const b of steps) {
        if (a === b || a.kind !== b.kind) continue;
        assert.ok(a.atMs + a.durationMs <= b.atMs || b.atMs + b.durationMs <= a.atMs, `seed ${seed}: two ${a.kind} steps overlap`);
      }
    }
  });

  test('mix never overlaps two faults on the nodes themselves; client-side ones still overlap them', () => {
    // The soak (30 min of redis under mix) stopped on a crash of a node another step had stopped,
    // and CI on a one-way partition whose heal a packet-loss heal left unverifiable.
    const nodeSide = new Set(['crash', 'pause', 'clock-skew', 'one-way-partition', 'packet-loss']);
    let crossOverlaps = 0;
    for (const lock of ['redis', 'redlock'] as const) {
      for (let seed = 0; seed < 30; seed++) {
        const steps = planSchedule(resolveChaosOptions({ lock, fault: 'mix', seed, durationMs: 300_000 }), nodes);
        const overlap = (a: (typeof steps)[number], b: (typeof steps)[number]): boolean => !(a.atMs + a.durationMs <= b.atMs || b.atMs + b.durationMs <= a.atMs);
        for (const a of steps) for (const b of steps) {
          if (a === b) continue;
          if (nodeSide.has(a.kind) && nodeSide.has(b.kind)) assert.ok(!overlap(a, b), `${lock} seed ${seed}: ${a.kind} #${a.id} and ${b.kind} #${b.id} overlap`);
          else if (overlap(a, b)) crossOverlaps += 1;
        }
      }
    }
    assert.ok(crossOverlaps > 0, 'client-side faults still overlap the others');
  });

  test('steps that take turns say whose heal they wait for: the one before in their mix slot, or in a single fault\'s sequence', () => {
    // The soak stopped on a latency toxic added while the previous latency step, started late, was still in force.
    const nodeSide = new Set(['crash', 'pause', 'clock-skew', 'one-way-partition', 'packet-loss']);
    const slot = (kind: string): string => (nodeSide.has(kind) ? 'the nodes' : kind);
    let chained = 0;
    for (let seed = 0; seed < 30; seed++) {
      const steps = planSchedule(resolveChaosOptions({ lock: 'redis', fault: 'mix', seed, durationMs: 300_000 }), nodes);
      const byId = new Map(steps.map((s) => [s.id, s]));
      const firstInSlot = new Set<string>();
      for (const s of [...steps].sort((a, b) => a.atMs - b.atMs)) {
        if (s.after === undefined) {
          assert.ok(!firstInSlot.has(slot(s.kind)), `seed ${seed}: ${s.kind} #${s.id} waits for nobody, but is not the first of its slot`);
          firstInSlot.add(slot(s.kind));
          continue;
        }
        const before = byId.get(s.after);
        assert.ok(before, `seed ${seed}: #${s.id} waits for a step not in the plan`);
        assert.equal(slot(before.kind), slot(s.kind), `seed ${seed}: #${s.id} waits for another slot's step`);
        assert.ok(before.atMs + before.durationMs <= s.atMs, `seed ${seed}: #${s.id} waits for a step planned to end after it starts`);
        const between = steps.filter((x) => slot(x.kind) === slot(s.kind) && x.atMs > before.atMs && x.atMs < s.atMs);
        assert.deepEqual(between.map((x) => x.id), [], `seed ${seed}: #${s.id} skips a step of its slot`);
        chained += 1;
      }
    }
    assert.ok(chained > 100);
    const single = planSchedule(resolveChaosOptions({ lock: 'zookeeper', fault: 'pause', seed: 3 }), nodes);
    assert.ok(single.length >= 2);
    assert.deepEqual(single.map((s) => s.after), [undefined, ...single.slice(0, -1).map((s) => s.id)]);
  });
});

describe('options', () => {
  test('defaults depend on the fault: a crash holds the lock longer than a node restart', () => {
    const crash = resolveChaosOptions({ lock: 'redlock', fault: 'crash', seed: 1 });
    assert.ok(crash.holdMs >= 1000 && crash.ttlMs > crash.holdMs);
    const none = resolveChaosOptions({ lock: 'redis', fault: 'none', seed: 1 });
    assert.equal(none.durationMs, 40_000);
  });

  test('bad values are usage errors that say what is allowed', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ lock: 'consul', fault: 'none' }, /--lock must be one of/],
      [{ lock: 'redis', fault: 'meteor' }, /--fault must be one of/],
      [{ lock: 'redis', fault: 'none', clients: 0 }, /--clients/],
      [{ lock: 'redis', fault: 'none', ttlMs: 5 }, /--ttl/],
      [{ lock: 'redis', fault: 'partition', partitionShape: 'halves' }, /partitions the nodes of a replicated system .* redis runs on redis/],
      [{ lock: 'redis', fault: 'clock-skew', skewMs: 0 }, /--skew/],
    ];
    for (const [flags, message] of bad) {
      assert.throws(() => resolveChaosOptions(flags as never), (e: unknown) => e instanceof UsageError && message.test(e.message));
    }
  });
});
