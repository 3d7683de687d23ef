// Builders for hand-written histories and audit logs, a seeded PRNG, and the brute-force overlap
// reference the sweep is compared against.
import type { AuditEntry, AuditEvent, LeaseRecord, Op, OpType } from '../../../core/history.ts';
import type { Hold } from '../../../checkers/intervals.ts';
import { seededRandom } from '../../../core/rng.ts';

type Extra = Partial<Pick<Op, 'key' | 'value' | 'lease' | 'error'>>;

export function op(type: OpType, process: number, f: string, timeMs: number, extra: Extra = {}): Op {
  return { type, f, process, timeMs, ...extra };
}
export const invoke = (process: number, f: string, timeMs: number, extra: Extra = {}): Op => op('invoke', process, f, timeMs, extra);
export const ok = (process: number, f: string, timeMs: number, extra: Extra = {}): Op => op('ok', process, f, timeMs, extra);
export const fail = (process: number, f: string, timeMs: number, extra: Extra = {}): Op => op('fail', process, f, timeMs, extra);
export const info = (process: number, f: string, timeMs: number, extra: Extra = {}): Op => op('info', process, f, timeMs, extra);

/** A nemesis op, Jepsen style (type info). */
export function nemesis(f: string, timeMs: number, value?: unknown): Op {
  return value === undefined ? { type: 'info', f, process: 'nemesis', timeMs } : { type: 'info', f, process: 'nemesis', timeMs, value };
}

export interface HoldSpec {
  /** Acquire invoke; defaults to okMs - 1. */
  readonly invokeMs?: number;
  readonly okMs: number;
  /** Release invoke; omit for a hold that is never released. */
  readonly releaseMs?: number;
  readonly validUntilMs?: number;
  readonly token?: string;
}

/** A successful acquire on `key` and, if releaseMs is given, its release (completing 1 ms later). */
export function hold(process: number, key: string, spec: HoldSpec): Op[] {
  const lease: LeaseRecord = {
    owner: `owner-${process}-${spec.okMs}`,
    ...(spec.validUntilMs === undefined ? {} : { validUntilMs: spec.validUntilMs }),
    ...(spec.token === undefined ? {} : { token: spec.token }),
  };
  const ops = [invoke(process, 'acquire', spec.invokeMs ?? spec.okMs - 1, { key }), ok(process, 'acquire', spec.okMs, { key, lease })];
  if (spec.releaseMs !== undefined) ops.push(invoke(process, 'release', spec.releaseMs, { key }), ok(process, 'release', spec.releaseMs + 1, { key }));
  return ops;
}

/** Merges op lists into one history ordered by time (stable, so per-process order is kept). */
export function history(...parts: Op[][]): Op[] {
  return parts.flat().sort((a, b) => a.timeMs - b.timeMs);
}

export function audit(event: AuditEvent, client: number, key: string, timeMs: number, extra: Partial<Pick<AuditEntry, 'token' | 'value' | 'reason'>> = {}): AuditEntry {
  return { timeMs, event, key, client, ...extra };
}

/** One critical section at the resource: enter, read v, write v+1, exit. */
export function section(client: number, key: string, enterMs: number, exitMs: number, read: number, token?: string): AuditEntry[] {
  const t = token === undefined ? {} : { token };
  return [
    audit('enter', client, key, enterMs, t),
    audit('read', client, key, enterMs + (exitMs - enterMs) / 3, { ...t, value: read }),
    audit('write', client, key, enterMs + (2 * (exitMs - enterMs)) / 3, { ...t, value: read + 1 }),
    audit('exit', client, key, exitMs, t),
  ];
}

/** An acknowledged (or fail / info) increment in the history. */
export function incr(process: number, key: string, invokeMs: number, completeMs: number, type: 'ok' | 'fail' | 'info', read?: number): Op[] {
  const value = type === 'ok' && read !== undefined ? { read, wrote: read + 1 } : undefined;
  return [invoke(process, 'incr', invokeMs, { key }), op(type, process, 'incr', completeMs, value === undefined ? { key } : { key, value })];
}

/** A seeded PRNG, floats in [0, 1): the project's own. */
export const mulberry32 = seededRandom;

/** Reference overlap check: every pair, same key, different process, max(start) < min(end). */
export function bruteForcePairs(holds: readonly Hold[]): [Hold, Hold][] {
  const out: [Hold, Hold][] = [];
  for (let i = 0; i < holds.length; i++) {
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i];
      const b = holds[j];
      if (!a || !b || a.key !== b.key || a.process === b.process) continue;
      if (Math.max(a.startMs, b.startMs) < Math.min(a.endMs, b.endMs)) out.push([a, b]);
    }
  }
  return out;
}
