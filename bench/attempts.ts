// What a benchmark records about each lock cycle, compactly enough to ship 100k cycles from a
// worker process over IPC: one row of numbers per acquire attempt. From these rows the main
// process rebuilds a Jepsen history (ops) and runs the overlap checker, so a benchmark that broke
// mutual exclusion says so.
import { checkOverlap } from '../checkers/overlap.ts';
import { prepareInput } from '../checkers/input.ts';
import type { Verdict } from '../checkers/verdict.ts';
import type { AuditEntry, Op } from '../core/history.ts';

/** How an acquire or release ended, as in the history: ok / fail / info (unknown). */
export const OUTCOME = { none: -1, ok: 0, fail: 1, info: 2 } as const;
export type OutcomeCode = (typeof OUTCOME)[keyof typeof OUTCOME];

/** Fields of one row, in order. Times are host monotonic ms. NaN = absent. */
export const ROW = {
  client: 0,
  acquireInvokeMs: 1,
  acquireDoneMs: 2,
  acquireOutcome: 3,
  validUntilMs: 4,
  releaseInvokeMs: 5,
  releaseDoneMs: 6,
  releaseOutcome: 7,
  /** Index into a key table, for clients that lock different keys (-1: the client's own key). */
  keyIndex: 8,
} as const;
export const ROW_WIDTH = 9;

/** Append-only rows, one per acquire attempt. */
export class AttemptLog {
  private data: Float64Array;
  private n = 0;

  constructor(capacityRows = 1024) {
    this.data = new Float64Array(capacityRows * ROW_WIDTH);
  }

  get rows(): number {
    return this.n;
  }

  /** Starts a row for an acquire; returns its index. */
  begin(client: number, acquireInvokeMs: number, keyIndex = -1): number {
    if ((this.n + 1) * ROW_WIDTH > this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const i = this.n++;
    const o = i * ROW_WIDTH;
    this.data.fill(Number.NaN, o, o + ROW_WIDTH);
    this.data[o + ROW.client] = client;
    this.data[o + ROW.acquireInvokeMs] = acquireInvokeMs;
    this.data[o + ROW.acquireOutcome] = OUTCOME.none;
    this.data[o + ROW.releaseOutcome] = OUTCOME.none;
    this.data[o + ROW.keyIndex] = keyIndex;
    return i;
  }

  acquired(row: number, doneMs: number, outcome: OutcomeCode, validUntilMs?: number): void {
    const o = row * ROW_WIDTH;
    this.data[o + ROW.acquireDoneMs] = doneMs;
    this.data[o + ROW.acquireOutcome] = outcome;
    if (validUntilMs !== undefined) this.data[o + ROW.validUntilMs] = validUntilMs;
  }

  releaseInvoked(row: number, invokeMs: number): void {
    this.data[row * ROW_WIDTH + ROW.releaseInvokeMs] = invokeMs;
  }

  released(row: number, doneMs: number, outcome: OutcomeCode): void {
    const o = row * ROW_WIDTH;
    this.data[o + ROW.releaseDoneMs] = doneMs;
    this.data[o + ROW.releaseOutcome] = outcome;
  }

  /** A copy holding exactly the rows written (what goes over IPC). */
  toArray(): Float64Array {
    return this.data.slice(0, this.n * ROW_WIDTH);
  }
}

export interface AttemptRow {
  readonly client: number;
  readonly acquireInvokeMs: number;
  readonly acquireDoneMs: number;
  readonly acquireOutcome: OutcomeCode;
  readonly validUntilMs: number;
  readonly releaseInvokeMs: number;
  readonly releaseDoneMs: number;
  readonly releaseOutcome: OutcomeCode;
  readonly keyIndex: number;
}

export function* rowsOf(data: Float64Array): Generator<AttemptRow> {
  for (let o = 0; o + ROW_WIDTH <= data.length; o += ROW_WIDTH) {
    yield {
      client: data[o + ROW.client] ?? Number.NaN,
      acquireInvokeMs: data[o + ROW.acquireInvokeMs] ?? Number.NaN,
      acquireDoneMs: data[o + ROW.acquireDoneMs] ?? Number.NaN,
      acquireOutcome: (data[o + ROW.acquireOutcome] ?? OUTCOME.none) as OutcomeCode,
      validUntilMs: data[o + ROW.validUntilMs] ?? Number.NaN,
      releaseInvokeMs: data[o + ROW.releaseInvokeMs] ?? Number.NaN,
      releaseDoneMs: data[o + ROW.releaseDoneMs] ?? Number.NaN,
      releaseOutcome: (data[o + ROW.releaseOutcome] ?? OUTCOME.none) as OutcomeCode,
      keyIndex: data[o + ROW.keyIndex] ?? -1,
    };
  }
}

const typeOf = (c: OutcomeCode): 'ok' | 'fail' | 'info' | undefined => (c === OUTCOME.ok ? 'ok' : c === OUTCOME.fail ? 'fail' : c === OUTCOME.info ? 'info' : undefined);

/**
 * Rebuilds the history of the rows: per client, acquire invoke + completion, then release invoke +
 * completion. Each client's rows are in its own time order (a client has one cycle in flight), which
 * is all the checkers need; clients are concatenated.
 */
export function attemptsToOps(parts: readonly Float64Array[], keyOf: (client: number, keyIndex: number) => string, ttlMs: number): Op[] {
  const byClient = new Map<number, AttemptRow[]>();
  for (const part of parts) {
    for (const r of rowsOf(part)) {
      let rows = byClient.get(r.client);
      if (!rows) byClient.set(r.client, (rows = []));
      rows.push(r);
    }
  }
  const ops: Op[] = [];
  for (const [client, rows] of byClient) {
    rows.sort((a, b) => a.acquireInvokeMs - b.acquireInvokeMs);
    for (const r of rows) {
      const key = keyOf(client, r.keyIndex);
      ops.push({ type: 'invoke', f: 'acquire', process: client, timeMs: r.acquireInvokeMs, key, value: { ttlMs } });
      const acqType = typeOf(r.acquireOutcome);
      // A row without a completion (the run was stopped mid-acquire) stays an open invoke: unknown.
      if (acqType === undefined || Number.isNaN(r.acquireDoneMs)) continue;
      const lease = acqType === 'ok' ? { lease: { owner: `c${client}`, ...(Number.isNaN(r.validUntilMs) ? {} : { validUntilMs: r.validUntilMs }) } } : {};
      ops.push({ type: acqType, f: 'acquire', process: client, timeMs: r.acquireDoneMs, key, ...lease });
      if (Number.isNaN(r.releaseInvokeMs)) continue;
      ops.push({ type: 'invoke', f: 'release', process: client, timeMs: r.releaseInvokeMs, key });
      const relType = typeOf(r.releaseOutcome);
      if (relType !== undefined && !Number.isNaN(r.releaseDoneMs)) ops.push({ type: relType, f: 'release', process: client, timeMs: r.releaseDoneMs, key });
    }
  }
  return ops;
}

/**
 * Clients whose acquires all stayed unanswered through [fromMs, toMs): nothing granted, refused or
 * failed in the window. A lock that livelocks under contention shows here, not in the error counts.
 */
export function stalledClients(parts: readonly Float64Array[], clientIds: readonly number[], fromMs: number, toMs: number): number {
  const active = new Set<number>();
  for (const part of parts) {
    for (const r of rowsOf(part)) if (r.acquireDoneMs >= fromMs && r.acquireDoneMs < toMs) active.add(r.client);
  }
  return clientIds.filter((id) => !active.has(id)).length;
}

export interface OverlapSummary {
  readonly verdict: Verdict;
  /** Overlaps between two definite holds: mutual exclusion was violated. */
  readonly definitePairs: number;
  /** Overlaps involving an acquire whose outcome is unknown. */
  readonly possiblePairs: number;
  readonly holds: number;
  readonly maxOverlapMs: number;
  readonly summary: string;
}

/** The overlap checker over a case's history (and the resource's audit log, when there is one). */
export function overlapOf(ops: readonly Op[], audit?: readonly AuditEntry[]): OverlapSummary {
  const r = checkOverlap(prepareInput(ops, audit), { maxReportedPairs: 10 });
  const views = [r.views.believed, r.views.cut, r.views.resource];
  return {
    verdict: r.verdict,
    definitePairs: Math.max(...views.map((v) => v.definitePairs)),
    possiblePairs: Math.max(...views.map((v) => v.possiblePairs)),
    holds: r.views.believed.holds,
    maxOverlapMs: Math.round(Math.max(...views.map((v) => v.maxOverlapMs)) * 1000) / 1000,
    summary: r.summary,
  };
}
