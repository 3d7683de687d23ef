// partition: client side, by cutting a client's own Toxiproxy links to some nodes (its listener
// closes and open connections drop; connects are refused); server side, by iptables DROP rules
// inside ZooKeeper nodes between groups (Jepsen's grudges). Each cut is verified by the primitive.
import { zkMode } from '../../clusters/probes.ts';
import { HarnessError } from '../../core/errors.ts';
import type { AppliedFault, FaultContext, FaultMechanism } from './fault.ts';
import { slotOf } from './fault.ts';

async function leader(ctx: FaultContext): Promise<string> {
  const zk = ctx.control.plan.nodes.filter((n) => n.system === 'zookeeper');
  for (const n of zk) if ((await zkMode('127.0.0.1', n.directPort)) === 'leader') return n.name;
  throw new HarnessError('FAULT_NOT_EFFECTIVE', 'isolate-leader: no ZooKeeper node reports itself leader');
}

export const partition: FaultMechanism = async (step, ctx) => {
  const { control } = ctx;
  if (step.cuts) {
    const links = step.cuts.flatMap((c) => c.nodes.map((node) => ({ slot: slotOf(ctx, c.client), node })));
    const done: typeof links = [];
    try {
      for (const l of links) {
        await control.disableLink(l.slot, l.node);
        done.push(l);
      }
    } catch (err) {
      for (const l of done) await control.enableLink(l.slot, l.node).catch(() => undefined);
      throw err;
    }
    const applied: AppliedFault = {
      targets: { shape: step.shape, cuts: step.cuts },
      heal: async () => {
        for (const l of links) await control.enableLink(l.slot, l.node);
      },
    };
    return applied;
  }
  const zkNodes = control.plan.nodes.filter((n) => n.system === 'zookeeper').map((n) => n.name);
  let groups = step.groups?.map((g) => [...g]);
  if (step.shape === 'isolate-leader') {
    const l = await leader(ctx);
    groups = [[l], zkNodes.filter((n) => n !== l)];
  }
  if (!groups) throw new HarnessError('INTERNAL', `partition step ${step.id} has neither cuts nor groups`);
  const isolated: string[] = [];
  try {
    for (const g of groups) {
      const others = groups.filter((x) => x !== g).flat();
      for (const node of g) {
        if (others.length === 0) continue;
        await control.isolate(node, others);
        isolated.push(node);
      }
    }
  } catch (err) {
    for (const n of isolated) await control.clearIsolation(n).catch(() => undefined);
    throw err;
  }
  return {
    targets: { shape: step.shape, groups },
    heal: async () => {
      // Both sides hold rules against each other: clear them all before checking reachability.
      for (const n of isolated) await control.clearIsolation(n);
      for (const n of isolated) await control.heal(n);
    },
  };
};
