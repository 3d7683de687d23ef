// partition: client side, by cutting a client's own Toxiproxy links to some nodes (its listener
// closes and open connections drop; connects are refused); server side, by iptables DROP rules
// inside the nodes between groups (Jepsen's grudges), for locks on a replicated system. Each cut
// is verified by the primitive.
import { driverFor } from '../../clusters/systems/registry.ts';
import { HarnessError } from '../../core/errors.ts';
import { bridgeNodes, clientCuts, serverGroups, type ClientCut } from '../shapes.ts';
import type { AppliedFault, FaultContext, FaultModule, StepBase } from './fault.ts';
import { pick, slotOf } from './fault.ts';

export const clientPartitionShapes = ['one', 'minority', 'majority', 'majorities-ring', 'bridge'] as const;
export const serverPartitionShapes = ['isolate-one', 'isolate-leader', 'halves'] as const;
export type PartitionShape = (typeof clientPartitionShapes)[number] | (typeof serverPartitionShapes)[number];
export const partitionShapes: readonly PartitionShape[] = [...clientPartitionShapes, ...serverPartitionShapes];

export interface PartitionOptions {
  readonly partitionShape: PartitionShape | 'auto';
}

export interface PartitionStep extends StepBase {
  readonly kind: 'partition';
  readonly shape: PartitionShape;
  /** Client side: per client, the nodes it loses. */
  readonly cuts?: readonly ClientCut[];
  /** Server side: groups that cannot reach each other (isolate-leader is resolved at run time). */
  readonly groups?: readonly (readonly string[])[];
}

const PARTITION_MS = 6000;
const GAP_MS = 3000;

/** The background partition of Kleppmann's construction: two majorities that share one node. */
export function constructionBridge(nodes: readonly string[], clients: number, durationMs: number, random: () => number): PartitionStep {
  return { kind: 'partition', id: 0, atMs: 0, durationMs, shape: 'bridge', cuts: clientCuts('bridge', nodes, clients, random), construction: true };
}

/** The node both sides of a bridge partition reach. */
export const sharedNodes = bridgeNodes;

async function leader(ctx: FaultContext, nodes: readonly string[]): Promise<string> {
  for (const name of nodes) {
    const n = ctx.control.plan.nodes.find((x) => x.name === name);
    if (n && (await driverFor(n.system).role('127.0.0.1', n.directPort)) === 'leader') return name;
  }
  throw new HarnessError('FAULT_NOT_EFFECTIVE', `isolate-leader: none of ${nodes.join(', ')} reports itself leader`);
}

async function cutLinks(step: PartitionStep, cuts: readonly ClientCut[], ctx: FaultContext): Promise<AppliedFault> {
  const { control } = ctx;
  const links = cuts.flatMap((c) => c.nodes.map((node) => ({ slot: slotOf(ctx, c.client), node })));
  if (links.length === 0) throw new HarnessError('FAULT_NOT_EFFECTIVE', `partition #${step.id} (${step.shape}) cuts no link: with these nodes the shape leaves every client all of them; choose another --partition-shape`);
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
  return {
    targets: { shape: step.shape, cuts },
    heal: async () => {
      for (const l of links) await control.enableLink(l.slot, l.node);
    },
  };
}

async function isolateGroups(step: PartitionStep, ctx: FaultContext): Promise<AppliedFault> {
  const { control } = ctx;
  const systemNodes = control.plan.nodes.filter((n) => n.system === ctx.options.lockModel.system).map((n) => n.name);
  let groups = step.groups?.map((g) => [...g]);
  if (step.shape === 'isolate-leader') {
    const l = await leader(ctx, systemNodes);
    groups = [[l], systemNodes.filter((n) => n !== l)];
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
}

export const partition: FaultModule<PartitionOptions, PartitionStep> = {
  name: 'partition',
  describe: 'cut clients off from nodes (Toxiproxy), or nodes of a replicated system from each other (iptables)',
  inMix: true,
  clientSide: (model) => model.partitionSide === 'client',
  flags: {
    partitionShape: {
      flag: 'partition-shape',
      type: 'string',
      describe: `partition shape: auto, ${partitionShapes.join(', ')}`,
      default: () => 'auto',
      check: (v) => (v === 'auto' || partitionShapes.includes(v) ? undefined : `--partition-shape must be auto or one of ${partitionShapes.join(', ')}, got '${v}'`),
    },
  },
  validate: (o) => {
    const server = (serverPartitionShapes as readonly string[]).includes(o.partitionShape);
    if (o.fault === 'partition' && server && o.lockModel.partitionSide !== 'server') {
      return `--partition-shape ${o.partitionShape} partitions the nodes of a replicated system from each other; ${o.lock} runs on ${o.lockModel.system}, whose nodes do not talk to each other (use a client-side shape: ${clientPartitionShapes.join(', ')})`;
    }
    return undefined;
  },
  step: ({ o, id, atMs, systemNodes, random }) => {
    const server = o.lockModel.partitionSide === 'server';
    // A lock on one node has no ring of overlapping majorities to cut, and under three nodes
    // (an external target that names one or two) every majority is all of them: no ring, no bridge.
    const overlapping = (s: string): boolean => s === 'majorities-ring' || s === 'bridge';
    const clientShapes = clientPartitionShapes.filter((s) => !(s === 'majorities-ring' && o.lockModel.nodes === 'first') && !(overlapping(s) && systemNodes.length < 3));
    const shape: PartitionShape = o.partitionShape !== 'auto' ? o.partitionShape : server ? pick(serverPartitionShapes, random) : pick(clientShapes, random);
    if (shape === 'isolate-leader') return { kind: 'partition', id, atMs, durationMs: PARTITION_MS, shape };
    if (shape === 'isolate-one' || shape === 'halves') return { kind: 'partition', id, atMs, durationMs: PARTITION_MS, shape, groups: serverGroups(shape, systemNodes, random) };
    // Client cuts range over all of the system's nodes, so a single-node lock loses its node in some draws and not in others.
    return { kind: 'partition', id, atMs, durationMs: PARTITION_MS, shape, cuts: clientCuts(shape, systemNodes, o.clients, random) };
  },
  spacingMs: (_o, step) => step.durationMs + GAP_MS,
  apply: (step, ctx) => (step.cuts ? cutLinks(step, step.cuts, ctx) : isolateGroups(step, ctx)),
  expect: (o) =>
    o.lockModel.family === 'consensus' ? { overlap: false, why: 'a minority of a consensus ensemble cannot grant; sessions of clients cut off expire before anyone else is granted' } : undefined,
};
