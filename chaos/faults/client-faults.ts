// Faults on clients: client-pause (SIGSTOP the worker process, ideally while it holds a lock, for a
// multiple of the TTL / session timeout: the GC-pause case) and latency (latency ± jitter toxics on
// both directions of every link of the chosen clients).
import { readFileSync } from 'node:fs';
import { redisPing, tcpRequest } from '../../clusters/probes.ts';
import { HarnessError } from '../../core/errors.ts';
import type { FaultMechanism } from './fault.ts';
import { slotOf } from './fault.ts';

/** The process state letter from /proc (T = stopped). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

export const clientPause: FaultMechanism = async (step, ctx) => {
  const clients = step.clients ?? [];
  const holding = ctx.workers.holders();
  for (const c of clients) {
    ctx.workers.pause(c);
    const pid = ctx.workers.pid(c);
    // SIGSTOP is delivered asynchronously; give the kernel a moment before checking.
    for (let i = 0; i < 50 && processState(pid) !== 'T'; i++) await new Promise((r) => setTimeout(r, 10));
    if (processState(pid) !== 'T') throw new HarnessError('FAULT_NOT_EFFECTIVE', `client-pause did not take effect: worker ${c} (pid ${pid}) is not stopped`);
  }
  return {
    targets: { clients, heldLockWhenPaused: clients.filter((c) => holding.includes(c)), pauseMs: step.durationMs },
    heal: async () => {
      for (const c of clients) {
        ctx.workers.resume(c);
        const pid = ctx.workers.pid(c);
        for (let i = 0; i < 50 && processState(pid) === 'T'; i++) await new Promise((r) => setTimeout(r, 10));
        if (processState(pid) === 'T') throw new HarnessError('FAULT_NOT_EFFECTIVE', `worker ${c} is still stopped after SIGCONT`);
      }
    },
  };
};

export const latency: FaultMechanism = async (step, ctx) => {
  const { control } = ctx;
  const latencyMs = step.latencyMs ?? 0;
  const jitterMs = step.jitterMs ?? 0;
  const slots = [...new Set((step.clients ?? []).map((c) => slotOf(ctx, c)))];
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
    // Probe one link: a round trip must now take at least the injected latency less the jitter.
    const first = control.plan.nodes[0];
    const slot = slots[0];
    if (first && slot !== undefined) {
      const port = control.linkPort(slot, first.name);
      const r = first.system === 'redis' ? await redisPing('127.0.0.1', port, 5000) : await tcpRequest('127.0.0.1', port, 'ruok', { timeoutMs: 5000 });
      const floorMs = Math.max(0, latencyMs - jitterMs) * 0.8;
      if (r.state !== 'answered' || r.rttMs < floorMs) {
        throw new HarnessError('FAULT_NOT_EFFECTIVE', `latency did not take effect on ${first.name}: ${r.state === 'answered' ? `round trip ${r.rttMs.toFixed(1)} ms < ${floorMs} ms` : r.state}`);
      }
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
};
