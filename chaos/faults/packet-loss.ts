// packet-loss: every packet a node the lock uses sends or receives is dropped with a probability
// (iptables `statistic --mode random`; the kernel here has no netem), for a while. Requests and
// replies go missing at random, so clients see timeouts and unknown outcomes. The primitive reads
// its rule back; a random drop cannot be proven by a single probe.
import type { FaultModule, StepBase } from './fault.ts';
import { pick } from './fault.ts';

export interface PacketLossOptions {
  /** Probability (0–1] that a packet is dropped. */
  readonly lossProbability: number;
}

export interface PacketLossStep extends StepBase {
  readonly kind: 'packet-loss';
  readonly nodes: readonly string[];
  readonly probability: number;
}

const LOSS_MS = 8000;
const GAP_MS = 3000;

export const packetLoss: FaultModule<PacketLossOptions, PacketLossStep> = {
  name: 'packet-loss',
  describe: 'drop each packet of a node the lock uses with probability --loss (iptables statistic)',
  inMix: true,
  flags: {
    lossProbability: {
      flag: 'loss',
      type: 'number',
      describe: 'packet-loss: probability that a packet is dropped, above 0 and at most 1 (default 0.3)',
      default: () => 0.3,
      check: (v) => (Number.isFinite(v) && v > 0 && v <= 1 ? undefined : `--loss must be a probability above 0 and at most 1, got ${String(v)}`),
    },
  },
  step: ({ o, id, atMs, lockNodes, random }) => ({ kind: 'packet-loss', id, atMs, durationMs: LOSS_MS, nodes: [pick(lockNodes, random)], probability: o.lossProbability }),
  spacingMs: (_o, step) => step.durationMs + GAP_MS,
  apply: async (step, ctx) => {
    const done: string[] = [];
    try {
      for (const n of step.nodes) {
        await ctx.control.packetLoss(n, step.probability);
        done.push(n);
      }
    } catch (err) {
      for (const n of done) await ctx.control.clearPacketLoss(n).catch(() => undefined);
      throw err;
    }
    return {
      targets: { nodes: step.nodes, probability: step.probability },
      heal: async () => {
        for (const n of step.nodes) await ctx.control.clearPacketLoss(n);
      },
    };
  },
  expect: (o) => (o.lockModel.family === 'consensus' ? { overlap: false, why: 'lost packets only delay a consensus protocol; it never grants twice' } : undefined),
};
