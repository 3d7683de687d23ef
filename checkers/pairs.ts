// Pairs each client invoke with its completion. A process has at most one outstanding op, so the
// completion of an invoke is simply the next completion of the same process. Several checkers
// need this, and doing it once keeps their rules for broken histories identical.
import { CRASH_F, type Op } from '../core/history.ts';

/** The key used for ops that carry none (single-key workloads may omit it). */
export const DEFAULT_KEY = 'default';

/** One client op: its invoke and, unless the history ended first, its completion. */
export interface OpPair {
  readonly process: number;
  readonly f: string;
  readonly key: string;
  readonly invoke: Op;
  /** Absent when the history ended (or the process invoked again) before a completion. */
  readonly completion?: Op;
}

export interface PairedHistory {
  /** Client op pairs in invoke order. */
  readonly pairs: OpPair[];
  /** Nemesis ops, in history order. */
  readonly nemesis: Op[];
  /** Completions with no outstanding invoke, and invokes superseded by another invoke. */
  readonly malformed: number;
  /**
   * Per process, when it died (its `crash` line, core/history.ts): the op it had outstanding is
   * completed `info` there, and whatever it held ends there (intervals.ts, resource-view.ts).
   */
  readonly crashes: ReadonlyMap<number, number>;
  /** Largest timeMs in the whole history (client and nemesis ops); 0 when empty. */
  readonly endMs: number;
}

export function keyOf(invoke: Op, completion?: Op): string {
  return invoke.key ?? completion?.key ?? DEFAULT_KEY;
}

/** Pairs invokes with completions per process; history order within a process is trusted. */
export function pairOps(history: readonly Op[]): PairedHistory {
  const pairs: OpPair[] = [];
  const nemesis: Op[] = [];
  // Index into `pairs` of each process's outstanding invoke.
  const outstanding = new Map<number, number>();
  const crashes = new Map<number, number>();
  let malformed = 0;
  let endMs = 0;
  for (const op of history) {
    if (op.timeMs > endMs) endMs = op.timeMs;
    if (op.process === 'nemesis') {
      nemesis.push(op);
      continue;
    }
    const process = op.process;
    if (op.f === CRASH_F) {
      if (!crashes.has(process)) crashes.set(process, op.timeMs);
      const index = outstanding.get(process);
      outstanding.delete(process);
      const pending = index === undefined ? undefined : pairs[index];
      if (index !== undefined && pending !== undefined) {
        const completion: Op = { type: 'info', f: pending.f, process, timeMs: op.timeMs, ...(pending.invoke.key === undefined ? {} : { key: pending.invoke.key }), error: 'crashed' };
        pairs[index] = { process, f: pending.f, key: pending.key, invoke: pending.invoke, completion };
      }
      continue;
    }
    if (op.type === 'invoke') {
      // A second invoke means the first never completed; it stays in `pairs` without completion.
      if (outstanding.has(process)) malformed += 1;
      outstanding.set(process, pairs.length);
      pairs.push({ process, f: op.f, key: keyOf(op), invoke: op });
      continue;
    }
    const index = outstanding.get(process);
    if (index === undefined) {
      malformed += 1;
      continue;
    }
    outstanding.delete(process);
    const pending = pairs[index];
    if (pending === undefined) continue;
    // A new object rather than adding `completion` to the old one: one shape, built in one step,
    // is markedly faster over a million ops than a property added to half a million objects.
    pairs[index] = { process: pending.process, f: pending.f, key: keyOf(pending.invoke, op), invoke: pending.invoke, completion: op };
  }
  return { pairs, nemesis, malformed, crashes, endMs };
}
