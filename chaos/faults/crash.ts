// crash: SIGKILL a node and restart it after the step's delay, under the cluster's Redis
// persistence mode. With a fan-out lock and the construction on, it strikes the master that both
// majorities share: Redlock's "restart without persistence re-grants a held key". Each primitive
// verifies itself (the node stops answering, then serves again).
import { redisPersistenceModes, type RedisPersistence } from '../../clusters/topology.ts';
import { leaseLifetimeMs } from '../../locks/spec.ts';
import type { FaultModule, FlagDef, StepBase } from './fault.ts';
import { allClients, pick } from './fault.ts';
import { sharedNodes } from './partition.ts';

export interface CrashOptions {
  readonly persistence: RedisPersistence;
  /** Delay between a crash and the restart, ms; longer than the TTL = Redlock's "delayed restart". */
  readonly restartDelayMs: number;
  /** The literature's Redlock construction (clients see overlapping majorities; the fault hits the shared master). */
  readonly construction: boolean;
}

export interface CrashStep extends StepBase {
  readonly kind: 'crash';
  readonly nodes: readonly string[];
}

/** Shared with clock-skew, which strikes the same construction. */
export const constructionFlag: FlagDef<boolean> = {
  flag: 'construction',
  type: 'boolean',
  describe: 'fan-out locks under crash / clock-skew: clients see overlapping majorities and the fault hits the shared master',
  default: () => true,
  check: () => undefined,
};

export const crash: FaultModule<CrashOptions, CrashStep> = {
  name: 'crash',
  describe: 'kill a node the lock uses and restart it after --restart-delay (Redis persistence: --persistence)',
  inMix: true,
  construction: true,
  flags: {
    persistence: {
      flag: 'persistence',
      type: 'string',
      choices: redisPersistenceModes,
      describe: 'Redis persistence for the run (default none)',
      default: () => 'none',
      check: (v) => (redisPersistenceModes.includes(v) ? undefined : `--persistence must be one of ${redisPersistenceModes.join(', ')}, got '${v}'`),
    },
    restartDelayMs: {
      flag: 'restart-delay',
      type: 'number',
      describe: 'crash: ms before the node restarts (default 500; above the TTL = delayed restart)',
      default: () => 500,
      check: (v) => (Number.isFinite(v) && v >= 0 ? undefined : `--restart-delay must be ≥ 0 ms, got ${String(v)}`),
    },
    construction: constructionFlag,
  },
  // Holds longer than a restart, and a TTL that outlives it, so the crash meets a holder whose key it can lose.
  defaults: (model) => ({ keys: 1, holdMs: 3000, ...(model.lease === 'ttl' ? { ttlMs: 8000 } : {}) }),
  step: ({ o, id, atMs, lockNodes, random, construction }) => ({
    kind: 'crash',
    id,
    atMs,
    durationMs: o.restartDelayMs,
    nodes: construction ? sharedNodes(lockNodes) : [pick(lockNodes, random)],
    whenHolding: allClients(o),
  }),
  spacingMs: (o, step) => step.durationMs + leaseLifetimeMs(o.lockModel, o) + 2000,
  apply: async (step, ctx) => {
    for (const n of step.nodes) await ctx.control.kill(n);
    return {
      targets: { nodes: step.nodes, restartDelayMs: step.durationMs, persistence: ctx.control.plan.config.redisPersistence },
      heal: async () => {
        for (const n of step.nodes) await ctx.control.start(n);
      },
    };
  },
  expect: (o) => {
    const family = o.lockModel.family;
    if (family === 'consensus') return { overlap: false, why: 'the ensemble keeps a quorum; sessions and lock nodes survive a node crash' };
    if (family === 'fan-out' && o.construction && o.clients >= 2) {
      if (o.restartDelayMs > o.ttlMs) return { overlap: false, why: "a delayed restart longer than the TTL: the holder's keys are gone everywhere before the crashed master returns" };
      if (o.persistence === 'none') return { overlap: true, why: 'a master restarted without persistence forgets the key it granted, so the other side wins a majority' };
      if (o.persistence === 'always') return { overlap: false, why: 'with fsync always the restarted master still has the key' };
    }
    if (family === 'single' && o.persistence === 'none' && o.restartDelayMs < o.ttlMs) return { overlap: true, why: 'the single node restarts empty while the holder still believes it holds' };
    return undefined;
  },
};
