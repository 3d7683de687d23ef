// clock-skew: a node's wall clock jumps through the skew shim (`bump`: once; `strobe`: back and
// forth). A consensus ensemble gets it on every member; a fan-out lock under the construction on
// the shared master; otherwise one node the lock uses. The primitive reads the offset back.
import { monoMs, sleep } from '../../core/clock.ts';
import { leaseLifetimeMs } from '../../locks/spec.ts';
import { constructionFlag } from './crash.ts';
import type { FaultModule, StepBase } from './fault.ts';
import { allClients, pick } from './fault.ts';
import { sharedNodes } from './partition.ts';

export interface ClockSkewOptions {
  /** Clock jump, ms (positive = forward). */
  readonly skewMs: number;
  readonly skewMode: 'bump' | 'strobe';
  readonly construction: boolean;
}

export interface ClockSkewStep extends StepBase {
  readonly kind: 'clock-skew';
  readonly nodes: readonly string[];
  readonly skewMs: number;
  readonly skewMode: 'bump' | 'strobe';
}

const STROBE_PERIOD_MS = 500;
const skewModes = ['bump', 'strobe'] as const;

export const clockSkew: FaultModule<ClockSkewOptions, ClockSkewStep> = {
  name: 'clock-skew',
  describe: "jump a node's wall clock by --skew ms (--skew-mode bump or strobe)",
  inMix: true,
  construction: true,
  flags: {
    skewMs: {
      flag: 'skew',
      type: 'number',
      describe: 'clock-skew: ms the node clock jumps (default max(20000, 3×TTL))',
      default: (o) => Math.max(20_000, 3 * o.ttlMs),
      check: (v) => (Number.isInteger(v) && v !== 0 && Math.abs(v) <= 3_600_000 ? undefined : `--skew must be a non-zero whole number of ms within ±3600000, got ${String(v)}`),
    },
    skewMode: {
      flag: 'skew-mode',
      type: 'string',
      choices: skewModes,
      describe: 'clock-skew: one jump, or flipping back and forth',
      default: () => 'bump',
      check: (v) => ((skewModes as readonly string[]).includes(v) ? undefined : `--skew-mode must be bump or strobe, got '${v}'`),
    },
    construction: constructionFlag,
  },
  defaults: () => ({ keys: 1, holdMs: 1500 }),
  step: ({ o, id, atMs, lockNodes, random, construction }) => ({
    kind: 'clock-skew',
    id,
    atMs,
    durationMs: Math.max(5000, 2 * o.ttlMs),
    nodes: construction ? sharedNodes(lockNodes) : o.lockModel.family === 'consensus' ? [...lockNodes] : [pick(lockNodes, random)],
    skewMs: o.skewMs,
    skewMode: o.skewMode,
    whenHolding: allClients(o),
  }),
  spacingMs: (o, step) => step.durationMs + leaseLifetimeMs(o.lockModel, o) + 2000,
  apply: async (step, ctx) => {
    const { nodes, skewMs } = step;
    for (const n of nodes) await ctx.control.setClockOffset(n, skewMs);
    return {
      targets: { nodes, skewMs, mode: step.skewMode },
      ...(step.skewMode === 'strobe'
        ? {
            during: async (untilMs: number, signal: AbortSignal) => {
              for (let flip = 1; monoMs() + STROBE_PERIOD_MS < untilMs && !signal.aborted; flip++) {
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
  },
  expect: (o) => {
    const family = o.lockModel.family;
    if (family === 'consensus') return { overlap: false, why: "sessions expire on the leader's monotonic clock; wall-clock jumps change nothing" };
    if (family === 'fan-out' && o.construction && o.clients >= 2 && o.skewMs > o.ttlMs) {
      return { overlap: true, why: "Kleppmann's construction: a forward jump on the master both majorities share expires the holder's key there, so the other side wins a majority" };
    }
    if (family === 'single' && o.skewMs > o.ttlMs) return { overlap: true, why: 'a forward jump on the only node expires the held key at once' };
    // Replicas do not expire keys themselves: they delete what the primary's clock expired (WAIT does not help).
    if (family === 'replicated' && o.skewMs > o.ttlMs) return { overlap: true, why: "a forward jump on the primary expires the held key there, and its replicas follow the primary's deletion" };
    return undefined;
  },
};
