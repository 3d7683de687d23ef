// Runs one measurement across the worker processes and merges what they send back: clients are
// dealt round-robin to workers (client i → worker i mod W, the same way it gets client slot
// i mod slots), every worker starts its part at once, histograms are decoded and merged (never
// averaged), attempt logs are kept per worker for the checkers, and each worker's CPU is reported.
import { decodeHistogram, mergeHistograms, type LatencyHistogram } from '../core/stats.ts';
import type { LinkPath } from '../locks/context.ts';
import type { LockName } from '../locks/registry.ts';
import { noErrors, type ErrorCounts } from './cycle-loop.ts';
import type { KeySpec } from './plan.ts';
import { keyFor } from './plan.ts';
import type { WorkerCaseUsage } from './results.ts';
import type { JobAnswer, WorkerPool } from './worker-pool.ts';
import { cappedRate, paced } from './pace.ts';
import type { CycleSettings, JobResult, LoopJobResult, MicroJobResult, RawJobResult, WorkerJob } from './worker-protocol.ts';

/** Slack on top of a job's own time: opening lock clients (ZooKeeper sessions) and the last waits. */
export const JOB_SLACK_MS = 60_000;

/** Client ids per worker: client i goes to worker i mod W; workers without clients get none. */
export function dealClients(clients: number, workers: number): number[][] {
  const out: number[][] = Array.from({ length: Math.min(workers, clients) }, () => []);
  for (let i = 0; i < clients; i++) out[i % out.length]?.push(i);
  return out;
}

/** Decodes per-worker histograms and merges them: percentiles of the union, never averaged. */
export function mergeEncodedHistograms(encoded: readonly string[]): LatencyHistogram {
  return mergeHistograms(encoded.map((e) => decodeHistogram(e)));
}

export function usageOf(a: JobAnswer, clients: number): WorkerCaseUsage {
  const u = a.usage;
  const cpuMs = u.cpuUserMs + u.cpuSystemMs;
  return {
    worker: a.worker,
    pid: u.pid,
    clients,
    cpuPercent: u.wallMs > 0 ? Math.round((cpuMs / u.wallMs) * 1000) / 10 : 0,
    cpuUserMs: Math.round(u.cpuUserMs),
    cpuSystemMs: Math.round(u.cpuSystemMs),
    wallMs: Math.round(u.wallMs),
    eventLoopDelayP99Ms: u.eventLoopDelayP99Ms,
  };
}

export function addErrors(into: ErrorCounts, e: ErrorCounts): void {
  into.busy += e.busy;
  into.unavailable += e.unavailable;
  into.unknown += e.unknown;
  into.releaseNotHeld += e.releaseNotHeld;
  into.releaseUnknown += e.releaseUnknown;
}

async function onWorkers<R extends JobResult>(pool: WorkerPool, jobs: readonly WorkerJob[], timeoutMs: number): Promise<JobAnswer<R>[]> {
  return Promise.all(jobs.map((job, w) => pool.run<R>(w, job, timeoutMs)));
}

export interface LoopSpec {
  readonly lock: LockName;
  /** The links the lock clients use. */
  readonly via: LinkPath;
  readonly clients: number;
  readonly keys: KeySpec;
  /** Prefix of this case's lock keys: unique per run and case, so cases never share a lock. */
  readonly keyPrefix: string;
  readonly settings: CycleSettings;
  /** Open loop: total offered rate across all workers. */
  readonly ratePerSec?: number;
}

export interface LoopOutcome {
  readonly cycles: number;
  readonly attempts: number;
  readonly errors: ErrorCounts;
  readonly histograms: { readonly acquire: LatencyHistogram; readonly wait: LatencyHistogram; readonly cycle: LatencyHistogram; readonly service: LatencyHistogram };
  readonly logs: readonly Float64Array[];
  readonly usage: readonly WorkerCaseUsage[];
  /** The measured window as the workers saw it (they start within a few ms of each other). */
  readonly measureStartMs: number;
  /** How much of the window ran (less than the duration when interrupted). */
  readonly measuredMs: number;
  readonly offered: number;
  readonly unserved: number;
  readonly keyOf: (client: number) => string;
}

export async function driveLoop(pool: WorkerPool, spec: LoopSpec): Promise<LoopOutcome> {
  const dealt = dealClients(spec.clients, pool.size);
  const keyOf = (id: number): string => keyFor(spec.keyPrefix, spec.keys, id);
  const s = paced(spec.settings, spec.clients);
  const drainMs = s.waitMs + 2000;
  const jobs: WorkerJob[] = dealt.map((ids, w) => {
    const clients = ids.map((id) => ({ id, key: keyOf(id) }));
    if (spec.ratePerSec === undefined) return { kind: 'closed', lock: spec.lock, via: spec.via, clients, settings: s };
    // Each worker offers its clients' share of the rate, staggered so workers do not fire together.
    const total = cappedRate(spec.ratePerSec, s.maxRatePerSec);
    const rate = (total * ids.length) / spec.clients;
    return { kind: 'open', lock: spec.lock, via: spec.via, clients, settings: s, ratePerSec: rate, drainMs, offsetMs: (w * 1000) / total };
  });
  const answers = await onWorkers<LoopJobResult>(pool, jobs, s.warmupMs + s.durationMs + drainMs + s.waitMs * 2 + JOB_SLACK_MS);
  const errors = noErrors();
  let cycles = 0;
  let attempts = 0;
  let offered = 0;
  let unserved = 0;
  for (const a of answers) {
    addErrors(errors, a.result.errors);
    cycles += a.result.cycles;
    attempts += a.result.attempts;
    offered += a.result.offered ?? 0;
    unserved += a.result.unserved ?? 0;
  }
  const merge = (name: 'acquire' | 'wait' | 'cycle' | 'service'): LatencyHistogram => mergeEncodedHistograms(answers.map((a) => a.result.histograms[name]));
  return {
    cycles,
    attempts,
    errors,
    histograms: { acquire: merge('acquire'), wait: merge('wait'), cycle: merge('cycle'), service: merge('service') },
    logs: answers.map((a) => a.result.log),
    usage: answers.map((a) => usageOf(a, dealt[a.worker]?.length ?? 0)),
    measureStartMs: Math.min(...answers.map((a) => a.result.measureStartMs)),
    measuredMs: Math.max(...answers.map((a) => a.result.measuredMs)),
    offered,
    unserved,
    keyOf,
  };
}

export async function driveMicro(pool: WorkerPool, lock: LockName, via: LinkPath, keyPrefix: string, settings: CycleSettings): Promise<{ answer: JobAnswer<MicroJobResult>; key: string }> {
  const key = `${keyPrefix}:k0`;
  const answer = await pool.run<MicroJobResult>(0, { kind: 'micro', lock, via, client: { id: 0, key }, settings }, settings.warmupMs + settings.durationMs * 3 + JOB_SLACK_MS);
  return { answer, key };
}

export interface RawOutcome {
  readonly pairsPerSec: number;
  readonly pairs: number;
  readonly errors: number;
  readonly histogram: LatencyHistogram;
  readonly workerCpuPercent: number[];
}

/**
 * Raw pairs of `system` on `targets` (one connection per entry, in the form its driver's
 * pairTarget gives: a port, a connect string), dealt to workers like lock clients and run in their
 * closed loop with `settings`; worker w's connections use their keys under `scopeOf(w)`
 * (bench/floor.ts rawScopes).
 */
export async function driveRaw(pool: WorkerPool, system: string, targets: readonly (number | string)[], settings: CycleSettings, scopeOf: (worker: number) => string): Promise<RawOutcome> {
  const dealt = dealClients(targets.length, pool.size);
  const s = paced(settings, targets.length);
  const jobs: WorkerJob[] = dealt.map((ids, w) => ({ kind: 'raw', system, targets: ids.map((i) => targets[i] ?? Number.NaN), settings: s, scope: scopeOf(w) }));
  const answers = await onWorkers<RawJobResult>(pool, jobs, settings.warmupMs + settings.durationMs * 2 + JOB_SLACK_MS);
  const pairs = answers.reduce((n, a) => n + a.result.pairs, 0);
  // Workers run side by side: the rate is the sum of their rates, each over its own elapsed time.
  const pairsPerSec = answers.reduce((n, a) => n + (a.result.elapsedMs > 0 ? (a.result.pairs * 1000) / a.result.elapsedMs : 0), 0);
  return {
    pairsPerSec: Math.round(pairsPerSec),
    pairs,
    errors: answers.reduce((n, a) => n + a.result.errors, 0),
    histogram: mergeEncodedHistograms(answers.map((a) => a.result.histogram)),
    workerCpuPercent: answers.map((a) => usageOf(a, 0).cpuPercent),
  };
}
