// The lock cycle and the two load models that drive it, as they run inside a worker process.
//   closed loop  every client runs acquire → (hold) → release back to back: throughput at a given
//                concurrency, and latency as each client sees it.
//   open loop    requests arrive on a fixed schedule whatever the lock does; each is served by the
//                next free client. Latencies count from the *scheduled* start, so time spent queued
//                behind a slow lock is in the numbers (no coordinated omission).
// Everything time-related goes through a Clock, so the counting can be tested on a virtual clock
// against a fake lock of known cost. A cycle counts when its acquire was invoked (closed) or
// scheduled (open) inside the measured window [warm-up end, warm-up end + duration).
import type { Clock } from '../core/clock.ts';
import { latencyHistogram, recordMs, type LatencyHistogram } from '../core/stats.ts';
import type { LockClient } from '../locks/lock-client.ts';
import { AttemptLog, OUTCOME } from './attempts.ts';

export interface BenchClient {
  /** Global client number: the process in the history, and what picks its client slot. */
  readonly id: number;
  readonly lock: LockClient;
  readonly key: string;
}

export interface LoopSettings {
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  /** Time inside the critical section, ms (0: release at once). */
  readonly holdMs: number;
  readonly maxCyclesPerClient: number;
  /**
   * Closed loop: each client starts its cycles at least this far apart (0 or absent: back to back).
   * How --max-rate bounds the load on an external target (bench/pace.ts).
   */
  readonly paceMs?: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

export interface ErrorCounts {
  /** Acquire gave up after its wait budget: the lock stayed held by others (a timeout). */
  busy: number;
  /** Acquire could not reach the service. */
  unavailable: number;
  /** Acquire's outcome is unknown (it threw). */
  unknown: number;
  /** Release found the grant gone (expired or taken over). */
  releaseNotHeld: number;
  /** Release's outcome is unknown (it threw). */
  releaseUnknown: number;
}

export const noErrors = (): ErrorCounts => ({ busy: 0, unavailable: 0, unknown: 0, releaseNotHeld: 0, releaseUnknown: 0 });

export interface LoopHistograms {
  /** Acquire call → grant. */
  readonly acquire: LatencyHistogram;
  /** Scheduled start → grant (closed loop: the same as acquire). */
  readonly wait: LatencyHistogram;
  /** Scheduled start → release done: what a caller experiences. */
  readonly cycle: LatencyHistogram;
  /** Acquire call → release done. */
  readonly service: LatencyHistogram;
}

export interface LoopResult {
  readonly measureStartMs: number;
  readonly measureEndMs: number;
  /** How much of the window actually ran: the duration, or less when the run was aborted. */
  readonly measuredMs: number;
  /** Granted and released cycles counted in the window. */
  readonly cycles: number;
  /** Acquire attempts counted in the window. */
  readonly attempts: number;
  readonly errors: ErrorCounts;
  readonly histograms: LoopHistograms;
  /** Every attempt, warm-up included, for the overlap checker. */
  readonly log: Float64Array;
  /** Open loop: requests scheduled in the window, and those never served before the drain deadline. */
  readonly offered?: number;
  readonly unserved?: number;
}

class Recorder {
  readonly log = new AttemptLog(4096);
  readonly errors = noErrors();
  readonly histograms: LoopHistograms = { acquire: latencyHistogram(), wait: latencyHistogram(), cycle: latencyHistogram(), service: latencyHistogram() };
  cycles = 0;
  attempts = 0;
  constructor(
    readonly fromMs: number,
    readonly toMs: number,
  ) {}
  counts(t: number): boolean {
    return t >= this.fromMs && t < this.toMs;
  }
}

/** One acquire → hold → release on `c`. `scheduledMs` is when the request was due (open loop). */
async function runCycle(c: BenchClient, s: LoopSettings, rec: Recorder, scheduledMs?: number): Promise<void> {
  const { clock } = s;
  const startMs = clock.nowMs();
  const dueMs = scheduledMs ?? startMs;
  const counted = rec.counts(dueMs);
  const row = rec.log.begin(c.id, startMs);
  if (counted) rec.attempts++;
  let lease;
  try {
    const outcome = await c.lock.acquire(c.key, { ttlMs: s.ttlMs, waitMs: s.waitMs });
    const grantedMs = clock.nowMs();
    if (!outcome.acquired) {
      rec.log.acquired(row, grantedMs, OUTCOME.fail);
      if (counted) rec.errors[outcome.reason]++;
      return;
    }
    lease = outcome.lease;
    rec.log.acquired(row, grantedMs, OUTCOME.ok, lease.validUntilMs);
    if (counted) {
      recordMs(rec.histograms.acquire, grantedMs - startMs);
      recordMs(rec.histograms.wait, grantedMs - dueMs);
    }
  } catch {
    rec.log.acquired(row, clock.nowMs(), OUTCOME.info);
    if (counted) rec.errors.unknown++;
    // An unknown outcome usually means the service is struggling: back off a little.
    await clock.sleep(10).catch(() => undefined);
    return;
  }
  if (s.holdMs > 0) await clock.sleep(s.holdMs).catch(() => undefined);
  rec.log.releaseInvoked(row, clock.nowMs());
  try {
    const r = await c.lock.release(lease);
    const doneMs = clock.nowMs();
    rec.log.released(row, doneMs, r === 'released' ? OUTCOME.ok : OUTCOME.fail);
    if (!counted) return;
    if (r !== 'released') rec.errors.releaseNotHeld++;
    rec.cycles++;
    recordMs(rec.histograms.cycle, doneMs - dueMs);
    recordMs(rec.histograms.service, doneMs - startMs);
  } catch {
    rec.log.released(row, clock.nowMs(), OUTCOME.info);
    if (counted) rec.errors.releaseUnknown++;
  }
}

function result(rec: Recorder, nowMs: number, extra: { offered?: number; unserved?: number } = {}): LoopResult {
  return {
    measureStartMs: rec.fromMs,
    measureEndMs: rec.toMs,
    measuredMs: Math.max(0, Math.min(nowMs, rec.toMs) - rec.fromMs),
    cycles: rec.cycles,
    attempts: rec.attempts,
    errors: rec.errors,
    histograms: rec.histograms,
    log: rec.log.toArray(),
    ...extra,
  };
}

/** Closed loop: each client cycles until the window ends (or its cycle cap, or abort). */
export async function runClosedLoop(clients: readonly BenchClient[], s: LoopSettings): Promise<LoopResult> {
  const start = s.clock.nowMs();
  const rec = new Recorder(start + s.warmupMs, start + s.warmupMs + s.durationMs);
  await Promise.all(
    clients.map(async (c, i) => {
      const paceMs = s.paceMs ?? 0;
      // Paced clients start spread over one pace, not all at once: the clients together then offer
      // the cap from the first moment (at once, a window without warm-up counted one extra cycle per client).
      if (paceMs > 0 && i > 0) await s.clock.sleep(Math.round((i * paceMs) / clients.length), s.signal).catch(() => undefined);
      for (let n = 0; n < s.maxCyclesPerClient && s.clock.nowMs() < rec.toMs && s.signal?.aborted !== true; n++) {
        const startMs = s.clock.nowMs();
        await runCycle(c, s, rec);
        const restMs = startMs + paceMs - s.clock.nowMs();
        if (restMs > 0) await s.clock.sleep(Math.ceil(restMs), s.signal).catch(() => undefined);
      }
    }),
  );
  return result(rec, s.clock.nowMs());
}

export interface OpenLoopSettings extends LoopSettings {
  /** Offered rate for this worker's clients, requests per second. */
  readonly ratePerSec: number;
  /** After the window, queued requests are still served until this much time has passed. */
  readonly drainMs: number;
  /** Stagger of this worker's schedule, ms, so workers do not fire in lockstep. */
  readonly offsetMs?: number;
}

/**
 * Open loop: request k is due at start + offset + k/rate, through warm-up and window. Due requests
 * queue until a client is free; latencies count from the due time. Requests still queued at the
 * drain deadline are counted as unserved (and their latency is unknowable, so it is not invented).
 */
export async function runOpenLoop(clients: readonly BenchClient[], s: OpenLoopSettings): Promise<LoopResult> {
  const { clock } = s;
  const start = clock.nowMs();
  const rec = new Recorder(start + s.warmupMs, start + s.warmupMs + s.durationMs);
  const intervalMs = 1000 / s.ratePerSec;
  const drainDeadline = rec.toMs + s.drainMs;
  const queue: number[] = [];
  let head = 0;
  let producing = true;
  let offered = 0;
  const idle: (() => void)[] = [];
  const wakeOne = (): void => idle.shift()?.();
  const wakeAll = (): void => {
    for (const w of idle.splice(0)) w();
  };

  // A function, so the checker does not narrow `aborted` across the awaits.
  const aborted = (): boolean => s.signal?.aborted === true;
  const produce = async (): Promise<void> => {
    for (let k = 0; ; k++) {
      const due = start + (s.offsetMs ?? 0) + k * intervalMs;
      if (due >= rec.toMs || aborted()) break;
      // Never release a request before it is due (timers have 1 ms granularity and may fire a
      // little early): at worst it starts late, and that lateness is counted in its latency.
      // Behind schedule, catch up at once.
      for (let tries = 0; tries < 5 && due > clock.nowMs() && !aborted(); tries++) {
        await clock.sleep(Math.ceil(due - clock.nowMs()), s.signal).catch(() => undefined);
      }
      if (aborted()) break;
      queue.push(due);
      if (rec.counts(due)) offered++;
      wakeOne();
    }
    producing = false;
    wakeAll();
  };

  const serve = async (c: BenchClient): Promise<void> => {
    for (let n = 0; n < s.maxCyclesPerClient; n++) {
      while (head >= queue.length && producing) await new Promise<void>((resolve) => idle.push(resolve));
      if (head >= queue.length || clock.nowMs() >= drainDeadline || aborted()) return;
      const due = queue[head++] ?? clock.nowMs();
      await runCycle(c, s, rec, due);
    }
  };

  await Promise.all([produce(), ...clients.map(serve)]);
  const unserved = queue.slice(head).filter((due) => rec.counts(due)).length;
  return result(rec, clock.nowMs(), { offered, unserved });
}
