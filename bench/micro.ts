// Uncontended cycle latency of one lock client with tinybench: one client, its own key, acquire +
// release back to back. tinybench runs the warm-up and the timed loop; each measured cycle is also
// recorded into an HDR histogram, so its percentiles merge and compare with every other case.
// tinybench's own throughput figure is a mean of per-sample rates (not total cycles ÷ time), so cycles per
// second here are computed as cycles ÷ wall time instead.
import { Bench } from 'tinybench';
import { monoMs, sleep } from '../core/clock.ts';
import { latencyHistogram, recordMs, type LatencyHistogram } from '../core/stats.ts';
import { AttemptLog, OUTCOME } from './attempts.ts';
import type { BenchClient, ErrorCounts } from './cycle-loop.ts';
import { noErrors } from './cycle-loop.ts';

export interface MicroSettings {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  /** --max-rate (an external target): cycles start at least 1000/cap ms apart. */
  readonly maxRatePerSec?: number;
  readonly signal?: AbortSignal;
}

/**
 * Under a cap, the pause before each cycle (a tinybench hook, outside the timed window, so the
 * latencies stay the lock's own) and a count of cycles instead of a time: tinybench's `time` adds
 * up the timed windows only, so a paced run would last far longer than asked.
 */
function pacing(s: MicroSettings): { readonly gapMs: number; readonly iterations: number; readonly warmupIterations: number } | undefined {
  if (s.maxRatePerSec === undefined) return undefined;
  const gapMs = 1000 / s.maxRatePerSec;
  return { gapMs, iterations: Math.max(10, Math.floor(s.durationMs / gapMs)), warmupIterations: Math.max(10, Math.floor(s.warmupMs / gapMs)) };
}

export interface MicroResult {
  readonly cycles: number;
  readonly elapsedMs: number;
  readonly errors: ErrorCounts;
  readonly histogram: LatencyHistogram;
  readonly log: Float64Array;
  /** tinybench's own view: mean and p50 in ms, relative margin of error in %, samples. */
  readonly tinybench: { readonly meanMs: number; readonly p50Ms: number; readonly p99Ms: number; readonly rmePercent: number; readonly samples: number; readonly state: string };
}

export async function runMicro(c: BenchClient, s: MicroSettings): Promise<MicroResult> {
  const histogram = latencyHistogram();
  const log = new AttemptLog(4096);
  const errors = noErrors();
  let measuring = false;
  let cycles = 0;
  let firstMs = 0;
  let lastMs = 0;
  const paced = pacing(s);
  const bench = new Bench({
    name: `micro ${c.lock.name}`,
    time: paced ? 0 : s.durationMs,
    iterations: paced?.iterations ?? 10,
    warmupTime: paced ? 0 : s.warmupMs,
    warmupIterations: paced?.warmupIterations ?? 10,
    throws: false,
    ...(s.signal ? { signal: s.signal } : {}),
    setup: (_task, mode) => {
      measuring = mode === 'run';
    },
  });
  bench.add('cycle', async () => {
    const t0 = monoMs();
    const row = log.begin(c.id, t0);
    let phase: 'acquire' | 'release' = 'acquire';
    try {
      const outcome = await c.lock.acquire(c.key, { ttlMs: s.ttlMs, waitMs: s.waitMs });
      log.acquired(row, monoMs(), outcome.acquired ? OUTCOME.ok : OUTCOME.fail, outcome.acquired ? outcome.lease.validUntilMs : undefined);
      if (!outcome.acquired) {
        if (measuring) errors[outcome.reason]++;
        return;
      }
      phase = 'release';
      log.releaseInvoked(row, monoMs());
      const r = await c.lock.release(outcome.lease);
      const t1 = monoMs();
      log.released(row, t1, r === 'released' ? OUTCOME.ok : OUTCOME.fail);
      if (!measuring) return;
      if (r !== 'released') errors.releaseNotHeld++;
      if (cycles === 0) firstMs = t0;
      lastMs = t1;
      cycles++;
      recordMs(histogram, t1 - t0);
    } catch {
      // The row's missing completion reads as unknown in the history.
      if (measuring) errors[phase === 'acquire' ? 'unknown' : 'releaseUnknown']++;
    }
  }, paced ? { beforeEach: () => sleep(paced.gapMs) } : {});
  await bench.run();
  const r = bench.getTask('cycle')?.result;
  const stats = r && 'latency' in r ? r.latency : undefined;
  return {
    cycles,
    elapsedMs: lastMs - firstMs,
    errors,
    histogram,
    log: log.toArray(),
    tinybench: {
      meanMs: stats?.mean ?? Number.NaN,
      p50Ms: stats?.p50 ?? Number.NaN,
      p99Ms: stats?.p99 ?? Number.NaN,
      rmePercent: stats?.rme ?? Number.NaN,
      samples: stats?.samplesCount ?? 0,
      state: r?.state ?? 'missing',
    },
  };
}
