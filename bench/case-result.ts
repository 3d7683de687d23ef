// Turns what the workers measured into a case's entry in bench.json: merged-histogram percentiles,
// the overlap checker's verdict over the recorded attempts, fairness, the floor and efficiency.
import { summaryMs } from './latency-summary.ts';
import { encodeHistogram, type LatencyHistogram, type LatencySummaryMs } from '../core/stats.ts';
import { attemptsToOps, overlapOf, stalledClients, type OverlapSummary } from './attempts.ts';
import { noErrors, type ErrorCounts } from './cycle-loop.ts';
import { caseFloor, efficiency, type FloorFigures } from './efficiency.ts';
import type { LoopOutcome } from './drive.ts';
import { fairnessOf } from './fairness.ts';
import { keysLabel, type CaseSpec, type KeySpec } from './plan.ts';
import type { CaseResult, WorkerCaseUsage } from './results.ts';

export interface CaseTiming {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly ttlMs: number;
  readonly jitterMs: number;
}

const keysOf = (spec: CaseSpec): KeySpec => ('keys' in spec ? spec.keys : 1);
const modeOf = (spec: CaseSpec): CaseResult['mode'] => (spec.kind === 'micro' ? 'tinybench' : spec.kind === 'open' ? 'open' : spec.kind === 'http' ? 'http' : 'closed');
const summaryOrUndefined = (h: LatencyHistogram): LatencySummaryMs | undefined => (h.totalCount > 0 ? summaryMs(h) : undefined);

function base(spec: CaseSpec, t: CaseTiming): Pick<CaseResult, 'id' | 'kind' | 'lock' | 'clients' | 'keys' | 'latencyMs' | 'jitterMs' | 'mode' | 'holdMs' | 'durationMs' | 'warmupMs'> {
  return {
    id: spec.id,
    kind: spec.kind,
    lock: spec.lock,
    clients: spec.clients,
    keys: keysLabel(keysOf(spec)),
    latencyMs: spec.latencyMs,
    jitterMs: t.jitterMs,
    mode: modeOf(spec),
    holdMs: spec.kind === 'fairness' ? spec.holdMs : 0,
    durationMs: t.durationMs,
    warmupMs: t.warmupMs,
  };
}

/** A case that could not run (or was cut short by Ctrl-C before it measured anything). */
export function failedCase(spec: CaseSpec, t: CaseTiming, status: 'failed' | 'interrupted', error: string): CaseResult {
  return {
    ...base(spec, t),
    status,
    error,
    cycles: 0,
    attempts: 0,
    cyclesPerSec: 0,
    latency: {},
    errors: noErrors(),
    stalledClients: 0,
    overlap: null,
    floor: null,
    efficiency: { throughput: null, latency: null },
    workers: [],
    histograms: {},
  };
}

export function loopCase(spec: CaseSpec, timing: CaseTiming, out: LoopOutcome, figures: FloorFigures | undefined, interrupted: boolean): CaseResult {
  // An interrupted case ran only part of its window: rates are over what ran.
  const t = interrupted && out.measuredMs > 0 ? { ...timing, durationMs: Math.round(out.measuredMs) } : timing;
  const cyclesPerSec = t.durationMs > 0 ? Math.round((out.cycles * 1000) / t.durationMs) : 0;
  const h = out.histograms;
  const ops = attemptsToOps(out.logs, (client) => out.keyOf(client), t.ttlMs);
  const overlap = overlapOf(ops);
  const cycle = summaryOrUndefined(h.cycle);
  const holdMs = spec.kind === 'fairness' ? spec.holdMs : 0;
  const floor = figures && spec.kind !== 'open' ? caseFloor(spec.lock, figures, spec.clients, keysOf(spec), spec.latencyMs > 0, holdMs) : null;
  const clientIds = Array.from({ length: spec.clients }, (_, i) => i);
  const oneKey = keysOf(spec) === 1 && spec.clients > 1;
  return {
    ...base(spec, t),
    status: interrupted ? 'interrupted' : 'ok',
    cycles: out.cycles,
    attempts: out.attempts,
    cyclesPerSec,
    latency: { acquire: summaryOrUndefined(h.acquire), wait: summaryOrUndefined(h.wait), cycle, service: summaryOrUndefined(h.service) },
    errors: out.errors,
    stalledClients: stalledClients(out.logs, clientIds, out.measureStartMs, out.measureStartMs + t.durationMs),
    overlap,
    floor,
    efficiency: efficiency(floor, cyclesPerSec, spec.kind === 'fairness' ? undefined : cycle?.p50),
    workers: out.usage,
    ...(oneKey || spec.kind === 'fairness' ? { fairness: fairnessOf(out.logs, clientIds, out.measureStartMs) } : {}),
    histograms: { acquire: encodeHistogram(h.acquire), wait: encodeHistogram(h.wait), cycle: encodeHistogram(h.cycle), service: encodeHistogram(h.service) },
  };
}

export interface MicroOutcome {
  readonly cycles: number;
  readonly elapsedMs: number;
  readonly errors: ErrorCounts;
  readonly histogram: LatencyHistogram;
  readonly log: Float64Array;
  readonly key: string;
  readonly usage: WorkerCaseUsage;
  readonly tinybench: NonNullable<CaseResult['tinybench']>;
}

export function microCase(spec: CaseSpec, t: CaseTiming, m: MicroOutcome, figures: FloorFigures | undefined): CaseResult {
  const cycle = summaryOrUndefined(m.histogram);
  const cyclesPerSec = m.elapsedMs > 0 ? Math.round((m.cycles * 1000) / m.elapsedMs) : 0;
  const floor = figures ? caseFloor(spec.lock, figures, 1, 1, false) : null;
  const overlap: OverlapSummary = overlapOf(attemptsToOps([m.log], () => m.key, t.ttlMs));
  return {
    ...base(spec, { ...t, durationMs: Math.round(m.elapsedMs) }),
    status: 'ok',
    cycles: m.cycles,
    attempts: m.cycles + m.errors.busy + m.errors.unavailable + m.errors.unknown,
    cyclesPerSec,
    latency: { cycle },
    errors: m.errors,
    stalledClients: m.cycles === 0 ? 1 : 0,
    overlap,
    floor,
    efficiency: efficiency(floor, cyclesPerSec, cycle?.p50),
    workers: [m.usage],
    tinybench: m.tinybench,
    histograms: { cycle: encodeHistogram(m.histogram) },
  };
}

export interface HttpOutcomeForResult {
  readonly figures: NonNullable<CaseResult['http']>;
  readonly latency: LatencyHistogram;
  readonly errors: ErrorCounts;
  readonly overlap: OverlapSummary;
  readonly usage: readonly WorkerCaseUsage[];
}

/** The HTTP case: throughput is requests/s, latency is each request's as autocannon saw it. */
export function httpCase(spec: CaseSpec, t: CaseTiming, h: HttpOutcomeForResult, interrupted: boolean): CaseResult {
  return {
    ...base(spec, t),
    status: interrupted ? 'interrupted' : 'ok',
    cycles: h.figures.purchases,
    attempts: h.figures.requests,
    cyclesPerSec: h.figures.requestsPerSec,
    latency: { cycle: summaryOrUndefined(h.latency) },
    errors: h.errors,
    stalledClients: 0,
    overlap: h.overlap,
    floor: null,
    efficiency: { throughput: null, latency: null },
    workers: h.usage,
    http: h.figures,
    histograms: { cycle: encodeHistogram(h.latency) },
  };
}
