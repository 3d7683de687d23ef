// Recovery figures of one chaos run, from its history: how long after the last heal a client got a
// lock again, and the longest stretch of the fault phase in which nobody got one. A verdict says
// whether a lock stayed safe; these say what the fault cost in availability. Pure: the runner adds
// them to results.json, and the summary renders them.
import type { Op } from '../core/history.ts';
import { faultWindows } from '../checkers/fault-windows.ts';

/** A stretch of host monotonic time, ms. */
export interface TimeSpan {
  readonly startMs: number;
  readonly endMs: number;
}

export interface RecoveryFigures {
  /** When the last fault window closed (its heal completed), host monotonic ms; null without faults. */
  readonly lastHealMs: number | null;
  /** From the last heal to the first acquire granted after it; null without faults, or when nothing was granted after the heal. */
  readonly healToFirstGrantMs: number | null;
  /** Longest stretch of the fault phase with no acquire granted on any key; null without a fault phase. */
  readonly longestNoGrantInFaultsMs: number | null;
  /** Where that stretch starts, host monotonic ms; null when there is none. */
  readonly longestNoGrantFromMs: number | null;
  /** Acquires granted inside the fault phase. */
  readonly grantsInFaultPhase: number;
}

export interface RecoveryInput {
  /** The run's fault phase (results.json `phases.faults`); without it, the span of the fault windows. */
  readonly faultPhase?: TimeSpan;
  /** Fault windows (start to heal), e.g. from checkers/fault-windows.ts. */
  readonly faults: readonly TimeSpan[];
}

/** Times at which an acquire was granted: the `ok` completions of `acquire`, in time order. */
function grantTimes(ops: readonly Op[]): number[] {
  return ops.filter((o) => o.f === 'acquire' && o.type === 'ok' && o.process !== 'nemesis').map((o) => o.timeMs).sort((a, b) => a - b);
}

export function recoveryFigures(ops: readonly Op[], input: RecoveryInput): RecoveryFigures {
  const grants = grantTimes(ops);
  const lastHealMs = input.faults.length === 0 ? null : Math.max(...input.faults.map((f) => f.endMs));
  const firstAfterHeal = lastHealMs === null ? undefined : grants.find((t) => t >= lastHealMs);
  const phase: TimeSpan | undefined =
    input.faultPhase ?? (input.faults.length === 0 ? undefined : { startMs: Math.min(...input.faults.map((f) => f.startMs)), endMs: lastHealMs ?? 0 });

  let longest: { fromMs: number; ms: number } | undefined;
  let inPhase = 0;
  if (phase !== undefined && phase.endMs >= phase.startMs) {
    // Gaps between consecutive grants, with the phase's start and end as the outer fences.
    let previous = phase.startMs;
    longest = { fromMs: phase.startMs, ms: 0 };
    for (const t of grants) {
      if (t < phase.startMs) continue;
      if (t > phase.endMs) break;
      inPhase += 1;
      if (t - previous > longest.ms) longest = { fromMs: previous, ms: t - previous };
      previous = t;
    }
    if (phase.endMs - previous > longest.ms) longest = { fromMs: previous, ms: phase.endMs - previous };
  }
  return {
    lastHealMs,
    healToFirstGrantMs: lastHealMs === null || firstAfterHeal === undefined ? null : firstAfterHeal - lastHealMs,
    longestNoGrantInFaultsMs: longest?.ms ?? null,
    longestNoGrantFromMs: longest?.fromMs ?? null,
    grantsInFaultPhase: inPhase,
  };
}

/** The figures of a recorded run: fault windows from the nemesis ops, the phase from the runner. */
export function recoveryFromHistory(ops: readonly Op[], phases: Readonly<Record<string, TimeSpan>>): RecoveryFigures {
  const endMs = ops.reduce((m, o) => Math.max(m, o.timeMs), 0);
  const faults = faultWindows(ops.filter((o) => o.process === 'nemesis'), endMs);
  const faultPhase = phases['faults'];
  return recoveryFigures(ops, faultPhase === undefined ? { faults } : { faultPhase, faults });
}

const s = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

/** The "## Recovery" section of summary.md; nothing for a run stored before the figures existed. */
export function renderRecoverySection(r: { readonly recovery?: RecoveryFigures | undefined; readonly phases: Readonly<Record<string, { readonly startMs: number; readonly endMs: number }>> }): string[] {
  const f = r.recovery;
  if (f === undefined) return [];
  const lines = ['## Recovery', ''];
  if (f.lastHealMs === null) lines.push('No fault was applied, so there was nothing to recover from.');
  else if (f.healToFirstGrantMs === null) lines.push('**No lock was granted after the last heal** (the liveness check above says whether every client could acquire afterwards).');
  else lines.push(`First grant after the last heal: ${s(f.healToFirstGrantMs)} later.`);
  if (f.longestNoGrantInFaultsMs !== null) {
    const phaseStart = r.phases['faults']?.startMs;
    const at = phaseStart !== undefined && f.longestNoGrantFromMs !== null ? `, from ${s(f.longestNoGrantFromMs - phaseStart)} into the fault phase` : '';
    lines.push('', `Longest stretch of the fault phase with no lock granted on any key: ${s(f.longestNoGrantInFaultsMs)}${at} (${f.grantsInFaultPhase} grants in the phase).`);
  }
  lines.push('');
  return lines;
}
