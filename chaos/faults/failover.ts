// failover: the primary dies right after a grant it could not replicate, and the Sentinels promote
// a replica. The primary's peer link is cut first (replication and the Sentinels' connections
// drop, clients still reach it), the next grant is therefore on the primary alone, and the
// primary is killed as soon as it is made. Verified: a replica is promoted. Healed: the link
// restored, the old primary restarted (it rejoins as a replica), the topology settled.
import { monoMs } from '../../core/clock.ts';
import { leaseLifetimeMs } from '../../locks/spec.ts';
import type { FaultModule, StepBase } from './fault.ts';
import { allClients, intCheck } from './fault.ts';
import { failoverApplies, failoverDefaults, failoverTarget, holderWaitMs, settled, waitForPromotion } from './failover-common.ts';

export interface FailoverOptions {
  /** How long the promoted primary serves before the old one returns, ms. */
  readonly failoverMs: number;
}

export interface FailoverStep extends StepBase {
  readonly kind: 'failover';
}

export const failover: FaultModule<FailoverOptions, FailoverStep> = {
  name: 'failover',
  describe: 'kill the primary right after a grant it could not replicate, and let the Sentinels promote a replica (redis-sentinel)',
  inMix: true,
  flags: {
    failoverMs: { flag: 'failover-ms', type: 'number', describe: 'failover: ms the promoted replica serves before the old primary returns (default 4000)', default: () => 4000, check: intCheck('failover-ms', 0, 600_000, 'ms') },
  },
  appliesTo: failoverApplies,
  defaults: () => failoverDefaults,
  step: ({ o, id, atMs }) => ({ kind: 'failover', id, atMs, durationMs: o.failoverMs }),
  spacingMs: (o, step) => step.durationMs + leaseLifetimeMs(o.lockModel, o) + 10_000,
  apply: async (_step, ctx) => {
    const t = await failoverTarget(ctx);
    await ctx.control.cutPeerLink(t.primary);
    let grantAfterCut = true;
    try {
      await ctx.workers.waitForHolder(allClients(ctx.options), holderWaitMs(ctx.options), 50);
    } catch {
      grantAfterCut = false;
    }
    await ctx.control.kill(t.primary);
    const killedAtMs = monoMs();
    const p = await waitForPromotion(t);
    return {
      targets: { nodes: [t.primary], primary: t.primary, promoted: p.promoted, grantAfterCut, promotedAfterMs: Math.round(p.atMs - killedAtMs), promotedAtMs: Math.round(p.atMs), moments: [{ atMs: Math.round(p.atMs), label: `${p.promoted} promoted` }] },
      heal: async () => {
        await ctx.control.restorePeerLink(t.primary);
        await ctx.control.start(t.primary);
        await settled(t);
      },
    };
  },
  expect: (o) => {
    if ((o.lockModel.replicaAcks ?? 0) > 0) return { overlap: false, why: 'WAIT withholds a grant no replica acknowledged; with the replication link cut nothing is granted, so the promoted replica has every grant that counted' };
    if (o.lockModel.family === 'replicated') return { overlap: true, why: 'the grant the primary made after replication stopped dies with it; the promoted replica grants the key again while its holder still believes it holds' };
    return undefined;
  },
};
