// lockbench's own performance goals, checked on every run from figures measured in that run, each
// against the floor the run's cases were judged by (one raw figure per concurrency and path):
//   1. the harness is never the bottleneck: the single-Redis lock at 16+ clients on independent
//      keys reaches ≥ 80% of the raw SET NX PX + compare-and-delete pairs/s at the same concurrency
//      on the same path;
//   2. the uncontended single-Redis cycle p50 is within 1.5× of two round trips on its path;
//   3. the ZooKeeper lock at 16+ clients on independent keys reaches ≥ 80% of the raw create +
//      delete pairs/s at the same concurrency;
//   4. the etcd Mutex likewise reaches ≥ 80% of the raw put + delete pairs/s, and its uncontended
//      cycle p50 is within 1.5× its floor (two Raft writes);
//   5. no case beats its floor by more than 5% (a floor that a lock beats is not a floor);
//   6. the worker processes' CPU is reported, so saturation is visible (≥ 90% of a core flags it).
import { lockSpecs, type LockName } from '../locks/registry.ts';
import { FLOOR_ERROR_EFFICIENCY } from './case-result.ts';
import { casesOfKind, type CaseResult, type FloorResult, type GoalResult } from './results.ts';

/** The goals about the single-Redis lock are about it by definition. */
export const GOAL_LOCK = 'redis' satisfies LockName;
/** The goals' locks whose throughput must reach 80% of their system's raw pairs. */
const THROUGHPUT_GOALS: readonly { readonly lock: LockName; readonly goal: string; readonly pairs: string }[] = [
  { lock: GOAL_LOCK, goal: 'harness is not the bottleneck', pairs: 'raw SET NX PX + compare-and-delete pairs/s' },
  { lock: 'zookeeper', goal: 'ZooKeeper lock near its raw writes', pairs: 'raw create + delete pairs/s' },
  { lock: 'etcd', goal: 'etcd Mutex near its raw writes', pairs: 'raw put + delete pairs/s' },
];
/** Locks whose uncontended cycle p50 must be within 1.5× their floor latency. */
const LATENCY_GOALS: readonly { readonly lock: LockName; readonly goal: string }[] = [{ lock: 'etcd', goal: 'uncontended etcd Mutex cycle near its floor' }];
const MAX_LATENCY_RATIO = 1.5;
const MIN_EFFICIENCY = 0.8;

const pct = (x: number): string => `${Math.round(x * 100)}%`;

function throughputGoal(g: (typeof THROUGHPUT_GOALS)[number], cases: readonly CaseResult[]): GoalResult {
  const judged = casesOfKind(cases, 'sweep').filter((c) => c.lock === g.lock && c.clients >= 16 && c.keys === 'many' && c.latencyMs === 0 && c.status === 'ok' && c.floor !== null && c.efficiency.throughput !== null);
  return {
    goal: g.goal,
    target: `${g.lock} lock, 16+ clients, independent keys: cycles/s ≥ ${pct(MIN_EFFICIENCY)} of ${g.pairs} at the same concurrency on the same path (the run's floor)`,
    measured:
      judged.length === 0
        ? `not measured in this run (needs --locks ${g.lock}, --clients 16 or more, --keys many)`
        : judged.map((c) => `${c.clients} clients (${c.path ?? 'proxy'}): ${c.cyclesPerSec} vs ${c.floor?.cyclesPerSec ?? '?'} raw = ${pct(c.efficiency.throughput ?? 0)}`).join('; '),
    met: judged.length === 0 ? null : judged.every((c) => (c.efficiency.throughput ?? 0) >= MIN_EFFICIENCY),
  };
}

function latencyGoal(g: (typeof LATENCY_GOALS)[number], cases: readonly CaseResult[]): GoalResult {
  const micro = cases.find((c) => c.kind === 'micro' && c.lock === g.lock && c.status === 'ok' && c.floor !== null);
  const p50 = micro?.latency.cycle?.p50;
  const floorMs = micro?.floor?.latencyMs;
  const known = p50 !== undefined && floorMs !== undefined && floorMs > 0;
  return {
    goal: g.goal,
    target: `micro/${g.lock} cycle p50 ≤ ${MAX_LATENCY_RATIO} × its floor latency on the same path (${lockSpecs[g.lock].floor.writes} quorum writes, ${lockSpecs[g.lock].floor.roundTrips} round trips)`,
    measured: known ? `p50 ${p50} ms vs floor ${floorMs} ms (${micro?.path ?? 'proxy'}) = ${(p50 / floorMs).toFixed(2)}×` : `not measured in this run (needs --locks ${g.lock})`,
    met: known ? p50 <= MAX_LATENCY_RATIO * floorMs : null,
  };
}

export function evaluateGoals(floor: FloorResult | null, cases: readonly CaseResult[], floorErrors: readonly string[] = []): GoalResult[] {
  const goals: GoalResult[] = [];
  const goalFloor = floor?.[lockSpecs[GOAL_LOCK].model.system];
  const goalThroughput = THROUGHPUT_GOALS[0];
  if (goalThroughput) goals.push(throughputGoal(goalThroughput, cases));

  const micro = cases.find((c) => c.kind === 'micro' && c.lock === GOAL_LOCK && c.status === 'ok');
  const path = micro?.path ?? 'proxy';
  const rtt = goalFloor?.rtt.find((r) => r.path === (path === 'proxy' ? 'proxied' : 'direct'))?.rttMs.p50;
  const p50 = micro?.latency.cycle?.p50;
  goals.push({
    goal: 'uncontended single-Redis cycle near two round trips',
    target: 'micro/redis cycle p50 ≤ 1.5 × 2 × Redis RTT p50 on the same path',
    measured: p50 === undefined || rtt === undefined ? 'not measured in this run (needs --locks redis)' : `p50 ${p50} ms vs 2 × ${path} RTT ${(2 * rtt).toFixed(3)} ms = ${(p50 / (2 * rtt)).toFixed(2)}×`,
    met: p50 === undefined || rtt === undefined ? null : p50 <= 1.5 * 2 * rtt,
  });

  for (const g of THROUGHPUT_GOALS.slice(1)) goals.push(throughputGoal(g, cases));
  for (const g of LATENCY_GOALS) goals.push(latencyGoal(g, cases));

  const floored = cases.filter((c) => c.status === 'ok' && c.floor !== null);
  goals.push({
    goal: 'floors that bound',
    target: `no case's throughput or latency efficiency above ${FLOOR_ERROR_EFFICIENCY}`,
    measured: floored.length === 0 ? 'no case had a floor' : floorErrors.length === 0 ? `${floored.length} cases judged, none above ${FLOOR_ERROR_EFFICIENCY}` : floorErrors.join('; '),
    met: floored.length === 0 ? null : floorErrors.length === 0,
  });

  const usage = cases.flatMap((c) => c.workers.filter((w) => w.worker >= 0).map((w) => ({ c, w })));
  const busiest = usage.reduce<(typeof usage)[number] | undefined>((best, x) => (!best || x.w.cpuPercent > best.w.cpuPercent ? x : best), undefined);
  const saturated = usage.filter((x) => x.w.cpuPercent >= 90);
  goals.push({
    goal: 'worker CPU reported',
    target: 'every case reports each worker process’s CPU (% of one core); ≥ 90% means the harness may be saturated',
    measured: busiest
      ? `busiest worker: ${busiest.w.cpuPercent}% in ${busiest.c.id}; ${saturated.length} worker-case(s) at ≥ 90%${saturated.length > 0 ? ` (${[...new Set(saturated.map((x) => x.c.id))].slice(0, 5).join(', ')})` : ''}`
      : 'no case ran',
    met: usage.length > 0 ? true : null,
  });
  return goals;
}
