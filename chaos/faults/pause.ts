// pause: freeze a node the lock uses (docker pause, a cgroup freeze) for a multiple of the lease's
// lifetime, then thaw it; the primitive verifies both.
import { leaseLifetimeMs } from '../../locks/spec.ts';
import type { FaultModule, FlagDef, StepBase } from './fault.ts';
import { pick } from './fault.ts';

export interface PauseOptions {
  /** Length of a pause (node or client) as a multiple of the TTL / session timeout. */
  readonly pauseMultiple: number;
}

export interface PauseStep extends StepBase {
  readonly kind: 'pause';
  readonly nodes: readonly string[];
}

/** Shared with client-pause. */
export const pauseMultipleFlag: FlagDef<number> = {
  flag: 'pause-multiple',
  type: 'number',
  describe: 'pause / client-pause length as a multiple of the TTL or session timeout (default 2)',
  default: () => 2,
  check: (v) => (Number.isFinite(v) && v > 0 && v <= 20 ? undefined : `--pause-multiple must be > 0 and ≤ 20, got ${String(v)}`),
};

export const pause: FaultModule<PauseOptions, PauseStep> = {
  name: 'pause',
  describe: 'freeze a node the lock uses for --pause-multiple × the lease lifetime',
  inMix: true,
  flags: { pauseMultiple: pauseMultipleFlag },
  step: ({ o, id, atMs, lockNodes, random }) => ({ kind: 'pause', id, atMs, durationMs: Math.round(o.pauseMultiple * leaseLifetimeMs(o.lockModel, o)), nodes: [pick(lockNodes, random)] }),
  spacingMs: (o, step) => step.durationMs + leaseLifetimeMs(o.lockModel, o) + 2000,
  apply: async (step, ctx) => {
    for (const n of step.nodes) await ctx.control.pause(n);
    return {
      targets: { nodes: step.nodes, pauseMs: step.durationMs },
      heal: async () => {
        for (const n of step.nodes) await ctx.control.unpause(n);
      },
    };
  },
};
