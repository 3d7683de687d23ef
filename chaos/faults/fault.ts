// What a fault mechanism is: apply a scheduled step to the real cluster (verifying that it took
// effect) and return how to heal it (verifying that service came back).
import type { ClusterControl } from '../../clusters/node-faults.ts';
import type { ChaosOptions } from '../options.ts';
import type { FaultStep } from '../schedule.ts';
import type { WorkerPool } from '../workers.ts';

export interface FaultContext {
  readonly control: ClusterControl;
  readonly workers: WorkerPool;
  readonly options: ChaosOptions;
}

export interface AppliedFault {
  /** What was actually hit, as recorded in the history (resolved at run time where needed). */
  readonly targets: Record<string, unknown>;
  /** Optional activity while the fault is in force (a strobing clock), until `untilMs` (monotonic). */
  during?(untilMs: number, signal: AbortSignal): Promise<void>;
  heal(): Promise<void>;
}

export type FaultMechanism = (step: FaultStep, ctx: FaultContext) => Promise<AppliedFault>;

export function slotOf(ctx: FaultContext, client: number): number {
  return client % ctx.control.plan.config.clientSlots;
}
