// Turns what the workers measured into a case's entry in bench.json: merged-histogram percentiles,
// the overlap checker's verdict over the recorded attempts, fairness, the floor and efficiency.
import { summaryMs } from './latency-summary.ts';
import { encodeHistogram, type LatencyHistogram, type LatencySummaryMs } from '../core/stats.ts';
import { attemptsToOps, overlapOf, stalledClients, type OverlapSummary } from './attempts.ts';
import { noErrors, type ErrorCounts } from './cycle-loop.ts';
import { caseFloor, efficiency, type FloorFigures } from './efficiency.ts';
import type { CaseFloor } from './results.ts';
import type { LoopOutcome } from './drive.ts';
import { fairnessOf } from './fairness.ts';
import { keysLabel, type CaseKind, type CaseSpec, type FairnessCase, type HttpCase, type KeySpec, type MicroCase, type OpenCase, type SweepCase } from './plan.ts';
import type { CaseMode, CaseResult, CaseResultOf, HttpCaseResult, HttpFigures, MicroCaseResult, OpenCaseResult, FairnessCaseResult, SweepCaseResult, TinybenchFigures, WorkerCaseUsage } from './results.ts';

export interface CaseTiming {
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly ttlMs: number;
  readonly jitterMs: number;
}

const keysOf = (spec: CaseSpec): KeySpec => ('keys' in spec ? spec.keys : 1);
const summaryOrUndefined = (h: LatencyHistogram): LatencySummaryMs | undefined => (h.totalCount > 0 ? summaryMs(h) : undefined);

/** How each kind of case measures (bench.json's `mode`). */
const MODES = { micro: 'tinybench', sweep: 'closed', open: 'open', fairness: 'closed', http: 'http', held: 'closed', waiters: 'closed' } as const satisfies Record<CaseKind, CaseMode>;

type HeadKey = 'id' | 'kind' | 'lock' | 'clients' | 'keys' | 'latencyMs' | 'jitterMs' | 'mode' | 'holdMs' | 'durationMs' | 'warmupMs';
/** The leading fields of a case of kind K (distributes over a union of kinds). */
type HeadOf<K extends CaseKind> = K extends CaseKind ? Pick<CaseResultOf<K>, HeadKey> : never;

function head<K extends CaseKind>(spec: CaseSpec & { readonly kind: K }, t: CaseTiming): HeadOf<K> {
  const s: CaseSpec = spec;
  const h = {
    id: spec.id,
    kind: spec.kind,
    lock: spec.lock,
    clients: spec.clients,
    keys: keysLabel(keysOf(spec)),
    latencyMs: spec.latencyMs,
    jitterMs: t.jitterMs,
    mode: MODES[spec.kind],
    holdMs: s.kind === 'fairness' || s.kind === 'waiters' ? s.holdMs : 0,
    durationMs: t.durationMs,
    warmupMs: t.warmupMs,
  };
  // kind and mode come from the same MODES entry; TypeScript cannot follow that through K.
  return h as unknown as HeadOf<K>;
}

/** A case that could not run (or was cut short by Ctrl-C before it measured anything). */
export function failedCase(spec: CaseSpec, t: CaseTiming, status: 'failed' | 'interrupted', error: string): CaseResult {
  return {
    ...head(spec, t),
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
    path: spec.via,
    histograms: {},
  };
}

type LoopSpec = SweepCase | OpenCase | FairnessCase;

/**
 * The floor of a case from the run's figures on its path (under its injected latency); null for
 * kinds judged otherwise (open loop: against the offered rate; HTTP: no floor).
 */
export function floorOf(spec: CaseSpec, figures: FloorFigures): CaseFloor | null {
  switch (spec.kind) {
    case 'micro':
      return caseFloor(spec.lock, figures, 1, 1, false);
    case 'sweep':
    case 'held':
      return caseFloor(spec.lock, figures, spec.clients, spec.keys, spec.latencyMs > 0);
    case 'fairness':
    case 'waiters':
      return caseFloor(spec.lock, figures, spec.clients, 1, spec.latencyMs > 0, spec.holdMs);
    default:
      return null;
  }
}

/** The case judged against other figures (the run's final floor): its floor and efficiency redone. */
export function refloored(spec: CaseSpec, r: CaseResult, figures: FloorFigures): CaseResult {
  if (r.status === 'failed' || r.id !== spec.id) return r;
  const floor = floorOf(spec, figures);
  if (floor === null) return r;
  // One key shared by several clients: the cycle latency is mostly the wait, not comparable with a floor.
  const p50 = spec.kind === 'fairness' || spec.kind === 'waiters' ? undefined : r.latency.cycle?.p50;
  return { ...r, floor, efficiency: efficiency(floor, r.cyclesPerSec, p50) };
}

/** Efficiency above this means the floor did not bound the case: a floor error, not a fast lock. */
export const FLOOR_ERROR_EFFICIENCY = 1.05;

/** Why a case beat its floor, or undefined when the floor bounded it. */
export function floorError(r: CaseResult): string | undefined {
  const e = r.efficiency;
  const over: string[] = [];
  if (e.throughput !== null && e.throughput > FLOOR_ERROR_EFFICIENCY) over.push(`throughput efficiency ${e.throughput} (${r.cyclesPerSec}/s against a floor of ${r.floor?.cyclesPerSec ?? '?'}/s)`);
  if (e.latency !== null && e.latency > FLOOR_ERROR_EFFICIENCY) over.push(`latency efficiency ${e.latency} (p50 ${r.latency.cycle?.p50 ?? '?'} ms against a floor of ${r.floor?.latencyMs ?? '?'} ms)`);
  return over.length > 0 ? `${r.id}: ${over.join('; ')}` : undefined;
}

/** A closed- or open-loop case; the kind's own figures are the caller's (suite.ts adds them). */
export function loopCase(spec: SweepCase, timing: CaseTiming, out: LoopOutcome, figures: FloorFigures | undefined, interrupted: boolean): SweepCaseResult;
export function loopCase(spec: OpenCase, timing: CaseTiming, out: LoopOutcome, figures: FloorFigures | undefined, interrupted: boolean): OpenCaseResult;
export function loopCase(spec: FairnessCase, timing: CaseTiming, out: LoopOutcome, figures: FloorFigures | undefined, interrupted: boolean): FairnessCaseResult;
export function loopCase(spec: LoopSpec, timing: CaseTiming, out: LoopOutcome, figures: FloorFigures | undefined, interrupted: boolean): CaseResultOf<LoopSpec['kind']>;
export function loopCase(spec: LoopSpec, timing: CaseTiming, out: LoopOutcome, figures: FloorFigures | undefined, interrupted: boolean): CaseResultOf<LoopSpec['kind']> {
  // An interrupted case ran only part of its window: rates are over what ran.
  const t = interrupted && out.measuredMs > 0 ? { ...timing, durationMs: Math.round(out.measuredMs) } : timing;
  const cyclesPerSec = t.durationMs > 0 ? Math.round((out.cycles * 1000) / t.durationMs) : 0;
  const h = out.histograms;
  const ops = attemptsToOps(out.logs, (client) => out.keyOf(client), t.ttlMs);
  const overlap = overlapOf(ops);
  const cycle = summaryOrUndefined(h.cycle);
  const floor = figures ? floorOf(spec, figures) : null;
  const clientIds = Array.from({ length: spec.clients }, (_, i) => i);
  const oneKey = keysOf(spec) === 1 && spec.clients > 1;
  const measured = {
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
    path: spec.via,
  } as const;
  const fairness = oneKey || spec.kind === 'fairness' ? { fairness: fairnessOf(out.logs, clientIds, out.measureStartMs) } : {};
  const histograms = { acquire: encodeHistogram(h.acquire), wait: encodeHistogram(h.wait), cycle: encodeHistogram(h.cycle), service: encodeHistogram(h.service) };
  return { ...head(spec, t), ...measured, ...fairness, histograms };
}

export interface MicroOutcome {
  readonly cycles: number;
  readonly elapsedMs: number;
  readonly errors: ErrorCounts;
  readonly histogram: LatencyHistogram;
  readonly log: Float64Array;
  readonly key: string;
  readonly usage: WorkerCaseUsage;
  readonly tinybench: TinybenchFigures;
}

export function microCase(spec: MicroCase, t: CaseTiming, m: MicroOutcome, figures: FloorFigures | undefined): MicroCaseResult {
  const cycle = summaryOrUndefined(m.histogram);
  const cyclesPerSec = m.elapsedMs > 0 ? Math.round((m.cycles * 1000) / m.elapsedMs) : 0;
  const floor = figures ? floorOf(spec, figures) : null;
  const overlap: OverlapSummary = overlapOf(attemptsToOps([m.log], () => m.key, t.ttlMs));
  return {
    ...head(spec, { ...t, durationMs: Math.round(m.elapsedMs) }),
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
    path: spec.via,
    tinybench: m.tinybench,
    histograms: { cycle: encodeHistogram(m.histogram) },
  };
}

export interface HttpOutcomeForResult {
  readonly figures: HttpFigures;
  readonly latency: LatencyHistogram;
  readonly errors: ErrorCounts;
  readonly overlap: OverlapSummary;
  readonly usage: readonly WorkerCaseUsage[];
}

/** The HTTP case: throughput is requests/s, latency is each request's as autocannon saw it. */
export function httpCase(spec: HttpCase, t: CaseTiming, h: HttpOutcomeForResult, interrupted: boolean): HttpCaseResult {
  return {
    ...head(spec, t),
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
    path: spec.via,
    http: h.figures,
    histograms: { cycle: encodeHistogram(h.latency) },
  };
}
