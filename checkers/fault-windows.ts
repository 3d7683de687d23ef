// Fault windows: when each fault was in force, from the nemesis ops in the history. Overlaps are
// reported with the faults active at the time, and availability is split inside/outside faults,
// so both need "which faults intersect [from, to]" — cheaply, for up to a million ops.
import type { Op } from '../core/history.ts';

/** One fault from its start to its heal, on the host monotonic clock. */
export interface FaultWindow {
  /** The fault name: `partition` for start-partition / stop-partition. */
  readonly fault: string;
  readonly startMs: number;
  /** The heal's completion, or the end of the history when the fault was never healed. */
  readonly endMs: number;
  /** False when no stop-<fault> op was seen: the window runs to the end of the history. */
  readonly healed: boolean;
  /** The start op's value (targets, grudge, offsets), if it had one. */
  readonly value?: unknown;
}

interface OpenWindow {
  readonly fault: string;
  readonly startMs: number;
  value: unknown;
}

/**
 * Builds fault windows from nemesis ops. A window opens at the first op (invoke or completion) of
 * start-X and closes at the last op of the following stop-X (its completion when recorded), so a
 * window covers the whole time the fault may have been in force. A start-X while X is already
 * open is folded into the open window. Nemesis ops that are not start-/stop- pairs (a single
 * clock bump, say) become zero-length windows at their first op.
 */
export function faultWindows(nemesisOps: readonly Op[], historyEndMs: number): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const open = new Map<string, OpenWindow>();
  let previous: Op | undefined;
  // Index of the window the previous op closed, so its stop op's completion can extend it.
  let closedByPrevious: number | undefined;
  for (const op of nemesisOps) {
    const { kind, fault } = parseNemesisF(op.f);
    // The completion of the op just before (nemesis ops are sequential too).
    const continuation = previous !== undefined && previous.type === 'invoke' && previous.f === op.f && op.type !== 'invoke';
    const extendable = continuation ? closedByPrevious : undefined;
    previous = op;
    closedByPrevious = undefined;
    if (kind === 'start') {
      const w = open.get(fault);
      if (!w) open.set(fault, { fault, startMs: op.timeMs, value: op.value });
      else if (continuation) w.value ??= op.value;
    } else if (kind === 'stop') {
      const w = open.get(fault);
      const done = extendable === undefined ? undefined : windows[extendable];
      if (w) {
        open.delete(fault);
        closedByPrevious = windows.length;
        windows.push(closed(w, op.timeMs, true));
      } else if (extendable !== undefined && done) {
        windows[extendable] = { ...done, endMs: Math.max(done.endMs, op.timeMs) };
      }
    } else if (!continuation) {
      windows.push(closed({ fault, startMs: op.timeMs, value: op.value }, op.timeMs, true));
    }
  }
  for (const w of open.values()) windows.push(closed(w, Math.max(historyEndMs, w.startMs), false));
  return windows.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

function closed(w: OpenWindow, endMs: number, healed: boolean): FaultWindow {
  const base = { fault: w.fault, startMs: w.startMs, endMs, healed };
  return w.value === undefined ? base : { ...base, value: w.value };
}

function parseNemesisF(f: string): { kind: 'start' | 'stop' | 'event'; fault: string } {
  if (f.startsWith('start-')) return { kind: 'start', fault: f.slice('start-'.length) };
  if (f.startsWith('stop-')) return { kind: 'stop', fault: f.slice('stop-'.length) };
  return { kind: 'event', fault: f };
}

/** Answers "which faults were active between from and to" for a fixed set of windows. */
export class FaultIndex {
  readonly windows: readonly FaultWindow[];
  // Union of all windows as sorted, disjoint [start, end] runs, for the yes/no question.
  private readonly unionStarts: number[] = [];
  private readonly unionEnds: number[] = [];

  constructor(windows: readonly FaultWindow[]) {
    this.windows = [...windows].sort((a, b) => a.startMs - b.startMs);
    for (const w of this.windows) {
      const last = this.unionEnds.length - 1;
      const lastEnd = this.unionEnds[last];
      if (lastEnd !== undefined && w.startMs <= lastEnd) {
        if (w.endMs > lastEnd) this.unionEnds[last] = w.endMs;
      } else {
        this.unionStarts.push(w.startMs);
        this.unionEnds.push(w.endMs);
      }
    }
  }

  /** True if any fault window intersects [fromMs, toMs] (bounds inclusive). */
  anyDuring(fromMs: number, toMs: number): boolean {
    // First union run whose end is >= fromMs; it intersects iff it starts by toMs.
    let lo = 0;
    let hi = this.unionEnds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.unionEnds[mid] ?? Infinity) < fromMs) lo = mid + 1;
      else hi = mid;
    }
    const start = this.unionStarts[lo];
    return start !== undefined && start <= toMs;
  }

  /** The windows intersecting [fromMs, toMs] (bounds inclusive), by start time. */
  during(fromMs: number, toMs: number): FaultWindow[] {
    const out: FaultWindow[] = [];
    for (const w of this.windows) {
      if (w.startMs > toMs) break;
      if (w.endMs >= fromMs) out.push(w);
    }
    return out;
  }
}
