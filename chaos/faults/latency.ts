// latency: latency ± jitter toxics on both directions of every link of the chosen clients; one
// answering link is probed afterwards, and a round trip that did not grow is an error, not a pass.
import { driverFor } from '../../clusters/systems/registry.ts';
import { HarnessError } from '../../core/errors.ts';
import type { FaultModule, StepBase } from './fault.ts';
import { allClients, intCheck, slotOf } from './fault.ts';

export interface LatencyOptions {
  readonly latencyMs: number;
  readonly jitterMs: number;
}

export interface LatencyStep extends StepBase {
  readonly kind: 'latency';
  readonly clients: readonly number[];
  readonly latencyMs: number;
  readonly jitterMs: number;
}

const GAP_MS = 3000;

export const latency: FaultModule<LatencyOptions, LatencyStep> = {
  name: 'latency',
  describe: 'add --latency ± --jitter ms to every link of every client (Toxiproxy)',
  inMix: true,
  clientSide: () => true,
  flags: {
    latencyMs: { flag: 'latency', type: 'number', describe: 'latency: added round-trip ms (default 50)', default: () => 50, check: intCheck('latency', 0, 60_000, 'ms') },
    jitterMs: { flag: 'jitter', type: 'number', describe: 'latency: ± ms (default 20)', default: () => 20, check: intCheck('jitter', 0, 60_000, 'ms') },
  },
  step: ({ o, id, atMs }) => ({ kind: 'latency', id, atMs, durationMs: 8000, clients: allClients(o), latencyMs: o.latencyMs, jitterMs: o.jitterMs }),
  spacingMs: (_o, step) => step.durationMs + GAP_MS,
  apply: async (step, ctx) => {
    const { control } = ctx;
    const { latencyMs, jitterMs } = step;
    const slots = [...new Set(step.clients.map((c) => slotOf(ctx, c)))];
    const added: { slot: number; node: string; toxic: string }[] = [];
    const half = Math.round(latencyMs / 2);
    const halfJitter = Math.round(jitterMs / 2);
    try {
      for (const slot of slots) {
        for (const n of control.plan.nodes) {
          for (const stream of ['upstream', 'downstream'] as const) {
            const toxic = await control.addToxic(slot, n.name, { type: 'latency', name: `latency_${stream}`, stream, attributes: { latency: half, jitter: halfJitter } });
            added.push({ slot, node: n.name, toxic });
          }
        }
      }
      // Probe the links until a node answers: its round trip must now take at least the injected
      // latency less the jitter. Any node will do (every link has the toxics), and in a mix a node
      // fault may hold one of them (crashed, paused) at this moment: its silence says nothing here.
      const slot = slots[0];
      if (slot !== undefined && control.plan.nodes.length > 0) {
        const floorMs = Math.max(0, latencyMs - jitterMs) * 0.8;
        const silent: string[] = [];
        let answered = false;
        for (const n of control.plan.nodes) {
          const r = await driverFor(n.system).probe('127.0.0.1', control.linkPort(slot, n.name), 5000);
          if (r.state !== 'answered') {
            silent.push(`${n.name}: ${r.state}`);
            continue;
          }
          if (r.rttMs < floorMs) throw new HarnessError('FAULT_NOT_EFFECTIVE', `latency did not take effect on ${n.name}: round trip ${r.rttMs.toFixed(1)} ms < ${floorMs} ms`);
          answered = true;
          break;
        }
        if (!answered) throw new HarnessError('FAULT_NOT_EFFECTIVE', `latency could not be verified: no node answered through client slot ${slot}'s links (${silent.join(', ')})`);
      }
    } catch (err) {
      for (const a of added) await control.removeToxic(a.slot, a.node, a.toxic).catch(() => undefined);
      throw err;
    }
    return {
      targets: { clients: step.clients, latencyMs, jitterMs },
      heal: async () => {
        for (const a of added) await control.removeToxic(a.slot, a.node, a.toxic);
      },
    };
  },
};
