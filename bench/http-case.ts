// End to end over HTTP: the inventory service (bench/inventory-service.ts) runs in a worker with
// the case's lock clients and a real resource process; autocannon drives it with POST /purchase/<sku>
// round-robin over the SKUs. One SKU starts with little stock so the sold-out path (and the
// boundary where overselling would show) is exercised; the others cannot run out.
// Latency: autocannon's own histogram keeps whole milliseconds, so each response time it reports
// (a float, ms) is recorded into our µs HDR histogram instead.
import type { LinkPath } from '../locks/context.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ResourceClient } from '../resource/client.ts';
import { spawnResource } from '../resource/process.ts';
import { readAllJsonl } from '../core/jsonl.ts';
import type { AuditEntry } from '../core/history.ts';
import { latencyHistogram, recordMs, type LatencyHistogram } from '../core/stats.ts';
import type { LockName } from '../locks/registry.ts';
import { attemptsToOps, overlapOf, type OverlapSummary } from './attempts.ts';
import { usageOf } from './drive.ts';
import { skuKey } from './inventory-service.ts';
import type { HttpFigures, WorkerCaseUsage } from './results.ts';
import type { WorkerPool } from './worker-pool.ts';
import type { HttpStartResult, HttpStopResult } from './worker-protocol.ts';
import type { ErrorCounts } from './cycle-loop.ts';

/** The resource's client number for the driver's own reads and writes (never a lock client). */
const DRIVER_CLIENT = 1_000_000;
const PLENTY = 1_000_000_000;

export interface HttpCaseOptions {
  readonly lock: LockName;
  /** The links the service's lock clients use. */
  readonly via: LinkPath;
  readonly clients: number;
  readonly skus: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly runTag: string;
  /** --max-rate (an external target): autocannon's overallRate, requests (each one lock cycle) per second across its connections. */
  readonly maxRatePerSec?: number;
  readonly signal?: AbortSignal;
}

export interface HttpCaseOutcome {
  readonly figures: HttpFigures;
  readonly latency: LatencyHistogram;
  readonly errors: ErrorCounts;
  readonly overlap: OverlapSummary;
  readonly usage: readonly WorkerCaseUsage[];
  /** CPU of the main process (autocannon) during the measured run, % of one core. */
  readonly driverCpuPercent: number;
}

async function drive(port: number, paths: readonly string[], connections: number, durationMs: number, maxRatePerSec: number | undefined, signal: AbortSignal | undefined, latency?: LatencyHistogram): Promise<autocannon.Result> {
  let instance: autocannon.Instance | undefined;
  const stop = (): void => instance?.stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await new Promise<autocannon.Result>((resolve, reject) => {
      instance = autocannon(
        {
          url: `http://127.0.0.1:${port}`,
          connections,
          duration: durationMs / 1000,
          ...(maxRatePerSec !== undefined ? { overallRate: maxRatePerSec } : {}),
          timeout: 10,
          requests: paths.map((path) => ({ method: 'POST' as const, path })),
        },
        (err: Error | null, result: autocannon.Result) => (err ? reject(err) : resolve(result)),
      );
      if (latency) instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => recordMs(latency, responseTimeMs));
    });
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

export async function runHttpCase(pool: WorkerPool, o: HttpCaseOptions): Promise<HttpCaseOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-http-'));
  try {
    const auditPath = join(dir, 'audit.jsonl');
    const skus = Array.from({ length: o.skus }, (_, i) => `${o.runTag}-${o.lock}-sku${i}`);
    // The last SKU is scarce: it sells out during the run.
    const starts = skus.map((_, i) => (i === skus.length - 1 ? 25 : PLENTY));
    const ids = Array.from({ length: o.clients }, (_, i) => i);
    let stats: HttpStopResult | undefined;
    let result: autocannon.Result;
    const latency = latencyHistogram();
    let usage: WorkerCaseUsage[] = [];
    let driverCpuPercent = 0;
    // autocannon runs whole seconds at least: the rate counts from the run's own wall time, not the
    // duration asked for (a 0.3 s case ran for 1 s and read 3.3 times its rate).
    let driveMs = o.durationMs;
    {
      await using resource = await spawnResource({ auditPath, fencing: false });
      {
        await using setup = await ResourceClient.connect(resource.port);
        for (const [i, sku] of skus.entries()) await setup.write(skuKey(sku), DRIVER_CLIENT, starts[i] ?? 0);
      }
      const started = await pool.run<HttpStartResult>(0, { kind: 'http-start', lock: o.lock, via: o.via, clients: ids, resourcePort: resource.port, ttlMs: o.ttlMs, waitMs: o.waitMs }, 120_000);
      try {
        const paths = skus.map((s) => `/purchase/${s}`);
        await drive(started.result.port, paths, o.clients, o.warmupMs, o.maxRatePerSec, o.signal);
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        result = await drive(started.result.port, paths, o.clients, o.durationMs, o.maxRatePerSec, o.signal, latency);
        driveMs = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        driverCpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / driveMs) * 1000) / 10;
      } finally {
        const stopped = await pool.run<HttpStopResult | { readonly kind: 'none' }>(0, { kind: 'http-stop' }, o.waitMs + 60_000);
        if (stopped.result.kind === 'http-stop') {
          stats = stopped.result;
          // The service's CPU over its whole life (start → stop), not just the stop job's.
          const u = usageOf(stopped, o.clients);
          const cpuMs = stats.serviceCpuUserMs + stats.serviceCpuSystemMs;
          const cpuPercent = stats.serviceWallMs > 0 ? Math.round((cpuMs / stats.serviceWallMs) * 1000) / 10 : 0;
          usage = [{ ...u, cpuPercent, cpuUserMs: Math.round(stats.serviceCpuUserMs), cpuSystemMs: Math.round(stats.serviceCpuSystemMs), wallMs: Math.round(stats.serviceWallMs) }];
        }
      }
      const ends: number[] = [];
      {
        await using check = await ResourceClient.connect(resource.port);
        for (const sku of skus) ends.push(await check.read(skuKey(sku), DRIVER_CLIENT));
      }
      await resource.stop();
      if (!stats) throw new Error('the inventory service did not report');
      const audit = await readAllJsonl<AuditEntry>(auditPath);
      const keys = stats.keys;
      const ops = attemptsToOps([stats.log], (_client, k) => keys[k] ?? 'unknown-key', o.ttlMs);
      const overlap = overlapOf(ops, audit);
      const perSku = skus.map((sku, i) => {
        const start = starts[i] ?? 0;
        const end = ends[i] ?? 0;
        return { sku, start, end, sold: start - end };
      });
      const stockStart = perSku.reduce((n, s) => n + s.start, 0);
      const stockEnd = perSku.reduce((n, s) => n + s.end, 0);
      const below = perSku.filter((s) => s.end < 0).reduce((n, s) => n - s.end, 0);
      const oversell = below + Math.abs(stats.purchases - (stockStart - stockEnd));
      const status: Record<string, number> = {};
      for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) status[code] = v.count ?? 0;
      const requests = result.requests.total;
      return {
        figures: {
          connections: o.clients,
          requests,
          requestsPerSec: Math.round((requests * 1000) / driveMs),
          non2xx: result.non2xx,
          status,
          errors: result.errors,
          timeouts: result.timeouts,
          purchases: stats.purchases,
          soldOut: stats.soldOut,
          failed: stats.failed,
          stockStart,
          stockEnd,
          oversell,
          skus: perSku,
        },
        latency,
        errors: stats.errors,
        overlap,
        usage,
        driverCpuPercent,
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

