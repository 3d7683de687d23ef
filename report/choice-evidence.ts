// What the "which one should you use?" lines may rest on: per lock, the measured figures of the
// evidence table's cells (throughput, latency, ordering, set-up cost, the verdicts under each
// fault, fencing), each kept with the very cell it came from, so a line can show and link the
// cells it cites and never a figure the table does not. evidence.ts fills these in as it builds
// the cells; tests write them by hand.
import type { Cell } from './tables.ts';

/** One cell of the evidence table, as a line cites it. */
export interface Cited {
  /** The table's "what" column, e.g. "under crash". */
  readonly row: string;
  readonly lock: string;
  readonly cell: Cell;
}

/** The default scenario of one fault for one lock: the verdicts of its finished runs. */
export interface FaultFact {
  readonly fault: string;
  /** Finished runs (a run stopped early counts nowhere). */
  readonly completed: number;
  readonly invalid: number;
  readonly unknown: number;
  /** Finished runs whose result disagrees with what the literature expects (⚠). */
  readonly disagreements: number;
  readonly cite: Cited;
}

export interface LockFacts {
  readonly lock: string;
  /** One per fault with a default-scenario cell, 'none' (no faults) among them. */
  readonly faults: FaultFact[];
  /** Cycles per second with a key per client, at the bench's focus concurrency. */
  throughput?: { readonly perSec: number; readonly clients: number; readonly cite: Cited };
  /** Cycle latency p50 with one client and no contention. */
  latencyP50?: { readonly ms: number; readonly cite: Cited };
  /** All clients on one key. */
  fairness?: { readonly inOrderFraction: number; readonly jainIndex: number; readonly grants: number; readonly cite: Cited };
  setup?: { readonly nodesToSurviveOneFailure: number | null; readonly containers: number; readonly memoryBytesAtRest: number | null; readonly readyMs: number | null; readonly cite: Cited };
  /** Overlap checks over the bench's cases (no faults). */
  benchOverlap?: { readonly cases: number; readonly overlapped: number; readonly cite: Cited };
  /** Tokens the resource saw, from a --fencing run. */
  fencingTokens?: { readonly tokenedWrites: number; readonly violations: number; readonly cite: Cited };
  /** A --fencing run under a fault: whether the resource still lost updates. */
  fenced?: { readonly fault: string; readonly lost: number | undefined; readonly rejections: number | undefined; readonly cite: Cited };
}

/** Empty facts for every lock of the table, in its column order. */
export function emptyFacts(locks: readonly string[]): Map<string, LockFacts> {
  return new Map(locks.map((lock) => [lock, { lock, faults: [] }]));
}

/** The facts of `lock`; a lock outside the table gets a fresh entry rather than an error. */
export function factsOf(book: Map<string, LockFacts>, lock: string): LockFacts {
  let f = book.get(lock);
  if (!f) {
    f = { lock, faults: [] };
    book.set(lock, f);
  }
  return f;
}

/** The cell in `lock`'s column of a row of the table (rows hold one cell per lock, in `locks` order). */
export function citeIn(row: readonly [area: string, aspect: string, cells: readonly Cell[]], locks: readonly string[], lock: string): Cited | undefined {
  const cell = row[2][locks.indexOf(lock)];
  return cell ? { row: row[1], lock, cell } : undefined;
}
