// replica-lag: the replication link is slowed by a latency toxic on the primary's peer link (what
// every replica's and Sentinel's connection to it crosses), the next grant is made, and the primary
// dies while that grant is still on its way: it is killed, and its peer link cut so the delayed
// bytes are dropped. Verified: a PING through the slowed link takes the added latency, and a
// replica is promoted. Healed: toxic removed, link restored, old primary restarted, topology settled.
import { monoMs } from '../../core/clock.ts';
import { HarnessError } from '../../core/errors.ts';
import { leaseLifetimeMs } from '../../locks/spec.ts';
import type { FaultModule, StepBase } from './fault.ts';
import { allClients, intCheck } from './fault.ts';
import { failoverApplies, failoverDefaults, failoverTarget, holderWaitMs, settled, waitForPromotion } from './failover-common.ts';

export interface ReplicaLagOptions {
  /** Latency added to the replication link, ms. */
  readonly replicaLagMs: number;
}

export interface ReplicaLagStep extends StepBase {
  readonly kind: 'replica-lag';
  readonly lagMs: number;
}

const TOXIC = 'replica_lag';
const AFTER_PROMOTION_MS = 4000;

export const replicaLag: FaultModule<ReplicaLagOptions, ReplicaLagStep> = {
  name: 'replica-lag',
  describe: 'slow the replication link by --replica-lag ms, then kill the primary while a grant is still on its way (redis-sentinel)',
  inMix: true,
  flags: {
    // Below Sentinel's down-after (2 s), so the slowed primary is not itself called down.
    replicaLagMs: { flag: 'replica-lag', type: 'number', describe: 'replica-lag: ms added to the replication link (default 1000)', default: () => 1000, check: intCheck('replica-lag', 50, 1500, 'ms') },
  },
  appliesTo: failoverApplies,
  defaults: () => failoverDefaults,
  step: ({ o, id, atMs }) => ({ kind: 'replica-lag', id, atMs, durationMs: AFTER_PROMOTION_MS, lagMs: o.replicaLagMs }),
  spacingMs: (o, step) => step.durationMs + leaseLifetimeMs(o.lockModel, o) + 10_000,
  apply: async (step, ctx) => {
    const t = await failoverTarget(ctx);
    await ctx.control.addPeerToxic(t.primary, { type: 'latency', name: TOXIC, stream: 'downstream', attributes: { latency: step.lagMs, jitter: 0 } });
    let killed = false;
    try {
      const pingMs = await ctx.control.peerPingMs(t.primary);
      if (pingMs < step.lagMs * 0.8) throw new HarnessError('FAULT_NOT_EFFECTIVE', `replica-lag did not take effect: a PING through ${t.primary}'s peer link took ${pingMs} ms, less than the ${step.lagMs} ms added`);
      let grantWhileLagging = true;
      try {
        await ctx.workers.waitForHolder(allClients(ctx.options), holderWaitMs(ctx.options), 50);
      } catch {
        grantWhileLagging = false;
      }
      await ctx.control.kill(t.primary);
      killed = true;
      const killedAtMs = monoMs();
      await ctx.control.cutPeerLink(t.primary);
      const p = await waitForPromotion(t);
      return {
        targets: { nodes: [t.primary], primary: t.primary, promoted: p.promoted, lagMs: step.lagMs, pingMs, grantWhileLagging, promotedAfterMs: Math.round(p.atMs - killedAtMs), promotedAtMs: Math.round(p.atMs), moments: [{ atMs: Math.round(p.atMs), label: `${p.promoted} promoted` }] },
        heal: async () => {
          await ctx.control.removePeerToxic(t.primary, TOXIC);
          await ctx.control.restorePeerLink(t.primary);
          await ctx.control.start(t.primary);
          await settled(t);
        },
      };
    } catch (err) {
      await ctx.control.removePeerToxic(t.primary, TOXIC).catch(() => undefined);
      if (killed) {
        await ctx.control.restorePeerLink(t.primary).catch(() => undefined);
        await ctx.control.start(t.primary).catch(() => undefined);
      }
      throw err;
    }
  },
  expect: (o) => {
    if ((o.lockModel.replicaAcks ?? 0) > 0) return { overlap: false, why: `WAIT gives up after its timeout while the replication link lags by ${o.replicaLagMs} ms, so the grant it withdrew never counted` };
    if (o.lockModel.family === 'replicated') return { overlap: true, why: 'the grant was acknowledged but still on its way to the replicas when the primary died; the promoted replica grants the key again' };
    return undefined;
  },
};
