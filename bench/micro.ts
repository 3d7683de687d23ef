// Uncontended cycle latency of one lock client with tinybench: one client, its own key, acquire +
// release back to back. tinybench runs the warm-up and the timed loop; each measured cycle is also
// recorded into an HDR histogram, so its percentiles merge and compare with every other case.
// tinybench's own throughput figure is a mean of per-sample rates (not total cycles ÷ time), so cycles per
// second here are computed as cycles ÷ wall time instead.
import { Bench } from 'tinybench';
import { monoMs } from '../core/clock.ts';
import { latencyHistogram, recordMs, summarize, type LatencyHistogram } from '../core/stats.ts';
import { spacedStarts } from './pace.ts';
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
 * Under a cap: before each cycle, a wait for what is left of 1000/cap ms since the previous one
 * began (a tinybench hook, outside the timed window, so the latencies stay the lock's own), and a
 * count of cycles instead of a time: tinybench's `time` adds up the timed windows only, so a paced
 * run would last far longer than asked. A cap above what the lock can do leaves the count out of
 * reach, so a wall-clock deadline (twice the duration and a second) ends the run there too.
 */
function pacing(s: MicroSettings): { readonly nextStart: () => Promise<void>; readonly iterations: number; readonly deadlineMs: number } | undefined {
  if (s.maxRatePerSec === undefined) return undefined;
  const gapMs = 1000 / s.maxRatePerSec;
  return { nextStart: spacedStarts(s.maxRatePerSec), iterations: Math.max(10, Math.floor(s.durationMs / gapMs)), deadlineMs: 2 * s.durationMs + 1000 };
}

/** A figure tinybench did not produce (a run its deadline ended): ours from the histogram instead. */
const finite = (x: number | undefined, fallback: number): number => (x !== undefined && Number.isFinite(x) ? x : fallback);

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
  const cycle = async (): Promise<void> => {
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
  };
  // Paced, the warm-up is ours and lasts its wall time; tinybench's would count cycles or timed windows.
  if (paced) {
    const until = monoMs() + s.warmupMs;
    while (monoMs() < until && s.signal?.aborted !== true) {
      await paced.nextStart();
      await cycle();
    }
  }
  const deadline = new AbortController();
  const timer = paced ? setTimeout(() => deadline.abort(), paced.deadlineMs) : undefined;
  const signal = paced ? (s.signal ? AbortSignal.any([s.signal, deadline.signal]) : deadline.signal) : s.signal;
  const bench = new Bench({
    name: `micro ${c.lock.name}`,
    time: paced ? 0 : s.durationMs,
    iterations: paced?.iterations ?? 10,
    warmup: !paced,
    warmupTime: s.warmupMs,
    warmupIterations: 10,
    throws: false,
    ...(signal ? { signal } : {}),
    setup: (_task, mode) => {
      measuring = mode === 'run';
    },
  });
  bench.add('cycle', cycle, paced ? { beforeEach: paced.nextStart } : {});
  try {
    await bench.run();
  } finally {
    clearTimeout(timer);
  }
  const r = bench.getTask('cycle')?.result;
  const stats = r && 'latency' in r ? r.latency : undefined;
  const own = summarize(histogram);
  return {
    cycles,
    elapsedMs: lastMs - firstMs,
    errors,
    histogram,
    log: log.toArray(),
    tinybench: {
      meanMs: finite(stats?.mean, own.mean),
      p50Ms: finite(stats?.p50, own.p50),
      p99Ms: finite(stats?.p99, own.p99),
      rmePercent: finite(stats?.rme, 0),
      samples: stats?.samplesCount ?? cycles,
      state: deadline.signal.aborted ? 'ended at its deadline (the cap is above what the lock does)' : (r?.state ?? 'missing'),
    },
  };
}
