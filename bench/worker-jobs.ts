// What a bench worker process does with each job (bench/worker-main.ts wires it to IPC). The worker
// keeps the lock clients of the current lock open between jobs — opening 64 ZooKeeper sessions per
// case would measure session setup — and closes them when a job names another lock or path.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ResourceClient } from '../resource/client.ts';
import type { ClusterPlan } from '../clusters/topology.ts';
import { systemClock } from '../core/clock.ts';
import { encodeHistogram } from '../core/stats.ts';
import { lockClientContext, type LinkPath } from '../locks/context.ts';
import type { Lease, LockClient } from '../locks/lock-client.ts';
import { lockClients, type LockName } from '../locks/registry.ts';
import { runClosedLoop, runOpenLoop, type BenchClient, type LoopResult } from './cycle-loop.ts';
import { startInventoryService, type InventoryService } from './inventory-service.ts';
import { runMicro } from './micro.ts';
import { spacedStarts } from './pace.ts';
import { rawPairs, type RawPairsResult } from './raw-pairs.ts';
import type { ClientSpec, HoldJobResult, JobResult, LoopJobResult, RawJobResult, ReleaseHeldJobResult, WorkerJob, WorkerUsage } from './worker-protocol.ts';

export class WorkerJobs {
  private lockName: LockName | undefined;
  private via: LinkPath | undefined;
  private readonly clients = new Map<number, LockClient>();
  private service: { readonly http: InventoryService; readonly resources: ResourceClient[]; readonly cpu0: NodeJS.CpuUsage; readonly t0: number } | undefined;

  constructor(private readonly plan: ClusterPlan) {}

  private async lockClientsFor(lock: LockName, via: LinkPath, ids: readonly number[]): Promise<Map<number, LockClient>> {
    if (this.lockName !== lock || this.via !== via) {
      await this.closeClients();
      this.lockName = lock;
      this.via = via;
    }
    const missing = ids.filter((id) => !this.clients.has(id));
    const made = await Promise.all(missing.map(async (id) => [id, await lockClients[lock](lockClientContext(this.plan, id, undefined, via))] as const));
    for (const [id, c] of made) this.clients.set(id, c);
    return this.clients;
  }

  private async benchClients(lock: LockName, via: LinkPath, specs: readonly ClientSpec[]): Promise<BenchClient[]> {
    const open = await this.lockClientsFor(
      lock,
      via,
      specs.map((s) => s.id),
    );
    return specs.map((s) => {
      const c = open.get(s.id);
      if (!c) throw new Error(`lock client ${s.id} was not opened`);
      return { id: s.id, lock: c, key: s.key };
    });
  }

  async closeClients(): Promise<void> {
    await this.releaseHeld();
    const all = [...this.clients.values()];
    this.clients.clear();
    this.lockName = undefined;
    this.via = undefined;
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }

  async run(job: WorkerJob, signal: AbortSignal): Promise<JobResult> {
    switch (job.kind) {
      case 'closed': {
        const clients = await this.benchClients(job.lock, job.via, job.clients);
        return loopResult(await runClosedLoop(clients, { ...job.settings, clock: systemClock, signal }));
      }
      case 'open': {
        const clients = await this.benchClients(job.lock, job.via, job.clients);
        return loopResult(await runOpenLoop(clients, { ...job.settings, clock: systemClock, signal, ratePerSec: job.ratePerSec, drainMs: job.drainMs, offsetMs: job.offsetMs }));
      }
      case 'micro': {
        const [client] = await this.benchClients(job.lock, job.via, [job.client]);
        if (!client) throw new Error('no client');
        const r = await runMicro(client, { ...job.settings, signal });
        return { kind: 'micro', cycles: r.cycles, elapsedMs: r.elapsedMs, errors: r.errors, histogram: encodeHistogram(r.histogram), log: r.log, tinybench: r.tinybench };
      }
      case 'raw':
        return rawResult(await rawPairs(job.system, job.targets, job.scope, job.settings, signal));
      case 'http-start': {
        if (this.service) throw new Error('the inventory service is already running');
        const open = await this.lockClientsFor(job.lock, job.via, job.clients);
        const resources = await Promise.all(job.clients.map(() => ResourceClient.connect(job.resourcePort)));
        const clients = job.clients.map((id, i) => {
          const lock = open.get(id);
          const resource = resources[i];
          if (!lock || !resource) throw new Error(`client ${id} is missing`);
          return { id, lock, resource };
        });
        const http = await startInventoryService({ clients, ttlMs: job.ttlMs, waitMs: job.waitMs });
        this.service = { http, resources, cpu0: process.cpuUsage(), t0: performance.now() };
        return { kind: 'http-start', port: http.port };
      }
      case 'http-stop': {
        const s = this.service;
        if (!s) return { kind: 'none' };
        this.service = undefined;
        try {
          const stats = await s.http.stop();
          const cpu = process.cpuUsage(s.cpu0);
          return { kind: 'http-stop', ...stats, serviceCpuUserMs: cpu.user / 1000, serviceCpuSystemMs: cpu.system / 1000, serviceWallMs: performance.now() - s.t0 };
        } finally {
          await Promise.all(s.resources.map((r) => r.close()));
        }
      }
      case 'close-clients':
        await this.closeClients();
        return { kind: 'none' };
      case 'hold':
        return this.hold(job, signal);
      case 'release-held':
        return this.releaseHeld();
    }
  }

  private readonly held: { readonly lock: LockClient; readonly lease: Lease }[] = [];

  private async hold(job: Extract<WorkerJob, { kind: 'hold' }>, signal: AbortSignal): Promise<HoldJobResult> {
    const t0 = performance.now();
    const open = await this.lockClientsFor(
      job.lock,
      job.via,
      job.holders.map((h) => h.id),
    );
    let failed = 0;
    let skipped = 0;
    const over = (): boolean => signal.aborted || performance.now() - t0 >= job.budgetMs;
    const nextStart = spacedStarts(job.maxRatePerSec);
    await Promise.all(
      job.holders.flatMap((h) => {
        const lock = open.get(h.id);
        if (!lock) throw new Error(`lock client ${h.id} was not opened`);
        let next = 0;
        // `inFlight` lanes per holder take the holder's keys in turn.
        return Array.from({ length: Math.max(1, job.inFlight) }, async () => {
          while (next < h.keys.length) {
            const key = h.keys[next++];
            if (key === undefined) break;
            if (over()) {
              skipped++;
              continue;
            }
            try {
              await nextStart();
              const r = await lock.acquire(key, { ttlMs: job.ttlMs, waitMs: job.waitMs });
              if (r.acquired) this.held.push({ lock, lease: r.lease });
              else failed++;
            } catch {
              failed++;
            }
          }
        });
      }),
    );
    return { kind: 'hold', held: this.held.length, failed, skipped, elapsedMs: performance.now() - t0 };
  }

  private async releaseHeld(): Promise<ReleaseHeldJobResult> {
    const t0 = performance.now();
    const all = this.held.splice(0);
    let released = 0;
    // Bounded parallelism: thousands of releases at once would queue on a few connections anyway,
    // and a fan-out lock's releases time out on a loaded machine when hundreds go at once.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(16, all.length) }, async () => {
        while (next < all.length) {
          const h = all[next++];
          if (!h) break;
          try {
            if ((await h.lock.release(h.lease)) === 'released') released++;
          } catch {
            // Counted below; a TTL lease expires, a session's go when the client closes.
          }
        }
      }),
    );
    return { kind: 'release-held', released, notReleased: all.length - released, elapsedMs: performance.now() - t0 };
  }

  async dispose(): Promise<void> {
    if (this.service) await this.run({ kind: 'http-stop' }, new AbortController().signal).catch(() => undefined);
    await this.closeClients();
  }
}

function loopResult(r: LoopResult): LoopJobResult {
  const h = r.histograms;
  return {
    kind: 'loop',
    cycles: r.cycles,
    attempts: r.attempts,
    errors: r.errors,
    histograms: { acquire: encodeHistogram(h.acquire), wait: encodeHistogram(h.wait), cycle: encodeHistogram(h.cycle), service: encodeHistogram(h.service) },
    log: r.log,
    measureStartMs: r.measureStartMs,
    measureEndMs: r.measureEndMs,
    measuredMs: r.measuredMs,
    ...(r.offered === undefined ? {} : { offered: r.offered }),
    ...(r.unserved === undefined ? {} : { unserved: r.unserved }),
  };
}

function rawResult(r: RawPairsResult): RawJobResult {
  return { kind: 'raw', pairs: r.pairs, elapsedMs: r.elapsedMs, errors: r.errors, histogram: encodeHistogram(r.histogram) };
}

/** Measures CPU and event-loop delay around one job. */
export async function withUsage<T>(fn: () => Promise<T>): Promise<{ value: T; usage: WorkerUsage }> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await fn();
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    loop.disable();
    const p99 = loop.count > 0 ? loop.percentile(99) / 1e6 : 0;
    return {
      value,
      usage: { pid: process.pid, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, wallMs, eventLoopDelayP99Ms: Math.round(p99 * 1000) / 1000 },
    };
  } finally {
    loop.disable();
  }
}
