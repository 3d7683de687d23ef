// The fault schedule: drawn from the seed alone (plus the options and the cluster's node names),
// written to the manifest before it runs. Times are offsets from the start of the fault phase.
// Every step comes from its fault's module; the nodes it may strike are the ones the lock's model
// says it uses, on the lock's own backing system.
import { nodesUsed } from '../locks/spec.ts';
import { seededRandom } from '../core/rng.ts';
import { faultAppliesTo, faultModule, stepKinds, type FaultStep, type StepKind } from './faults/registry.ts';
import { constructionBridge } from './faults/partition.ts';
import type { ChaosOptions } from './options.ts';

export type { FaultStep, StepKind } from './faults/registry.ts';

/** The cluster's node names per backing system (e.g. redis: redis-1..5). */
export type NodesBySystem = Readonly<Record<string, readonly string[]>>;

/** The nodes the lock uses: all of its system's nodes, or only the first. */
export function lockNodes(o: Pick<ChaosOptions, 'lockModel'>, nodes: NodesBySystem): readonly string[] {
  return nodesUsed(o.lockModel, nodes[o.lockModel.system] ?? []);
}

/** The faults `--fault mix` draws from: every registered fault that takes part in it. */
export const mixPool: readonly StepKind[] = stepKinds.filter((k) => faultModule(k).inMix);

export function planSchedule(o: ChaosOptions, nodes: NodesBySystem): FaultStep[] {
  if (o.fault === 'none') return [];
  const random = seededRandom(o.seed);
  const steps: FaultStep[] = [];
  const systemNodes = nodes[o.lockModel.system] ?? [];
  const targets = lockNodes(o, nodes);
  const draw = (kind: StepKind, id: number, atMs: number, construction: boolean): FaultStep =>
    faultModule(kind).step({ o, id, atMs, lockNodes: targets, systemNodes, random, construction }) as FaultStep;
  const spacing = (s: FaultStep): number => faultModule(s.kind).spacingMs(o, s);

  const construction = o.fault !== 'mix' && o.construction && o.lockModel.family === 'fan-out' && faultModule(o.fault).construction === true && o.clients >= 2;
  if (construction) {
    // Client A (even) reaches only the first majority of masters, client B (odd) only the last;
    // the fault then hits the master they share.
    steps.push(constructionBridge(targets, o.clients, o.durationMs, random));
  }
  if (o.fault === 'mix') {
    // Only the faults that can strike this lock (a failover needs a system with one).
    const pool = mixPool.filter((k) => faultAppliesTo(k, o.lockModel) === undefined);
    // Faults that act on the nodes themselves (their container, iptables, clock) take turns: two
    // at once on one node undo or defeat each other — a packet-loss heal left a one-way partition's
    // heal unverifiable, a crash found its node already stopped by another — and the run stopped
    // on a fault that "did not take effect". Faults on the client side (links, client processes)
    // still overlap them and each other, one of each kind at a time.
    const NODES = 'the nodes';
    const slotOf = (kind: StepKind): string => (faultModule(kind).clientSide?.(o.lockModel) === true ? kind : NODES);
    const busyUntil = new Map<string, number>();
    const lastIn = new Map<string, number>();
    const count = Math.max(2, Math.floor(o.durationMs / 8000));
    for (let i = 0; i < count; i++) {
      const kind = pool[Math.floor(random() * pool.length)] ?? 'partition';
      const slot = slotOf(kind);
      const atMs = Math.floor(random() * Math.max(1, o.durationMs - 4000));
      const candidate = draw(kind, steps.length + 1, Math.max(atMs, busyUntil.get(slot) ?? 0), false);
      if (candidate.atMs + candidate.durationMs > o.durationMs) continue;
      busyUntil.set(slot, candidate.atMs + spacing(candidate));
      const after = lastIn.get(slot);
      lastIn.set(slot, candidate.id);
      steps.push(after === undefined ? candidate : { ...candidate, after });
    }
    return steps.sort((a, b) => a.atMs - b.atMs);
  }
  let atMs = 1000;
  let previous: number | undefined;
  for (;;) {
    const s = draw(o.fault, steps.length + 1, atMs, construction);
    if (s.atMs + s.durationMs > o.durationMs && steps.some((x) => x.construction !== true)) break;
    steps.push(previous === undefined ? s : { ...s, after: previous });
    previous = s.id;
    atMs += spacing(s);
    if (atMs >= o.durationMs) break;
  }
  return steps;
}
