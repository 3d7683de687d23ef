// one-way-partition: iptables DROP rules in one direction only, inside a node the lock uses
// (Jepsen's asymmetric partitions). `inbound`: the node hears nothing from the other side, so its
// requests are lost; `outbound`: what it sends is lost, so it acts on requests whose replies
// never arrive. The other side is the node's peers for a replicated system (ZooKeeper), and the
// proxy every client reaches it through for independent nodes (Redis). The primitive verifies
// that the dropped direction no longer connects.
import { PROXY_PEER } from '../../clusters/node-faults.ts';
import type { FaultModule, StepBase } from './fault.ts';
import { pick } from './fault.ts';

export type OneWayDirection = 'inbound' | 'outbound';
const directions = ['inbound', 'outbound', 'random'] as const;

export interface OneWayPartitionOptions {
  readonly oneWayDirection: (typeof directions)[number];
}

export interface OneWayPartitionStep extends StepBase {
  readonly kind: 'one-way-partition';
  readonly node: string;
  readonly peers: readonly string[];
  readonly direction: OneWayDirection;
}

const PARTITION_MS = 6000;
const GAP_MS = 3000;

export const oneWayPartition: FaultModule<OneWayPartitionOptions, OneWayPartitionStep> = {
  name: 'one-way-partition',
  describe: 'drop traffic one way only inside a node the lock uses: what it hears, or what it sends (--direction)',
  inMix: true,
  flags: {
    oneWayDirection: {
      flag: 'direction',
      type: 'string',
      choices: directions,
      describe: 'one-way-partition: inbound (the node hears nothing), outbound (its replies are lost), or random per step (default)',
      default: () => 'random',
      check: (v) => ((directions as readonly string[]).includes(v) ? undefined : `--direction must be one of ${directions.join(', ')}, got '${v}'`),
    },
  },
  step: ({ o, id, atMs, lockNodes, systemNodes, random }) => {
    const node = pick(lockNodes, random);
    const direction: OneWayDirection = o.oneWayDirection === 'random' ? pick(['inbound', 'outbound'] as const, random) : o.oneWayDirection;
    const peers = o.lockModel.partitionSide === 'server' ? systemNodes.filter((n) => n !== node) : [PROXY_PEER];
    return { kind: 'one-way-partition', id, atMs, durationMs: PARTITION_MS, node, peers, direction };
  },
  spacingMs: (_o, step) => step.durationMs + GAP_MS,
  apply: async (step, ctx) => {
    await ctx.control.oneWayDrop(step.node, step.peers, step.direction);
    return {
      targets: { node: step.node, peers: step.peers, direction: step.direction },
      heal: async () => {
        await ctx.control.clearIsolation(step.node);
        await ctx.control.heal(step.node);
      },
    };
  },
  expect: (o) =>
    o.lockModel.family === 'consensus' ? { overlap: false, why: 'a member that cannot hear, or cannot be heard, loses its quorum role; a majority keeps granting one holder at a time' } : undefined,
};
