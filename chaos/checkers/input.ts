// The prepared input every checker reads: the raw history and audit log plus what several
// checkers derive from them (op pairs, fault windows), computed once per run.
import type { AuditEntry, Op } from '../../core/history.ts';
import { FaultIndex, faultWindows } from './fault-windows.ts';
import { pairOps } from './pairs.ts';
import type { PairedHistory } from './pairs.ts';

export interface CheckInput {
  readonly history: readonly Op[];
  /** Undefined when the run has no audit log (the resource view and lost updates cannot be checked). */
  readonly audit: readonly AuditEntry[] | undefined;
  readonly paired: PairedHistory;
  readonly faults: FaultIndex;
}

export function prepareInput(history: readonly Op[], audit?: readonly AuditEntry[]): CheckInput {
  const paired = pairOps(history);
  const faults = new FaultIndex(faultWindows(paired.nemesis, paired.endMs));
  return { history, audit, paired, faults };
}
