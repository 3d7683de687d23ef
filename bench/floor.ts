// The floor, measured at the start of every run on the same cluster and the same paths the locks
// use: round trips to a Redis and a ZooKeeper node, direct and through the proxy (so the proxy's
// cost is reported, never hidden); one ZooKeeper quorum write; and the raw primitive pairs per
// second at each concurrency of the sweep, driven by the same worker processes as the locks.
// Round trips are sequential on one connection in this process, which is otherwise idle.
import { summaryMs } from './latency-summary.ts';
import { Redis } from 'ioredis';
import type { ClusterPlan, NodePlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { HarnessError } from '../core/errors.ts';
import { latencyHistogram, recordMs, type LatencySummaryMs } from '../core/stats.ts';
import { driveRaw, type RawOutcome } from './drive.ts';
import type { FloorFigures } from './efficiency.ts';
import type { FloorResult, PairsAt, PathRtt } from './results.ts';
import type { WorkerPool } from './worker-pool.ts';
import { ZK_EPHEMERAL, ensureZkPath, openZkSession } from './zk-session.ts';

const HOST = '127.0.0.1';

export interface SampleBudget {
  readonly durationMs: number;
  readonly maxSamples: number;
  readonly signal?: AbortSignal;
}

async function sample(budget: SampleBudget, warmup: number, once: () => Promise<unknown>): Promise<LatencySummaryMs> {
  for (let i = 0; i < warmup; i++) await once();
  const h = latencyHistogram();
  const deadline = monoMs() + budget.durationMs;
  for (let i = 0; i < budget.maxSamples && monoMs() < deadline && budget.signal?.aborted !== true; i++) {
    const t = monoMs();
    await once();
    recordMs(h, monoMs() - t);
  }
  return summaryMs(h);
}

/** Sequential PINGs on one connection. */
export async function redisRtt(port: number, budget: SampleBudget): Promise<LatencySummaryMs> {
  const c = new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 5000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await sample(budget, 50, () => c.ping());
  } finally {
    c.disconnect();
  }
}

/** Sequential `exists /` on one session: a read the connected server answers itself. */
export async function zkRtt(connect: string, budget: SampleBudget): Promise<LatencySummaryMs> {
  await using s = await openZkSession(connect);
  return await sample(budget, 20, () => s.zk.exists('/', false));
}

/** Sequential creates of an ephemeral node (each deleted again, untimed): one quorum write, W. */
export async function zkWrite(connect: string, dir: string, budget: SampleBudget): Promise<LatencySummaryMs> {
  await using s = await openZkSession(connect);
  await ensureZkPath(s.zk, dir);
  const h = latencyHistogram();
  const path = `${dir}/w`;
  const deadline = monoMs() + budget.durationMs;
  for (let i = -10; i < budget.maxSamples && monoMs() < deadline && budget.signal?.aborted !== true; i++) {
    const t = monoMs();
    await s.zk.create(path, '', ZK_EPHEMERAL);
    if (i >= 0) recordMs(h, monoMs() - t);
    await s.zk.delete_(path, -1);
  }
  return summaryMs(h);
}

export function nodeNamed(plan: ClusterPlan, name: string): NodePlan {
  const n = plan.nodes.find((x) => x.name === name);
  if (!n) throw new HarnessError('INTERNAL', `the cluster has no ${name}`);
  return n;
}

export function proxyPort(node: NodePlan, slot: number): number {
  const p = node.proxies.find((x) => x.slot === slot % node.proxies.length);
  if (!p) throw new HarnessError('INTERNAL', `${node.name} has no proxy for slot ${slot}`);
  return p.port;
}

/** The ZooKeeper connect string of client slot `slot`, as the lock clients use it. */
export function zkConnectFor(plan: ClusterPlan, slot: number): string {
  return plan.nodes
    .filter((n) => n.system === 'zookeeper')
    .map((n) => `${HOST}:${proxyPort(n, slot)}`)
    .join(',');
}

/** One redis-1 link per connection, client slot i mod slots, as the single-Redis lock clients use. */
export function rawRedisPorts(plan: ClusterPlan, connections: number): number[] {
  const redis1 = nodeNamed(plan, 'redis-1');
  return Array.from({ length: connections }, (_, i) => proxyPort(redis1, i % plan.config.clientSlots));
}

export interface FloorOptions {
  readonly clients: readonly number[];
  readonly focusClients: number;
  readonly durationMs: number;
  readonly runTag: string;
  readonly signal?: AbortSignal;
  readonly progress?: (msg: string) => void;
}

function pairsAt(clients: number, r: RawOutcome): PairsAt {
  return { clients, pairsPerSec: r.pairsPerSec, pairMs: summaryMs(r.histogram), errors: r.errors, workerCpuPercent: r.workerCpuPercent };
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : Number.NaN);

export async function measureFloor(pool: WorkerPool, plan: ClusterPlan, o: FloorOptions): Promise<{ result: FloorResult; figures: FloorFigures }> {
  const say = o.progress ?? ((): void => undefined);
  const budget: SampleBudget = { durationMs: Math.max(200, o.durationMs / 2), maxSamples: 20_000, ...(o.signal ? { signal: o.signal } : {}) };
  const short: SampleBudget = { ...budget, durationMs: Math.max(100, o.durationMs / 5), maxSamples: 2000 };
  const slots = plan.config.clientSlots;

  const redis1 = nodeNamed(plan, 'redis-1');
  const masters = plan.nodes.filter((n) => n.system === 'redis');
  // Freshly started workers, proxy connections and server JITs measure slow for a while: warm
  // everything once, untimed, so the floor is not understated (which would flatter every lock).
  say('floor: warming up (raw pairs on both systems, not recorded)');
  await driveRaw(pool, 'redis', rawRedisPorts(plan, o.focusClients), o.durationMs, `lockbench:floor:${o.runTag}:warmup`);
  await driveRaw(pool, 'zookeeper', Array.from({ length: Math.min(4, o.focusClients) }, (_, i) => zkConnectFor(plan, i % slots)), Math.min(500, o.durationMs), `${o.runTag}-warmup`);
  say(`floor: Redis round trips to ${redis1.name}, direct and through the proxy`);
  const redisRttRows: PathRtt[] = [
    { path: 'direct', address: `${HOST}:${redis1.directPort}`, rttMs: await redisRtt(redis1.directPort, budget) },
    { path: 'proxied', address: `${HOST}:${proxyPort(redis1, 0)}`, rttMs: await redisRtt(proxyPort(redis1, 0), budget) },
  ];
  const mastersRtt: number[] = [];
  for (const m of masters) mastersRtt.push((await redisRtt(proxyPort(m, 0), short)).p50);

  const zk1 = nodeNamed(plan, 'zk-1');
  say(`floor: ZooKeeper round trips to ${zk1.name}, direct and through the proxy, and one quorum write`);
  const zkRttRows: PathRtt[] = [
    { path: 'direct', address: `${HOST}:${zk1.directPort}`, rttMs: await zkRtt(`${HOST}:${zk1.directPort}`, budget) },
    { path: 'proxied', address: `${HOST}:${proxyPort(zk1, 0)}`, rttMs: await zkRtt(`${HOST}:${proxyPort(zk1, 0)}`, budget) },
  ];
  const writeMs = await zkWrite(`${HOST}:${proxyPort(zk1, 0)}`, `/lockbench/floor/${o.runTag}/write`, budget);

  const redisPairs: PairsAt[] = [];
  const zkPairs: PairsAt[] = [];
  for (const c of o.clients) {
    if (o.signal?.aborted === true) break;
    say(`floor: raw SET NX PX + compare-and-delete pairs at ${c} connections, through the proxy`);
    redisPairs.push(pairsAt(c, await driveRaw(pool, 'redis', rawRedisPorts(plan, c), o.durationMs, `lockbench:floor:${o.runTag}:c${c}`)));
    say(`floor: raw ZooKeeper create + delete pairs at ${c} sessions, through the proxy`);
    const connects = Array.from({ length: c }, (_, i) => zkConnectFor(plan, i % slots));
    zkPairs.push(pairsAt(c, await driveRaw(pool, 'zookeeper', connects, o.durationMs, `${o.runTag}-c${c}`)));
  }
  let directPairs: PairsAt | null = null;
  if (o.signal?.aborted !== true) {
    say(`floor: the same Redis pairs at ${o.focusClients} connections on the direct port (the proxy's throughput cost)`);
    const ports = Array.from({ length: o.focusClients }, () => redis1.directPort);
    directPairs = pairsAt(o.focusClients, await driveRaw(pool, 'redis', ports, o.durationMs, `lockbench:floor:${o.runTag}:direct`));
  }

  const proxied = (rows: readonly PathRtt[]): number => rows.find((r) => r.path === 'proxied')?.rttMs.p50 ?? Number.NaN;
  const direct = (rows: readonly PathRtt[]): number => rows.find((r) => r.path === 'direct')?.rttMs.p50 ?? Number.NaN;
  const result: FloorResult = {
    redis: {
      node: redis1.name,
      rtt: redisRttRows,
      mastersRttP50Ms: mastersRtt,
      proxyOverheadRatio: ratio(proxied(redisRttRows), direct(redisRttRows)),
      pairs: redisPairs,
      directPairs,
    },
    zookeeper: { node: zk1.name, rtt: zkRttRows, writeMs, proxyOverheadRatio: ratio(proxied(zkRttRows), direct(zkRttRows)), pairs: zkPairs },
  };
  const figures: FloorFigures = {
    redisRttMs: proxied(redisRttRows),
    mastersRttMs: mastersRtt,
    zkRttMs: proxied(zkRttRows),
    zkWriteMs: writeMs.p50,
    redisPairsPerSec: new Map(redisPairs.map((p) => [p.clients, p.pairsPerSec])),
    zkPairsPerSec: new Map(zkPairs.map((p) => [p.clients, p.pairsPerSec])),
  };
  return { result, figures };
}
