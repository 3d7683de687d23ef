// Pins every registered lock's floors, computed from its LockSpec's floor formula, to the values
// bench/efficiency.ts gave when it branched on lock names (before bench/ became generic over
// systems and locks): the same lockFloors rows and formulas, and the same case floors (latency
// floor, cycles/s ceiling) for every clients × keys × hold × latency shape, so bench.json keeps its
// values for the same measurements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseFloor, efficiency, lockFloorRow, specFloorRow, underLatency, type FloorFigures } from '../../../bench/efficiency.ts';
import { lockNames, lockSpecs } from '../../../locks/registry.ts';
import type { LockSpec } from '../../../locks/spec.ts';
import { fixedFigures } from './floor-fixture.ts';

const figures = fixedFigures();

function system(f: FloorFigures, name: string): NonNullable<FloorFigures['systems'][string]> {
  const s = f.systems[name];
  assert.ok(s, name);
  return s;
}

// The WAN group's figures, as bench/suite.ts makes them: toxics of 1 ms ± 0.05 ms each way add
// 1.9 ms to every round trip and write (Redis 2 ms, the other masters shift as much; ZooKeeper
// 2.2 ms and a 2.9 ms write).
const wan: FloorFigures = {
  systems: {
    redis: underLatency(system(figures, 'redis'), 1.9),
    zookeeper: underLatency(system(figures, 'zookeeper'), 1.9),
    etcd: underLatency(system(figures, 'etcd'), 1.9),
    'redis-sentinel': underLatency(system(figures, 'redis-sentinel'), 1.9),
  },
};

const rows: Record<string, { roundTripsPerCycle: number; writesPerCycle: number; latencyMs: number; formula: string }> = {
  redis: { roundTripsPerCycle: 2, writesPerCycle: 0, latencyMs: 0.2, formula: '2 × RTT(redis)' },
  redlock: { roundTripsPerCycle: 2, writesPerCycle: 0, latencyMs: 0.6, formula: '2 × RTT(fastest majority, 3 of 5 masters)' },
  "node-redlock": { roundTripsPerCycle: 2, writesPerCycle: 0, latencyMs: 0.6, formula: '2 × RTT(fastest majority, 3 of 5 masters)' },
  zookeeper: { roundTripsPerCycle: 3, writesPerCycle: 2, latencyMs: 2.3, formula: '2 × W(create) + RTT(read)' },
  // etcd's two locks arrived after that: pinned to their LockSpecs' formulas on the fixture's etcd figures.
  etcd: { roundTripsPerCycle: 2, writesPerCycle: 2, latencyMs: 3, formula: '2 × W(create)' },
  'etcd3-lock': { roundTripsPerCycle: 3, writesPerCycle: 3, latencyMs: 4.5, formula: '3 × W(create)' },
  // The Sentinel locks: the primary's round trip, and W = SET + WAIT 1 (a write a replica acknowledged).
  'sentinel': { roundTripsPerCycle: 2, writesPerCycle: 0, latencyMs: 0.24, formula: '2 × RTT(redis-sentinel)' },
  'sentinel-wait': { roundTripsPerCycle: 2, writesPerCycle: 1, latencyMs: 0.42, formula: 'W(SET + WAIT 1) + RTT(read)' },
};
// The third-party clients' floors are those of the lock with the same protocol shape: redis-semaphore's
// Mutex is redis's two round trips to redis-1, redlock 4.2.0 and RedlockMutex node-redlock's.
const sameFloorAs: Record<string, string> = { 'node-redlock-v4': 'node-redlock', 'redis-semaphore': 'redis', 'redis-semaphore-redlock': 'node-redlock' };
for (const [lock, like] of Object.entries(sameFloorAs)) {
  const row = rows[like];
  if (row) rows[lock] = row;
}

// `<lock>/<l0|wan>/c<clients>/k<keys>/h<holdMs>`: 'latencyMs cyclesPerSec'.
const cases: Record<string, string> = {
  'redis/l0/c1/kmany/h0': '0.2 5000',
  'redis/l0/c1/kmany/h1': '0.2 833',
  'redis/l0/c1/k1/h0': '0.2 5000',
  'redis/l0/c1/k1/h1': '0.2 833',
  'redis/l0/c1/k4/h0': '0.2 5000',
  'redis/l0/c1/k4/h1': '0.2 833',
  'redis/l0/c16/kmany/h0': '0.2 10000',
  'redis/l0/c16/kmany/h1': '0.2 10000',
  'redis/l0/c16/k1/h0': '0.2 10000',
  'redis/l0/c16/k1/h1': '0.2 909',
  'redis/l0/c16/k4/h0': '0.2 4000',
  'redis/l0/c16/k4/h1': '0.2 4000',
  'redis/l0/c64/kmany/h0': '0.2 10000',
  'redis/l0/c64/kmany/h1': '0.2 10000',
  'redis/l0/c64/k1/h0': '0.2 10000',
  'redis/l0/c64/k1/h1': '0.2 909',
  'redis/l0/c64/k4/h0': '0.2 4000',
  'redis/l0/c64/k4/h1': '0.2 4000',
  'redis/wan/c1/kmany/h0': '4 250',
  'redis/wan/c1/kmany/h1': '4 200',
  'redis/wan/c1/k1/h0': '4 250',
  'redis/wan/c1/k1/h1': '4 200',
  'redis/wan/c1/k4/h0': '4 250',
  'redis/wan/c1/k4/h1': '4 200',
  'redis/wan/c16/kmany/h0': '4 4000',
  'redis/wan/c16/kmany/h1': '4 4000',
  'redis/wan/c16/k1/h0': '4 500',
  'redis/wan/c16/k1/h1': '4 333',
  'redis/wan/c16/k4/h0': '4 1000',
  'redis/wan/c16/k4/h1': '4 1000',
  'redis/wan/c64/kmany/h0': '4 10000',
  'redis/wan/c64/kmany/h1': '4 10000',
  'redis/wan/c64/k1/h0': '4 500',
  'redis/wan/c64/k1/h1': '4 333',
  'redis/wan/c64/k4/h0': '4 1000',
  'redis/wan/c64/k4/h1': '4 1000',
  'redlock/l0/c1/kmany/h0': '0.6 1667',
  'redlock/l0/c1/kmany/h1': '0.6 625',
  'redlock/l0/c1/k1/h0': '0.6 1667',
  'redlock/l0/c1/k1/h1': '0.6 625',
  'redlock/l0/c1/k4/h0': '0.6 1667',
  'redlock/l0/c1/k4/h1': '0.6 625',
  'redlock/l0/c16/kmany/h0': '0.6 10000',
  'redlock/l0/c16/kmany/h1': '0.6 10000',
  'redlock/l0/c16/k1/h0': '0.6 3333',
  'redlock/l0/c16/k1/h1': '0.6 769',
  'redlock/l0/c16/k4/h0': '0.6 4000',
  'redlock/l0/c16/k4/h1': '0.6 4000',
  'redlock/l0/c64/kmany/h0': '0.6 10000',
  'redlock/l0/c64/kmany/h1': '0.6 10000',
  'redlock/l0/c64/k1/h0': '0.6 3333',
  'redlock/l0/c64/k1/h1': '0.6 769',
  'redlock/l0/c64/k4/h0': '0.6 4000',
  'redlock/l0/c64/k4/h1': '0.6 4000',
  'redlock/wan/c1/kmany/h0': '4.4 227',
  'redlock/wan/c1/kmany/h1': '4.4 185',
  'redlock/wan/c1/k1/h0': '4.4 227',
  'redlock/wan/c1/k1/h1': '4.4 185',
  'redlock/wan/c1/k4/h0': '4.4 227',
  'redlock/wan/c1/k4/h1': '4.4 185',
  'redlock/wan/c16/kmany/h0': '4.4 3636',
  'redlock/wan/c16/kmany/h1': '4.4 3636',
  'redlock/wan/c16/k1/h0': '4.4 455',
  'redlock/wan/c16/k1/h1': '4.4 313',
  'redlock/wan/c16/k4/h0': '4.4 909',
  'redlock/wan/c16/k4/h1': '4.4 909',
  'redlock/wan/c64/kmany/h0': '4.4 10000',
  'redlock/wan/c64/kmany/h1': '4.4 10000',
  'redlock/wan/c64/k1/h0': '4.4 455',
  'redlock/wan/c64/k1/h1': '4.4 313',
  'redlock/wan/c64/k4/h0': '4.4 909',
  'redlock/wan/c64/k4/h1': '4.4 909',
  'node-redlock/l0/c1/kmany/h0': '0.6 1667',
  'node-redlock/l0/c1/kmany/h1': '0.6 625',
  'node-redlock/l0/c1/k1/h0': '0.6 1667',
  'node-redlock/l0/c1/k1/h1': '0.6 625',
  'node-redlock/l0/c1/k4/h0': '0.6 1667',
  'node-redlock/l0/c1/k4/h1': '0.6 625',
  'node-redlock/l0/c16/kmany/h0': '0.6 10000',
  'node-redlock/l0/c16/kmany/h1': '0.6 10000',
  'node-redlock/l0/c16/k1/h0': '0.6 3333',
  'node-redlock/l0/c16/k1/h1': '0.6 769',
  'node-redlock/l0/c16/k4/h0': '0.6 4000',
  'node-redlock/l0/c16/k4/h1': '0.6 4000',
  'node-redlock/l0/c64/kmany/h0': '0.6 10000',
  'node-redlock/l0/c64/kmany/h1': '0.6 10000',
  'node-redlock/l0/c64/k1/h0': '0.6 3333',
  'node-redlock/l0/c64/k1/h1': '0.6 769',
  'node-redlock/l0/c64/k4/h0': '0.6 4000',
  'node-redlock/l0/c64/k4/h1': '0.6 4000',
  'node-redlock/wan/c1/kmany/h0': '4.4 227',
  'node-redlock/wan/c1/kmany/h1': '4.4 185',
  'node-redlock/wan/c1/k1/h0': '4.4 227',
  'node-redlock/wan/c1/k1/h1': '4.4 185',
  'node-redlock/wan/c1/k4/h0': '4.4 227',
  'node-redlock/wan/c1/k4/h1': '4.4 185',
  'node-redlock/wan/c16/kmany/h0': '4.4 3636',
  'node-redlock/wan/c16/kmany/h1': '4.4 3636',
  'node-redlock/wan/c16/k1/h0': '4.4 455',
  'node-redlock/wan/c16/k1/h1': '4.4 313',
  'node-redlock/wan/c16/k4/h0': '4.4 909',
  'node-redlock/wan/c16/k4/h1': '4.4 909',
  'node-redlock/wan/c64/kmany/h0': '4.4 10000',
  'node-redlock/wan/c64/kmany/h1': '4.4 10000',
  'node-redlock/wan/c64/k1/h0': '4.4 455',
  'node-redlock/wan/c64/k1/h1': '4.4 313',
  'node-redlock/wan/c64/k4/h0': '4.4 909',
  'node-redlock/wan/c64/k4/h1': '4.4 909',
  'zookeeper/l0/c1/kmany/h0': '2.3 435',
  'zookeeper/l0/c1/kmany/h1': '2.3 303',
  'zookeeper/l0/c1/k1/h0': '2.3 435',
  'zookeeper/l0/c1/k1/h1': '2.3 303',
  'zookeeper/l0/c1/k4/h0': '2.3 435',
  'zookeeper/l0/c1/k4/h1': '2.3 303',
  'zookeeper/l0/c16/kmany/h0': '2.3 1000',
  'zookeeper/l0/c16/kmany/h1': '2.3 1000',
  'zookeeper/l0/c16/k1/h0': '2.3 769',
  'zookeeper/l0/c16/k1/h1': '2.3 435',
  'zookeeper/l0/c16/k4/h0': '2.3 400',
  'zookeeper/l0/c16/k4/h1': '2.3 400',
  'zookeeper/l0/c64/kmany/h0': '2.3 1000',
  'zookeeper/l0/c64/kmany/h1': '2.3 1000',
  'zookeeper/l0/c64/k1/h0': '2.3 769',
  'zookeeper/l0/c64/k1/h1': '2.3 435',
  'zookeeper/l0/c64/k4/h0': '2.3 400',
  'zookeeper/l0/c64/k4/h1': '2.3 400',
  'zookeeper/wan/c1/kmany/h0': '8 125',
  'zookeeper/wan/c1/kmany/h1': '8 111',
  'zookeeper/wan/c1/k1/h0': '8 125',
  'zookeeper/wan/c1/k1/h1': '8 111',
  'zookeeper/wan/c1/k4/h0': '8 125',
  'zookeeper/wan/c1/k4/h1': '8 111',
  'zookeeper/wan/c16/kmany/h0': '8 1000',
  'zookeeper/wan/c16/kmany/h1': '8 1000',
  'zookeeper/wan/c16/k1/h0': '8 196',
  'zookeeper/wan/c16/k1/h1': '8 164',
  'zookeeper/wan/c16/k4/h0': '8 400',
  'zookeeper/wan/c16/k4/h1': '8 400',
  'zookeeper/wan/c64/kmany/h0': '8 1000',
  'zookeeper/wan/c64/kmany/h1': '8 1000',
  'zookeeper/wan/c64/k1/h0': '8 196',
  'zookeeper/wan/c64/k1/h1': '8 164',
  'zookeeper/wan/c64/k4/h0': '8 400',
  'zookeeper/wan/c64/k4/h1': '8 400',
  // etcd: 2 W = 3 ms (etcd3-lock 3 W = 4.5 ms); handoff W + RTT = 1.9 ms (etcd3-lock 2 W = 3 ms).
  'etcd/l0/c1/kmany/h0': '3 333',
  'etcd/l0/c1/kmany/h1': '3 250',
  'etcd/l0/c1/k1/h0': '3 333',
  'etcd/l0/c1/k1/h1': '3 250',
  'etcd/l0/c1/k4/h0': '3 333',
  'etcd/l0/c1/k4/h1': '3 250',
  'etcd/l0/c16/kmany/h0': '3 800',
  'etcd/l0/c16/kmany/h1': '3 800',
  'etcd/l0/c16/k1/h0': '3 526',
  'etcd/l0/c16/k1/h1': '3 345',
  'etcd/l0/c16/k4/h0': '3 300',
  'etcd/l0/c16/k4/h1': '3 300',
  'etcd/l0/c64/kmany/h0': '3 800',
  'etcd/l0/c64/kmany/h1': '3 800',
  'etcd/l0/c64/k1/h0': '3 526',
  'etcd/l0/c64/k1/h1': '3 345',
  'etcd/l0/c64/k4/h0': '3 300',
  'etcd/l0/c64/k4/h1': '3 300',
  'etcd/wan/c1/kmany/h0': '6.8 147',
  'etcd/wan/c1/kmany/h1': '6.8 128',
  'etcd/wan/c1/k1/h0': '6.8 147',
  'etcd/wan/c1/k1/h1': '6.8 128',
  'etcd/wan/c1/k4/h0': '6.8 147',
  'etcd/wan/c1/k4/h1': '6.8 128',
  'etcd/wan/c16/kmany/h0': '6.8 800',
  'etcd/wan/c16/kmany/h1': '6.8 800',
  'etcd/wan/c16/k1/h0': '6.8 175',
  'etcd/wan/c16/k1/h1': '6.8 149',
  'etcd/wan/c16/k4/h0': '6.8 300',
  'etcd/wan/c16/k4/h1': '6.8 300',
  'etcd/wan/c64/kmany/h0': '6.8 800',
  'etcd/wan/c64/kmany/h1': '6.8 800',
  'etcd/wan/c64/k1/h0': '6.8 175',
  'etcd/wan/c64/k1/h1': '6.8 149',
  'etcd/wan/c64/k4/h0': '6.8 300',
  'etcd/wan/c64/k4/h1': '6.8 300',
  'etcd3-lock/l0/c1/kmany/h0': '4.5 222',
  'etcd3-lock/l0/c1/kmany/h1': '4.5 182',
  'etcd3-lock/l0/c1/k1/h0': '4.5 222',
  'etcd3-lock/l0/c1/k1/h1': '4.5 182',
  'etcd3-lock/l0/c1/k4/h0': '4.5 222',
  'etcd3-lock/l0/c1/k4/h1': '4.5 182',
  'etcd3-lock/l0/c16/kmany/h0': '4.5 800',
  'etcd3-lock/l0/c16/kmany/h1': '4.5 800',
  'etcd3-lock/l0/c16/k1/h0': '4.5 333',
  'etcd3-lock/l0/c16/k1/h1': '4.5 250',
  'etcd3-lock/l0/c16/k4/h0': '4.5 300',
  'etcd3-lock/l0/c16/k4/h1': '4.5 300',
  'etcd3-lock/l0/c64/kmany/h0': '4.5 800',
  'etcd3-lock/l0/c64/kmany/h1': '4.5 800',
  'etcd3-lock/l0/c64/k1/h0': '4.5 333',
  'etcd3-lock/l0/c64/k1/h1': '4.5 250',
  'etcd3-lock/l0/c64/k4/h0': '4.5 300',
  'etcd3-lock/l0/c64/k4/h1': '4.5 300',
  'etcd3-lock/wan/c1/kmany/h0': '10.2 98',
  'etcd3-lock/wan/c1/kmany/h1': '10.2 89',
  'etcd3-lock/wan/c1/k1/h0': '10.2 98',
  'etcd3-lock/wan/c1/k1/h1': '10.2 89',
  'etcd3-lock/wan/c1/k4/h0': '10.2 98',
  'etcd3-lock/wan/c1/k4/h1': '10.2 89',
  'etcd3-lock/wan/c16/kmany/h0': '10.2 800',
  'etcd3-lock/wan/c16/kmany/h1': '10.2 800',
  'etcd3-lock/wan/c16/k1/h0': '10.2 147',
  'etcd3-lock/wan/c16/k1/h1': '10.2 128',
  'etcd3-lock/wan/c16/k4/h0': '10.2 300',
  'etcd3-lock/wan/c16/k4/h1': '10.2 300',
  'etcd3-lock/wan/c64/kmany/h0': '10.2 800',
  'etcd3-lock/wan/c64/kmany/h1': '10.2 800',
  'etcd3-lock/wan/c64/k1/h0': '10.2 147',
  'etcd3-lock/wan/c64/k1/h1': '10.2 128',
  'etcd3-lock/wan/c64/k4/h0': '10.2 300',
  'etcd3-lock/wan/c64/k4/h1': '10.2 300',
  'sentinel/l0/c1/kmany/h0': '0.24 4167',
  'sentinel/l0/c1/kmany/h1': '0.24 806',
  'sentinel/l0/c1/k1/h0': '0.24 4167',
  'sentinel/l0/c1/k1/h1': '0.24 806',
  'sentinel/l0/c1/k4/h0': '0.24 4167',
  'sentinel/l0/c1/k4/h1': '0.24 806',
  'sentinel/l0/c16/kmany/h0': '0.24 9000',
  'sentinel/l0/c16/kmany/h1': '0.24 9000',
  'sentinel/l0/c16/k1/h0': '0.24 8333',
  'sentinel/l0/c16/k1/h1': '0.24 893',
  'sentinel/l0/c16/k4/h0': '0.24 3500',
  'sentinel/l0/c16/k4/h1': '0.24 3500',
  'sentinel/l0/c64/kmany/h0': '0.24 9000',
  'sentinel/l0/c64/kmany/h1': '0.24 9000',
  'sentinel/l0/c64/k1/h0': '0.24 8333',
  'sentinel/l0/c64/k1/h1': '0.24 893',
  'sentinel/l0/c64/k4/h0': '0.24 3500',
  'sentinel/l0/c64/k4/h1': '0.24 3500',
  'sentinel/wan/c1/kmany/h0': '4.04 248',
  'sentinel/wan/c1/kmany/h1': '4.04 198',
  'sentinel/wan/c1/k1/h0': '4.04 248',
  'sentinel/wan/c1/k1/h1': '4.04 198',
  'sentinel/wan/c1/k4/h0': '4.04 248',
  'sentinel/wan/c1/k4/h1': '4.04 198',
  'sentinel/wan/c16/kmany/h0': '4.04 3960',
  'sentinel/wan/c16/kmany/h1': '4.04 3960',
  'sentinel/wan/c16/k1/h0': '4.04 495',
  'sentinel/wan/c16/k1/h1': '4.04 331',
  'sentinel/wan/c16/k4/h0': '4.04 990',
  'sentinel/wan/c16/k4/h1': '4.04 990',
  'sentinel/wan/c64/kmany/h0': '4.04 9000',
  'sentinel/wan/c64/kmany/h1': '4.04 9000',
  'sentinel/wan/c64/k1/h0': '4.04 495',
  'sentinel/wan/c64/k1/h1': '4.04 331',
  'sentinel/wan/c64/k4/h0': '4.04 990',
  'sentinel/wan/c64/k4/h1': '4.04 990',
  'sentinel-wait/l0/c1/kmany/h0': '0.42 2381',
  'sentinel-wait/l0/c1/kmany/h1': '0.42 704',
  'sentinel-wait/l0/c1/k1/h0': '0.42 2381',
  'sentinel-wait/l0/c1/k1/h1': '0.42 704',
  'sentinel-wait/l0/c1/k4/h0': '0.42 2381',
  'sentinel-wait/l0/c1/k4/h1': '0.42 704',
  'sentinel-wait/l0/c16/kmany/h0': '0.42 9000',
  'sentinel-wait/l0/c16/kmany/h1': '0.42 9000',
  'sentinel-wait/l0/c16/k1/h0': '0.42 3333',
  'sentinel-wait/l0/c16/k1/h1': '0.42 769',
  'sentinel-wait/l0/c16/k4/h0': '0.42 3500',
  'sentinel-wait/l0/c16/k4/h1': '0.42 3500',
  'sentinel-wait/l0/c64/kmany/h0': '0.42 9000',
  'sentinel-wait/l0/c64/kmany/h1': '0.42 9000',
  'sentinel-wait/l0/c64/k1/h0': '0.42 3333',
  'sentinel-wait/l0/c64/k1/h1': '0.42 769',
  'sentinel-wait/l0/c64/k4/h0': '0.42 3500',
  'sentinel-wait/l0/c64/k4/h1': '0.42 3500',
  'sentinel-wait/wan/c1/kmany/h0': '4.22 237',
  'sentinel-wait/wan/c1/kmany/h1': '4.22 192',
  'sentinel-wait/wan/c1/k1/h0': '4.22 237',
  'sentinel-wait/wan/c1/k1/h1': '4.22 192',
  'sentinel-wait/wan/c1/k4/h0': '4.22 237',
  'sentinel-wait/wan/c1/k4/h1': '4.22 192',
  'sentinel-wait/wan/c16/kmany/h0': '4.22 3791',
  'sentinel-wait/wan/c16/kmany/h1': '4.22 3791',
  'sentinel-wait/wan/c16/k1/h0': '4.22 455',
  'sentinel-wait/wan/c16/k1/h1': '4.22 313',
  'sentinel-wait/wan/c16/k4/h0': '4.22 948',
  'sentinel-wait/wan/c16/k4/h1': '4.22 948',
  'sentinel-wait/wan/c64/kmany/h0': '4.22 9000',
  'sentinel-wait/wan/c64/kmany/h1': '4.22 9000',
  'sentinel-wait/wan/c64/k1/h0': '4.22 455',
  'sentinel-wait/wan/c64/k1/h1': '4.22 313',
  'sentinel-wait/wan/c64/k4/h0': '4.22 948',
  'sentinel-wait/wan/c64/k4/h1': '4.22 948',
};
for (const [lock, like] of Object.entries(sameFloorAs))
  for (const [id, v] of Object.entries(cases)) if (id.startsWith(`${like}/`)) cases[`${lock}/${id.slice(like.length + 1)}`] = v;

test('under injected latency every round trip and write grows by the least latency the toxics add', () => {
  const r = system(wan, 'redis');
  assert.equal(Math.round(r.rttMs * 1000) / 1000, 2);
  assert.deepEqual(r.nodesRttMs.map((x) => Math.round(x * 1000) / 1000), [2.2, 2, 2.1, 2.4, 2.3]);
  assert.equal(system(wan, 'zookeeper').writeMs, 2.9);
  assert.equal(system(wan, 'redis').writeMs, undefined);
  assert.equal(system(wan, 'redis').pairsPerSec, system(figures, 'redis').pairsPerSec);
});

test('every lock’s floor row comes from its LockSpec and keeps its formula text', () => {
  assert.deepEqual(Object.keys(rows).sort(), [...lockNames].sort(), 'a row pinned for every registered lock');
  for (const lock of lockNames) assert.deepEqual(lockFloorRow(lock, figures), { lock, ...rows[lock] }, lock);
});

test('every lock’s case floors (latency floor, cycles/s ceiling) are what they were for the same figures', () => {
  let n = 0;
  for (const lock of lockNames)
    for (const [name, f, injected] of [['l0', figures, false], ['wan', wan, true]] as const)
      for (const clients of [1, 16, 64])
        for (const keys of ['many', 1, 4] as const)
          for (const hold of [0, 1]) {
            const id = `${lock}/${name}/c${clients}/k${keys}/h${hold}`;
            const floor = caseFloor(lock, f, clients, keys, injected, hold);
            assert.equal(floor ? `${floor.latencyMs} ${floor.cyclesPerSec}` : null, cases[id], id);
            assert.ok(floor?.basis.startsWith(`${rows[lock]?.formula ?? '?'}; `), id);
            // Efficiencies are a function of the floor alone.
            assert.deepEqual(efficiency(floor, 1000, 1), floor ? { throughput: Math.round((1000 / floor.cyclesPerSec) * 1000) / 1000, latency: floor.latencyMs } : { throughput: null, latency: null });
            n++;
          }
  assert.equal(n, Object.keys(cases).length);
});

test('the bases say where the ceiling comes from', () => {
  const basis = (lock: string, clients: number, keys: 'many' | number, injected = false): string | undefined => caseFloor(lock, injected ? wan : figures, clients, keys, injected)?.basis;
  assert.equal(basis('redis', 1, 'many'), '2 × RTT(redis); one client: 1 ÷ (latency floor)');
  assert.equal(basis('redis', 16, 'many'), '2 × RTT(redis); raw SET NX PX + compare-and-delete pairs/s at 16 connections');
  assert.equal(basis('redis', 16, 'many', true), '2 × RTT(redis); raw SET NX PX + compare-and-delete pairs/s at 16 connections, capped at parallel cycles ÷ latency floor');
  assert.equal(basis('redis', 16, 1), '2 × RTT(redis); one key: 1 ÷ (handoff 0.1 ms)');
  assert.equal(basis('zookeeper', 16, 1), '2 × W(create) + RTT(read); one key: 1 ÷ (handoff 1.3 ms)');
  // The pair's words are the driver's; a quorum lock's note names the node and the lock.
  assert.equal(basis('zookeeper', 16, 'many'), '2 × W(create) + RTT(read); raw ZooKeeper create + delete pairs/s at 16 connections');
  assert.equal(basis('redlock', 16, 'many'), '2 × RTT(fastest majority, 3 of 5 masters); raw SET NX PX + compare-and-delete pairs/s at 16 connections (one master; redlock does them on every master in parallel)');
});

test('a new lock gets its floor and a formula from its descriptor alone', () => {
  const quorumReads: LockSpec = { ...lockSpecs.zookeeper, name: 'zk-quorum-reads', floor: { roundTrips: 2, writes: 1, over: 'quorum', handoff: { roundTrips: 1, writes: 1 } } };
  // ZooKeeper's nodes were not measured one by one: the quorum's round trip falls back to the first node's.
  assert.deepEqual(specFloorRow(quorumReads, figures), { lock: 'zk-quorum-reads', roundTripsPerCycle: 3, writesPerCycle: 1, latencyMs: 1.6, formula: 'W(create) + 2 × RTT(fastest majority, 1 of 1 node)' });
  const oneTrip: LockSpec = { ...lockSpecs.redis, name: 'one-trip', floor: { roundTrips: 1, writes: 0, over: 'one-node', handoff: { roundTrips: 1, writes: 0 } } };
  assert.equal(specFloorRow(oneTrip, figures)?.formula, 'RTT(redis)');
  // A write on a system without quorum writes, or a system the floor did not measure: no floor.
  assert.equal(specFloorRow({ ...oneTrip, floor: { ...oneTrip.floor, writes: 1 } }, figures), undefined);
  assert.equal(lockFloorRow('no-such-lock', figures), undefined);
  const redisOnly: FloorFigures = { systems: { redis: system(figures, 'redis') } };
  assert.equal(lockFloorRow('zookeeper', redisOnly), undefined);
  assert.equal(caseFloor('zookeeper', redisOnly, 16, 'many', false), null);
});
