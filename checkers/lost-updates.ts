// Lost updates: the mutex workload increments a counter per key inside the critical section
// (read v, write v+1). If mutual exclusion held, the resource's final value per key lies between
// the acknowledged increments and the acknowledged-or-uncertain ones. The audit log also shows
// directly where a write did not build on the previous accepted write.
import type { AuditEntry } from '../core/history.ts';
import type { CheckInput } from './input.ts';
import type { CheckerResult, Verdict } from './verdict.ts';

export interface KeyUpdates {
  readonly key: string;
  /** incr ops that completed ok: must all be in the final value. */
  readonly ok: number;
  /** incr ops that completed info, or never completed: may or may not have landed. */
  readonly uncertain: number;
  /** incr ops that completed fail: definitely not applied. */
  readonly fail: number;
  /** Accepted writes in the audit log. */
  readonly writes: number;
  /** The last accepted write's value, or the initial value if none. */
  readonly finalValue: number;
  /** Acknowledged increments missing from the final value. */
  readonly lost: number;
  /** Increments in the final value that no ok or uncertain incr explains. */
  readonly unexplained: number;
  /** Writes that did not equal the previous accepted value + 1. */
  readonly brokenChains: number;
}

/** A write that did not build on the previous accepted write: another writer's update was lost. */
export interface BrokenChain {
  readonly key: string;
  readonly timeMs: number;
  readonly client: number;
  readonly wrote: number;
  /** The previous accepted value + 1. */
  readonly expected: number;
}

export interface LostUpdatesResult extends CheckerResult {
  /** False when the run had no increments and no writes to check. */
  readonly applicable: boolean;
  readonly auditPresent: boolean;
  readonly lost: number;
  readonly unexplained: number;
  readonly brokenChains: number;
  /** Keys with an anomaly first, then the rest; capped. */
  readonly keys: readonly KeyUpdates[];
  /** The first broken chains, in audit order; capped. */
  readonly brokenChainSamples: readonly BrokenChain[];
}

export interface LostUpdatesOptions {
  /** Each key's value before the run. Default 0. */
  readonly initialValue?: number;
  /** Cap on the keys and broken chains listed with details. Default 1000. */
  readonly maxReported?: number;
}

interface Tally {
  ok: number;
  uncertain: number;
  fail: number;
  writes: number;
  value: number;
  brokenChains: number;
}

export function checkLostUpdates(input: CheckInput, options: LostUpdatesOptions = {}): LostUpdatesResult {
  const initial = options.initialValue ?? 0;
  const cap = options.maxReported ?? 1000;
  const tallies = new Map<string, Tally>();
  const tally = (key: string): Tally => {
    let t = tallies.get(key);
    if (!t) {
      t = { ok: 0, uncertain: 0, fail: 0, writes: 0, value: initial, brokenChains: 0 };
      tallies.set(key, t);
    }
    return t;
  };
  for (const pair of input.paired.pairs) {
    if (pair.f !== 'incr') continue;
    const t = tally(pair.key);
    const type = pair.completion?.type;
    if (type === 'ok') t.ok += 1;
    else if (type === 'fail') t.fail += 1;
    else t.uncertain += 1;
  }

  const audit = input.audit;
  if (audit === undefined) {
    const applicable = tallies.size > 0;
    return {
      verdict: applicable ? 'unknown' : 'valid',
      summary: applicable ? 'unknown: no audit log, so the final values cannot be compared' : 'not applicable (no increments, no audit log)',
      applicable,
      auditPresent: false,
      lost: 0,
      unexplained: 0,
      brokenChains: 0,
      keys: [],
      brokenChainSamples: [],
    };
  }

  const samples: BrokenChain[] = [];
  for (const e of audit) {
    if (e.event !== 'write' || e.value === undefined) continue;
    const t = tally(e.key);
    t.writes += 1;
    if (e.value !== t.value + 1) {
      t.brokenChains += 1;
      if (samples.length < cap) samples.push(brokenChain(e, e.value, t.value + 1));
    }
    t.value = e.value;
  }

  const keys: KeyUpdates[] = [];
  let lost = 0;
  let unexplained = 0;
  let brokenChains = 0;
  for (const [key, t] of tallies) {
    const applied = t.value - initial;
    const k: KeyUpdates = {
      key,
      ok: t.ok,
      uncertain: t.uncertain,
      fail: t.fail,
      writes: t.writes,
      finalValue: t.value,
      lost: Math.max(0, t.ok - applied),
      unexplained: Math.max(0, applied - t.ok - t.uncertain),
      brokenChains: t.brokenChains,
    };
    lost += k.lost;
    unexplained += k.unexplained;
    brokenChains += k.brokenChains;
    keys.push(k);
  }
  const bad = (k: KeyUpdates): boolean => k.lost > 0 || k.unexplained > 0 || k.brokenChains > 0;
  keys.sort((a, b) => Number(bad(b)) - Number(bad(a)) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  const verdict: Verdict = lost > 0 || unexplained > 0 || brokenChains > 0 ? 'invalid' : 'valid';
  const applicable = tallies.size > 0;
  let summary: string;
  if (!applicable) summary = 'not applicable (no increments, no writes)';
  else if (verdict === 'valid') {
    const ok = keys.reduce((n, k) => n + k.ok, 0);
    summary = `${ok} acknowledged increments over ${keys.length} keys all present`;
  } else {
    const parts = [];
    if (lost > 0) parts.push(`${lost} acknowledged increments lost`);
    if (unexplained > 0) parts.push(`${unexplained} unexplained increments`);
    if (brokenChains > 0) parts.push(`${brokenChains} writes not building on the previous one`);
    summary = `${parts.join(', ')} (keys ${keys.filter(bad).slice(0, 5).map((k) => k.key).join(', ')})`;
  }
  return { verdict, summary, applicable, auditPresent: true, lost, unexplained, brokenChains, keys: keys.slice(0, cap), brokenChainSamples: samples };
}

function brokenChain(e: AuditEntry, wrote: number, expected: number): BrokenChain {
  return { key: e.key, timeMs: e.timeMs, client: e.client, wrote, expected };
}
