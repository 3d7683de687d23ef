// The prepared input every checker reads: the raw history and audit log plus what several
// checkers derive from them (op pairs, fault windows), computed once per run.
import type { AuditEntry, Op } from '../core/history.ts';
import { FaultIndex, faultWindows } from './fault-windows.ts';
import { pairOps } from './pairs.ts';
import type { PairedHistory } from './pairs.ts';

export interface CheckInput {
  readonly history: readonly Op[];
  /** Undefined when the run has no audit log (the resource view and lost updates cannot be checked). */
  readonly audit: readonly AuditEntry[] | undefined;
  readonly paired: PairedHistory;
  readonly faults: FaultIndex;
  /** What the run was told to do, where a checker needs it; undefined = not known. */
  readonly run: RunContext;
}

/** The options of the run that the checkers judge by, as recorded in its manifest. */
export interface RunContext {
  /** The resource enforced fencing (chaos --fencing). Undefined when the run's options are unknown. */
  readonly fencing?: boolean | undefined;
}

export function prepareInput(history: readonly Op[], audit?: readonly AuditEntry[], run: RunContext = {}): CheckInput {
  const paired = pairOps(history);
  const faults = new FaultIndex(faultWindows(paired.nemesis, paired.endMs));
  return { history, audit, paired, faults, run };
}
