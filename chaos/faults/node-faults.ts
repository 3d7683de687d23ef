// Faults on nodes: crash (SIGKILL, restart after the step's delay, under the cluster's Redis
// persistence mode), pause (cgroup freeze), clock-skew (the node's wall clock jumps through the
// skew shim; `strobe` flips it back and forth). Each primitive verifies itself.
import { monoMs, sleep } from '../../core/clock.ts';
import type { FaultMechanism } from './fault.ts';

export const crash: FaultMechanism = async (step, ctx) => {
  const nodes = step.nodes ?? [];
  for (const n of nodes) await ctx.control.kill(n);
  return {
    targets: { nodes, restartDelayMs: step.durationMs, persistence: ctx.control.plan.config.redisPersistence },
    heal: async () => {
      for (const n of nodes) await ctx.control.start(n);
    },
  };
};

export const pause: FaultMechanism = async (step, ctx) => {
  const nodes = step.nodes ?? [];
  for (const n of nodes) await ctx.control.pause(n);
  return {
    targets: { nodes, pauseMs: step.durationMs },
    heal: async () => {
      for (const n of nodes) await ctx.control.unpause(n);
    },
  };
};

const STROBE_PERIOD_MS = 500;

export const clockSkew: FaultMechanism = async (step, ctx) => {
  const nodes = step.nodes ?? [];
  const skewMs = step.skewMs ?? 0;
  for (const n of nodes) await ctx.control.setClockOffset(n, skewMs);
  return {
    targets: { nodes, skewMs, mode: step.skewMode ?? 'bump' },
    ...(step.skewMode === 'strobe'
      ? {
          during: async (untilMs: number, signal: AbortSignal) => {
            const stopped = (): boolean => signal.aborted;
            for (let flip = 1; monoMs() + STROBE_PERIOD_MS < untilMs && !stopped(); flip++) {
              await sleep(STROBE_PERIOD_MS, signal).catch(() => undefined);
              for (const n of nodes) await ctx.control.setClockOffset(n, flip % 2 === 0 ? skewMs : 0);
            }
          },
        }
      : {}),
    heal: async () => {
      for (const n of nodes) await ctx.control.setClockOffset(n, 0);
    },
  };
};
