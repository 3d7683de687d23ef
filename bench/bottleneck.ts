// Names what limited a case, from its workers' CPU and the servers' usage (bench/server-usage.ts).
// Pure, so every rule is unit-tested on hand-written usages.
//
// A process is saturated at ≥ 90% of a core: client workers, server nodes (Redis is one thread;
// a JVM can go past 100%, and at 90% of a core on a 2-core lab it already starves the rest), the
// proxy. When several are, the most saturated is named and the others are said in the detail.
// Then the disk (the cycle spends ≥ 50% of its time waiting for fsync), then the machine (≤ 10%
// idle over all cores though no single process is saturated: the lab's figures, not the lock's),
// else latency-bound: nothing is saturated, the case waits on round trips and the protocol.
// Saturation comes before the disk because a CPU-bound process caps throughput whatever the disk
// does; a high fsync share is then said in the detail.
import { drivers } from '../clusters/systems/registry.ts';
import type { Bottleneck, CaseResult, ServerUsage, WorkerCaseUsage } from './results.ts';

export const SATURATED_CPU_PERCENT = 90;
export const DISK_SHARE = 0.5;
export const MACHINE_IDLE_PERCENT = 10;

interface Candidate {
  readonly kind: 'client' | 'server' | 'proxy';
  readonly who: string;
  readonly cpuPercent: number;
}

const pct = (x: number): string => `${Math.round(x)}%`;
const say = (c: Candidate): string => `${c.who} at ${pct(c.cpuPercent)} of a core`;
const workerName = (w: WorkerCaseUsage): string => (w.worker < 0 ? 'the HTTP load driver' : `worker ${w.worker}`);

export interface BottleneckOptions {
  /** Share of the cycle spent waiting for fsync (0–1), where the system reports it (fsyncShareOfCycle). */
  readonly fsyncShareOfCycle?: number;
}

export function nameBottleneck(workers: readonly WorkerCaseUsage[], server: ServerUsage | undefined, o: BottleneckOptions): Bottleneck {
  if (!server) return { kind: 'unknown', detail: 'no server usage was measured' };
  const all: Candidate[] = [
    ...workers.map((w): Candidate => ({ kind: 'client', who: workerName(w), cpuPercent: w.cpuPercent })),
    ...server.containers.map((c): Candidate => ({ kind: c.role === 'proxy' ? 'proxy' : 'server', who: c.role === 'proxy' ? `the proxy (${c.name})` : c.name, cpuPercent: c.cpuPercent })),
  ];
  const saturated = all.filter((c) => c.cpuPercent >= SATURATED_CPU_PERCENT).sort((a, b) => b.cpuPercent - a.cpuPercent);
  const idle = server.hostIdlePercent;
  const machineBusy = Number.isFinite(idle) && idle <= MACHINE_IDLE_PERCENT;
  const disk = o.fsyncShareOfCycle !== undefined && o.fsyncShareOfCycle >= DISK_SHARE;
  const hostNote = Number.isFinite(idle) ? `host ${pct(idle)} idle of ${server.hostCores} cores` : 'host idle unknown';
  const diskNote = o.fsyncShareOfCycle !== undefined ? `fsync ${pct(o.fsyncShareOfCycle * 100)} of the cycle` : undefined;
  const busiest = [...all].sort((a, b) => b.cpuPercent - a.cpuPercent)[0];

  const [top, ...others] = saturated;
  if (top) {
    const also = [...others.map(say), ...(disk && diskNote ? [diskNote] : []), ...(machineBusy ? [hostNote] : [])];
    return { kind: top.kind, detail: `${say(top)}${also.length > 0 ? `; also high: ${also.join(', ')}` : ''}` };
  }
  if (disk && diskNote) return { kind: 'disk', detail: `${diskNote}${machineBusy ? `; also ${hostNote}` : ''}` };
  if (machineBusy) return { kind: 'machine', detail: `${hostNote}, no single process saturated${busiest ? ` (busiest: ${say(busiest)})` : ''}` };
  return { kind: 'latency-bound', detail: `nothing saturated${busiest ? ` (busiest: ${say(busiest)})` : ''}, ${hostNote}` };
}

/** Every system's fsync counters (NodeCounters.fsyncMetric): ZooKeeper's and etcd's. */
const fsyncMetrics = drivers.flatMap((d) => (d.counters?.fsyncMetric ? [d.counters.fsyncMetric] : []));

/**
 * The share of a cycle spent in fsync, from the nodes' fsync counters (sum ÷ count = mean fsync ms
 * over the window, on the node that fsynced most often: the leader logs every write): mean fsync ×
 * writes per cycle ÷ the cycle's p50. Undefined when no node reports fsync time (Redis's INFO has
 * none: with AOF only aof_delayed_fsync, a count).
 */
export function fsyncShareOfCycle(server: ServerUsage | undefined, o: { readonly cycleP50Ms: number | undefined; readonly writesPerCycle: number }): number | undefined {
  if (!server?.counters || o.cycleP50Ms === undefined || o.cycleP50Ms <= 0 || o.writesPerCycle <= 0) return undefined;
  let best: { count: number; sumMs: number } | undefined;
  for (const c of Object.values(server.counters)) {
    for (const m of fsyncMetrics) {
      const count = c[m.count];
      const sumMs = c[m.sumMs];
      if (count === undefined || sumMs === undefined || count <= 0) continue;
      if (!best || count > best.count) best = { count, sumMs };
    }
  }
  if (!best) return undefined;
  const share = ((best.sumMs / best.count) * o.writesPerCycle) / o.cycleP50Ms;
  return Math.round(Math.min(1, share) * 1000) / 1000;
}

/** The case with its server usage and the bottleneck they name (fsync share from its p50 cycle and writes per cycle). */
export function withBottleneck<T extends CaseResult>(r: T, server: ServerUsage, writesPerCycle: number): T {
  const share = fsyncShareOfCycle(server, { cycleP50Ms: r.latency.cycle?.p50, writesPerCycle });
  return { ...r, server, bottleneck: nameBottleneck(r.workers, server, share === undefined ? {} : { fsyncShareOfCycle: share }) };
}
