// What one chaos run produced, as results.json holds it: a type of its own so that the summary,
// the report and the trials can read it without importing the runner.
import type { UsageSample } from '../core/process-usage.ts';
import type { RunCheckResult } from '../checkers/check-run.ts';
import type { WorkerCounts } from './worker-protocol.ts';
import type { AppliedRecord } from './nemesis.ts';
import type { ChaosOptions } from './options.ts';
import type { RecoveryFigures } from './recovery.ts';
import type { FaultStep } from './schedule.ts';

/**
 * A lock client process that died on its own during the run (a native client library that aborts
 * on a lost connection, say). It is evidence about the client, not a harness failure: the run goes
 * on with the others, and its ops recorded so far are checked like everyone's (the one in flight
 * stays unknown).
 */
export interface ClientCrash {
  readonly clientId: number;
  /** Monotonic ms (the history's clock) when the runner saw it exit. */
  readonly atMs: number;
  readonly code: number | null;
  readonly signal: string | null;
  /** The lock it held when it died, as it last reported; null if none. */
  readonly holding: string | null;
  /** Its last lines of output, oldest first (the assertion a native abort prints, say). */
  readonly lastOutput: readonly string[];
}

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
  /** Lock client processes that died on their own during the run; absent in runs stored before it existed. */
  readonly clientCrashes?: readonly ClientCrash[];
  readonly wallMs: number;
  /** Heal → first grant and the longest grant-less stretch of the fault phase (chaos/recovery.ts); absent in runs stored before it existed. */
  readonly recovery?: RecoveryFigures;
  /** The harness's RSS and open fds when the workload started, half-way through the fault phase, and at the end (core/process-usage.ts); absent in runs stored before it existed. */
  readonly harness?: { readonly usage: readonly UsageSample[] };
}

/** "signal SIGABRT" or "exit code 3". */
export function crashText(c: Pick<ClientCrash, 'code' | 'signal'>): string {
  return c.signal !== null ? `signal ${c.signal}` : `exit code ${c.code ?? '?'}`;
}
