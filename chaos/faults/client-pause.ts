// client-pause: SIGSTOP a client worker process while it holds a lock, for a multiple of the
// lease's lifetime (the GC-pause case), then SIGCONT; /proc shows whether the stop took effect.
// Every auto-expiring lock yields two holders here; only fencing protects the resource.
import { readFileSync } from 'node:fs';
import { HarnessError } from '../../core/errors.ts';
import { leaseLifetimeMs } from '../../locks/spec.ts';
import type { FaultModule, StepBase } from './fault.ts';
import { pauseMultipleFlag, type PauseOptions } from './pause.ts';

export interface ClientPauseStep extends StepBase {
  readonly kind: 'client-pause';
  readonly clients: readonly number[];
}

/** The process state letter from /proc (T = stopped). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function waitState(pid: number, stopped: boolean): Promise<boolean> {
  // Signals are delivered asynchronously; give the kernel a moment before judging.
  for (let i = 0; i < 50 && (processState(pid) === 'T') !== stopped; i++) await new Promise((r) => setTimeout(r, 10));
  return (processState(pid) === 'T') === stopped;
}

export const clientPause: FaultModule<PauseOptions, ClientPauseStep> = {
  name: 'client-pause',
  describe: 'SIGSTOP a client while it holds the lock, for --pause-multiple × the lease lifetime',
  inMix: true,
  clientSide: () => true,
  flags: { pauseMultiple: pauseMultipleFlag },
  defaults: () => ({ holdMs: 50 }),
  step: ({ o, id, atMs, random }) => {
    const client = Math.floor(random() * o.clients);
    return { kind: 'client-pause', id, atMs, durationMs: Math.round(o.pauseMultiple * leaseLifetimeMs(o.lockModel, o)), clients: [client], whenHolding: [client] };
  },
  spacingMs: (o, step) => step.durationMs + leaseLifetimeMs(o.lockModel, o) + 2000,
  apply: async (step, ctx) => {
    const holding = ctx.workers.holders();
    for (const c of step.clients) {
      ctx.workers.pause(c);
      const pid = ctx.workers.pid(c);
      if (!(await waitState(pid, true))) throw new HarnessError('FAULT_NOT_EFFECTIVE', `client-pause did not take effect: worker ${c} (pid ${pid}) is not stopped`);
    }
    return {
      targets: { clients: step.clients, heldLockWhenPaused: step.clients.filter((c) => holding.includes(c)), pauseMs: step.durationMs },
      heal: async () => {
        for (const c of step.clients) {
          ctx.workers.resume(c);
          if (!(await waitState(ctx.workers.pid(c), false))) throw new HarnessError('FAULT_NOT_EFFECTIVE', `worker ${c} is still stopped after SIGCONT`);
        }
      },
    };
  },
  expect: (o) => {
    if (o.pauseMultiple <= 1) return undefined;
    const lease = leaseLifetimeMs(o.lockModel, o);
    if (o.fencing && o.lockModel.fencingTokens) {
      return { overlap: true, noLostUpdates: true, why: `a holder paused for ${o.pauseMultiple}× its lease loses it while it still believes it holds; the resource rejects its stale token` };
    }
    return { overlap: true, why: `a holder paused for ${o.pauseMultiple}× its lease (${lease} ms) comes back still believing it holds; nothing stops its stale write` };
  },
};
