// What the chaos charts and tables show, derived once from a stored run: hold intervals per key
// (what clients believed, from the history), overlapping spans from every checker view, fault
// windows, and acquire latencies — all as seconds since the run started, since monotonic
// timestamps mean nothing to a reader.
import type { RunCheckResult } from '../checkers/check-run.ts';
import { runCheckers, witnessesOf } from '../checkers/check-run.ts';
import type { TimelineMarks } from '../chaos/faults/fault.ts';
import type { FaultWindow } from '../checkers/fault-windows.ts';
import { prepareInput } from '../checkers/input.ts';
import { historyHolds } from '../checkers/intervals.ts';
import type { Hold } from '../checkers/intervals.ts';
import { checkOverlap } from '../checkers/overlap.ts';
import type { OverlapPair } from '../checkers/overlap.ts';
import type { ChaosRun } from './load-run.ts';

/** Holds drawn per key at most; beyond it the timeline shows a window around what matters. */
export const MAX_HOLDS_PER_KEY = 400;
/** Keys given a timeline at most (keys with overlaps first). */
export const MAX_TIMELINE_KEYS = 4;
/** Acquire points drawn at most; failures and unknown outcomes are always kept. */
export const MAX_ACQUIRE_POINTS = 5000;

export const HOLD_STATES = ['exclusive hold', 'overlapping hold (violation)', 'possible hold (outcome unknown)'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export interface HoldRow {
  readonly client: string;
  readonly process: number;
  readonly startS: number;
  readonly endS: number;
  readonly state: HoldState;
  readonly token: string;
  readonly endReason: string;
}

export interface SpanRow {
  readonly startS: number;
  readonly endS: number;
}

export interface FaultBand {
  readonly fault: string;
  /** The fault name, with "(construction)" for the background partition of Redlock constructions. */
  readonly label: string;
  readonly startS: number;
  readonly endS: number;
  readonly healed: boolean;
  /** Instants inside the window the fault recorded (chaos/faults/fault.ts TimelineMarks), e.g. a promotion. */
  readonly moments: readonly { readonly atS: number; readonly label: string }[];
}

export interface KeyTimeline {
  readonly key: string;
  readonly holds: readonly HoldRow[];
  /** Spans where two holders overlapped definitely (any view), merged. */
  readonly overlaps: readonly SpanRow[];
  readonly totalHolds: number;
  /** The plotted time range; the whole run unless capped. */
  readonly fromS: number;
  readonly toS: number;
  /** Why only part of the run is drawn, for the subtitle; undefined when all of it is. */
  readonly capNote: string | undefined;
  /** The smallest window that proves this key invalid, and the ops in it; undefined when valid. */
  readonly witness: WitnessBand | undefined;
}

export interface WitnessBand {
  readonly view: string;
  readonly startS: number;
  readonly endS: number;
  /** The proving ops, one line each, as seconds since the run started. */
  readonly events: readonly string[];
}

export interface AcquirePoint {
  readonly timeS: number;
  readonly latencyMs: number;
  readonly outcome: 'ok' | 'fail' | 'info';
  readonly process: number;
  readonly key: string;
  readonly error: string;
}

export interface ChaosModel {
  readonly runId: string;
  readonly lock: string;
  readonly fault: string;
  readonly verdict: string;
  readonly t0Ms: number;
  readonly durationS: number;
  readonly check: RunCheckResult;
  readonly faults: readonly FaultBand[];
  readonly timelines: readonly KeyTimeline[];
  /** Keys that had holds but got no timeline (beyond MAX_TIMELINE_KEYS). */
  readonly omittedKeys: readonly string[];
  readonly acquires: readonly AcquirePoint[];
  readonly acquireTotal: number;
  /** Every definite overlap pair the checkers found (all views), for the table. */
  readonly pairs: readonly OverlapPair[];
  /** Which side of a split each client was on, where a fault recorded it (TimelineMarks), by client id. */
  readonly clientSides: Readonly<Record<string, string>>;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function optionString(run: ChaosRun, name: string): string | undefined {
  const fromResult = run.result?.options as Readonly<Record<string, unknown>> | undefined;
  const v = fromResult?.[name] ?? run.manifest?.options?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** Merges overlapping spans, so a burst of pairs draws as one band. */
export function mergeSpans(spans: readonly SpanRow[]): SpanRow[] {
  const sorted = [...spans].sort((a, b) => a.startS - b.startS);
  const out: { startS: number; endS: number }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.startS <= last.endS) last.endS = Math.max(last.endS, s.endS);
    else out.push({ ...s });
  }
  return out;
}

/**
 * Picks the holds to draw for one key. Under the cap, all of them; over it, a window of about
 * MAX_HOLDS_PER_KEY holds starting a little before the first overlap (or the first fault, or the
 * run's start), plus any longer hold reaching into that window.
 */
export function capHolds(holds: readonly Hold[], anchorMs: number | undefined, anchorWhat: string): { holds: Hold[]; fromMs: number; toMs: number; note: string | undefined } {
  const sorted = [...holds].sort((a, b) => a.startMs - b.startMs);
  const first = sorted[0];
  const endAll = sorted.reduce((m, h) => Math.max(m, h.endMs), -Infinity);
  if (!first) return { holds: [], fromMs: 0, toMs: 0, note: undefined };
  if (sorted.length <= MAX_HOLDS_PER_KEY) return { holds: sorted, fromMs: first.startMs, toMs: endAll, note: undefined };
  let at = 0;
  if (anchorMs !== undefined) {
    at = sorted.findIndex((h) => h.endMs >= anchorMs);
    if (at < 0) at = sorted.length - 1;
  }
  const startIdx = Math.max(0, Math.min(at - Math.floor(MAX_HOLDS_PER_KEY / 4), sorted.length - MAX_HOLDS_PER_KEY));
  const endIdx = startIdx + MAX_HOLDS_PER_KEY;
  const fromMs = sorted[startIdx]?.startMs ?? first.startMs;
  const toMs = sorted[endIdx]?.startMs ?? endAll;
  const shown = sorted.filter((h) => h.startMs < toMs && h.endMs > fromMs);
  return { holds: shown, fromMs, toMs, note: `${shown.length} of ${sorted.length} holds, ${anchorWhat}` };
}

export function chaosModel(run: ChaosRun): ChaosModel {
  const input = prepareInput(run.history, run.audit);
  // A run killed before results.json: judged as `check` judges it, by its manifest's fencing option.
  const fencing = run.manifest?.options?.['fencing'];
  const check = run.result?.check ?? runCheckers(run.history, run.audit, typeof fencing === 'boolean' ? { fencing } : {});
  const firstOpMs = run.history.reduce((m, op) => Math.min(m, op.timeMs), Infinity);
  const t0Ms = run.result?.phases['warm-up']?.startMs ?? (Number.isFinite(firstOpMs) ? firstOpMs : 0);
  const s = (ms: number): number => r3((ms - t0Ms) / 1000);
  const endMs = input.paired.endMs;

  const construction = new Map<number, boolean>((run.result?.faults ?? []).map((f) => [f.id, f.construction]));
  const windowId = (w: FaultWindow): number | undefined => {
    const v = w.value as { id?: unknown } | undefined;
    return typeof v?.id === 'number' ? v.id : undefined;
  };
  // What each fault recorded once applied (its targets), by step id: the timeline marks live there.
  const targetsById = new Map<number, TimelineMarks>((run.result?.faults ?? []).map((f) => [f.id, f.targets as TimelineMarks]));
  const faults: FaultBand[] = input.faults.windows.map((w) => {
    const id = windowId(w);
    const isConstruction = id !== undefined && construction.get(id) === true;
    const marks = (id === undefined ? undefined : targetsById.get(id)) ?? {};
    const recorded: readonly unknown[] = Array.isArray(marks.moments) ? (marks.moments as readonly unknown[]) : [];
    const moments = recorded.flatMap((x) => {
      const mo = x as { atMs?: unknown; label?: unknown };
      return typeof mo.atMs === 'number' && typeof mo.label === 'string' ? [{ atS: s(mo.atMs), label: mo.label }] : [];
    });
    return { fault: w.fault, label: isConstruction ? `${w.fault} (construction)` : w.fault, startS: s(w.startMs), endS: s(Math.max(w.endMs, w.startMs)), healed: w.healed, moments };
  });
  const clientSides: Record<string, string> = {};
  for (const marks of targetsById.values()) {
    const sides = marks.clientSides;
    if (sides && typeof sides === 'object') for (const [c, side] of Object.entries(sides)) if (typeof side === 'string') clientSides[c] = side;
  }

  // Large cap: the timeline marks every overlapping hold, not just the first few reported.
  const overlap = checkOverlap(input, { maxReportedPairs: 100_000 });
  const pairs = [overlap.views.believed, overlap.views.cut, overlap.views.resource].flatMap((v) => v.pairs).filter((p) => p.definite);
  const { believed } = historyHolds(input.paired.pairs, endMs, undefined, input.paired.crashes);
  const witnessByKey = new Map(witnessesOf(overlap).map((w) => [w.key, w]));

  const byKey = new Map<string, Hold[]>();
  for (const h of believed) {
    let list = byKey.get(h.key);
    if (!list) byKey.set(h.key, (list = []));
    list.push(h);
  }
  const pairsByKey = new Map<string, OverlapPair[]>();
  for (const p of pairs) {
    let list = pairsByKey.get(p.key);
    if (!list) pairsByKey.set(p.key, (list = []));
    list.push(p);
  }
  const keyOrder = [...byKey.keys()].sort((a, b) => (pairsByKey.get(b)?.length ?? 0) - (pairsByKey.get(a)?.length ?? 0) || a.localeCompare(b, undefined, { numeric: true }));
  const shownKeys = keyOrder.slice(0, MAX_TIMELINE_KEYS);
  const firstFaultMs = input.faults.windows[0]?.startMs;

  const timelines: KeyTimeline[] = shownKeys.map((key) => {
    const holds = byKey.get(key) ?? [];
    const keyPairs = pairsByKey.get(key) ?? [];
    const w = witnessByKey.get(key);
    const firstOverlapMs = keyPairs.reduce((m, p) => Math.min(m, p.fromMs), Infinity);
    const anchor = w !== undefined ? { ms: w.fromMs, what: 'around the smallest window proving the violation' } : Number.isFinite(firstOverlapMs) ? { ms: firstOverlapMs, what: 'around the first overlap' } : firstFaultMs !== undefined ? { ms: firstFaultMs, what: 'from the first fault' } : { ms: undefined, what: 'from the start' };
    const capped = capHolds(holds, anchor.ms, anchor.what);
    const rows: HoldRow[] = capped.holds.map((h) => {
      const violating = h.definite && keyPairs.some((p) => (p.a.process === h.process || p.b.process === h.process) && p.fromMs < h.endMs && p.toMs > h.startMs);
      return {
        client: `client ${h.process}`,
        process: h.process,
        startS: s(h.startMs),
        endS: s(h.endMs),
        state: !h.definite ? 'possible hold (outcome unknown)' : violating ? 'overlapping hold (violation)' : 'exclusive hold',
        token: h.token ?? '',
        endReason: h.endReason,
      };
    });
    const overlaps = mergeSpans(keyPairs.map((p) => ({ startS: s(p.fromMs), endS: s(p.toMs) })));
    const witness: WitnessBand | undefined =
      w === undefined ? undefined : { view: w.view, startS: s(w.fromMs), endS: s(w.toMs), events: w.events.map((e) => `${s(e.atMs).toFixed(3)} s client ${e.process}: ${e.what}`) };
    return { key, holds: rows, overlaps, totalHolds: holds.length, fromS: s(capped.fromMs), toS: s(capped.toMs), capNote: capped.note, witness };
  });

  const acquiresAll: AcquirePoint[] = [];
  for (const p of input.paired.pairs) {
    const c = p.completion;
    if (p.f !== 'acquire' || c === undefined || c.type === 'invoke') continue;
    acquiresAll.push({ timeS: s(p.invoke.timeMs), latencyMs: r3(Math.max(c.timeMs - p.invoke.timeMs, 0.001)), outcome: c.type, process: p.process, key: p.key, error: c.error ?? '' });
  }
  let acquires = acquiresAll;
  if (acquiresAll.length > MAX_ACQUIRE_POINTS) {
    // Keep every failure and unknown; thin the successes evenly.
    const notOk = acquiresAll.filter((a) => a.outcome !== 'ok');
    const ok = acquiresAll.filter((a) => a.outcome === 'ok');
    const room = Math.max(MAX_ACQUIRE_POINTS - notOk.length, 0);
    const step = ok.length / Math.max(room, 1);
    const thinned = room === 0 ? [] : Array.from({ length: Math.min(room, ok.length) }, (_, i) => ok[Math.floor(i * step)]).filter((a): a is AcquirePoint => a !== undefined);
    acquires = [...notOk, ...thinned].sort((a, b) => a.timeS - b.timeS);
  }

  return {
    runId: run.result?.runId ?? run.manifest?.runId ?? run.id,
    lock: optionString(run, 'lock') ?? 'unknown lock',
    fault: optionString(run, 'fault') ?? 'unknown fault',
    verdict: check.verdict,
    t0Ms,
    durationS: s(endMs),
    check,
    faults,
    timelines,
    omittedKeys: keyOrder.slice(MAX_TIMELINE_KEYS),
    acquires,
    acquireTotal: acquiresAll.length,
    pairs,
    clientSides,
  };
}
