// lockbench's own performance goals, checked on every run from figures measured in that run:
//   1. the harness is never the bottleneck: the single-Redis lock at 16+ clients on independent
//      keys reaches ≥ 80% of the raw SET NX PX + compare-and-delete pairs/s at the same concurrency;
//   2. the uncontended single-Redis cycle p50 is within 1.5× of two round trips;
//   3. the worker processes' CPU is reported, so saturation is visible (≥ 90% of a core flags it).
import { lockSpecs, type LockName } from '../locks/registry.ts';
import { casesOfKind, type CaseResult, type FloorResult, type GoalResult } from './results.ts';

/** The goals are about the single-Redis lock by definition. */
export const GOAL_LOCK = 'redis' satisfies LockName;

const pct = (x: number): string => `${Math.round(x * 100)}%`;

export function evaluateGoals(floor: FloorResult | null, cases: readonly CaseResult[]): GoalResult[] {
  const goals: GoalResult[] = [];
  const goalFloor = floor?.[lockSpecs[GOAL_LOCK].model.system];

  const redisCases = casesOfKind(cases, 'sweep').filter((c) => c.lock === GOAL_LOCK && c.clients >= 16 && c.keys === 'many' && c.latencyMs === 0 && c.status === 'ok');
  // Prefer the paired control measured right before the case; fall back to the run's floor.
  const ratios = redisCases.map((c) => {
    const raw = c.pairedRawPairsPerSec ?? goalFloor?.pairs.find((p) => p.clients === c.clients)?.pairsPerSec;
    return { c, raw, ratio: raw ? c.cyclesPerSec / raw : undefined };
  });
  const measured = ratios.filter((r) => r.ratio !== undefined);
  goals.push({
    goal: 'harness is not the bottleneck',
    target: 'redis lock, 16+ clients, independent keys: cycles/s ≥ 80% of raw SET NX PX + compare-and-delete pairs/s at the same concurrency (measured right before the case)',
    measured:
      measured.length === 0
        ? 'not measured in this run (needs --locks redis, --clients 16 or more, --keys many)'
        : measured.map((r) => `${r.c.clients} clients: ${r.c.cyclesPerSec} vs ${r.raw ?? '?'} raw = ${pct(r.ratio ?? 0)}`).join('; '),
    met: measured.length === 0 ? null : measured.every((r) => (r.ratio ?? 0) >= 0.8),
  });

  const micro = cases.find((c) => c.kind === 'micro' && c.lock === GOAL_LOCK && c.status === 'ok');
  const rtt = goalFloor?.rtt.find((r) => r.path === 'proxied')?.rttMs.p50;
  const p50 = micro?.latency.cycle?.p50;
  goals.push({
    goal: 'uncontended single-Redis cycle near two round trips',
    target: 'micro/redis cycle p50 ≤ 1.5 × 2 × proxied Redis RTT p50',
    measured: p50 === undefined || rtt === undefined ? 'not measured in this run (needs --locks redis)' : `p50 ${p50} ms vs 2 × RTT ${(2 * rtt).toFixed(3)} ms = ${(p50 / (2 * rtt)).toFixed(2)}×`,
    met: p50 === undefined || rtt === undefined ? null : p50 <= 1.5 * 2 * rtt,
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
