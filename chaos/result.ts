// What one chaos run produced, as results.json holds it: a type of its own so that the summary,
// the report and the trials can read it without importing the runner.
import type { RunCheckResult } from '../checkers/check-run.ts';
import type { WorkerCounts } from './worker-protocol.ts';
import type { AppliedRecord } from './nemesis.ts';
import type { ChaosOptions } from './options.ts';
import type { RecoveryFigures } from './recovery.ts';
import type { FaultStep } from './schedule.ts';

export interface LivenessResult {
  readonly clientId: number;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ChaosResult {
  readonly runId: string;
  readonly dir: string;
  readonly verdict: RunCheckResult['verdict'];
  readonly options: ChaosOptions;
  readonly schedule: readonly FaultStep[];
  readonly faults: readonly AppliedRecord[];
  readonly liveness: readonly LivenessResult[] | null;
  readonly counts: readonly WorkerCounts[];
  readonly check: RunCheckResult;
  readonly phases: Readonly<Record<string, { startMs: number; endMs: number }>>;
  /** Set when the run stopped early: Ctrl-C, or a fault that did not take effect. */
  readonly aborted: string | null;
  readonly wallMs: number;
  /** Heal → first grant and the longest grant-less stretch of the fault phase (chaos/recovery.ts); absent in runs stored before it existed. */
  readonly recovery?: RecoveryFigures;
}
