// split-brain: the primary, with a minority of the Sentinels and some of its replicas, is cut off
// from the rest of the members (iptables inside each node, peer links told apart by port), and
// the clients are split the same way: clients on the primary's side reach only that side's nodes,
// the others only theirs. The majority side promotes one of its replicas while the old primary
// keeps serving its side, Jepsen's 2013 Redis partition. Verified: no member reaches the other
// side, every cut client link refuses traffic, and a replica is promoted. Healed: rules flushed,
// links enabled, the topology settled (the old primary is demoted: "last failover wins").
import { leaseLifetimeMs } from '../../locks/spec.ts';
import type { FaultModule, StepBase } from './fault.ts';
import { allClients, intCheck, slotOf } from './fault.ts';
import { failoverApplies, failoverDefaults, failoverTarget, settled, waitForPromotion } from './failover-common.ts';

export interface SplitBrainOptions {
  /** How long both sides serve after the promotion before the partition heals, ms. */
  readonly splitBrainMs: number;
}

export interface SplitBrainStep extends StepBase {
  readonly kind: 'split-brain';
}

export const splitBrain: FaultModule<SplitBrainOptions, SplitBrainStep> = {
  name: 'split-brain',
  describe: 'cut the primary and a Sentinel minority off from the other members while its clients still reach it; the rest promote a replica (redis-sentinel)',
  inMix: true,
  flags: {
    splitBrainMs: { flag: 'split-brain-ms', type: 'number', describe: 'split-brain: ms both sides serve after the promotion before the partition heals (default 8000)', default: () => 8000, check: intCheck('split-brain-ms', 0, 600_000, 'ms') },
  },
  appliesTo: failoverApplies,
  defaults: () => failoverDefaults,
  step: ({ o, id, atMs }) => ({ kind: 'split-brain', id, atMs, durationMs: o.splitBrainMs }),
  spacingMs: (o, step) => step.durationMs + leaseLifetimeMs(o.lockModel, o) + 10_000,
  apply: async (_step, ctx) => {
    const t = await failoverTarget(ctx);
    const replicas = t.hooks.dataNodes(t.nodes).filter((n) => n.name !== t.primary);
    const deciders = t.hooks.deciders(t.nodes);
    // The old primary keeps half its replicas (rounded down) and a minority of the deciders; the
    // majority side keeps at least one replica to promote and enough deciders to agree.
    const aReplicas = replicas.slice(0, Math.floor(replicas.length / 2));
    const aDeciders = deciders.slice(0, Math.floor((deciders.length - 1) / 2));
    const a = [t.primary, ...aReplicas.map((n) => n.name), ...aDeciders.map((n) => n.name)];
    const b = t.nodes.map((n) => n.name).filter((n) => !a.includes(n));
    const cut: { slot: number; node: string }[] = [];
    const clients = { a: [] as number[], b: [] as number[] };
    try {
      await ctx.control.splitMembers(a, b);
      // By client slot, so clients that share links are on the same side.
      for (const c of allClients(ctx.options)) {
        const slot = slotOf(ctx, c);
        const side = slot % 2 === 0 ? 'a' : 'b';
        clients[side].push(c);
        for (const node of side === 'a' ? b : a) {
          if (cut.some((x) => x.slot === slot && x.node === node)) continue;
          await ctx.control.disableLink(slot, node);
          cut.push({ slot, node });
        }
      }
    } catch (err) {
      for (const n of [...a, ...b]) await ctx.control.clearIsolation(n).catch(() => undefined);
      for (const x of cut) await ctx.control.enableLink(x.slot, x.node).catch(() => undefined);
      throw err;
    }
    const p = await waitForPromotion(t);
    const clientSides: Record<string, string> = {};
    for (const c of clients.a) clientSides[String(c)] = `side of ${t.primary} (old primary)`;
    for (const c of clients.b) clientSides[String(c)] = `side of ${p.promoted} (promoted)`;
    return {
      targets: {
        nodes: [t.primary],
        primary: t.primary,
        promoted: p.promoted,
        sides: { a, b },
        clients,
        promotedAtMs: Math.round(p.atMs),
        moments: [{ atMs: Math.round(p.atMs), label: `${p.promoted} promoted` }],
        clientSides,
      },
      heal: async () => {
        for (const n of [...a, ...b]) await ctx.control.clearIsolation(n);
        for (const x of cut) await ctx.control.enableLink(x.slot, x.node);
        await settled(t);
      },
    };
  },
  expect: (o) => {
    if (o.lockModel.family !== 'replicated') return undefined;
    if ((o.lockModel.replicaAcks ?? 0) > 0) {
      return { overlap: true, why: 'the old primary keeps a replica on its side, so WAIT is satisfied there; when the partition heals, both are resynchronised from the new primary and drop grants they had acknowledged' };
    }
    return { overlap: true, why: 'both sides have a primary that grants the same key (Jepsen 2013: the old primary keeps accepting writes while Sentinel promotes a replica)' };
  },
};
