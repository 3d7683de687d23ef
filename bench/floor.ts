// The floor, measured at the start of every run on the same cluster and the same paths the locks
// use, for every registered system (each driver says what it measures and under which names):
// round trips to its first node, direct and through the proxy (so the proxy's cost is reported,
// never hidden); where the driver asks, every node's round trip and one quorum write; and the raw
// primitive pairs per second at each concurrency of the sweep, driven by the same worker processes
// as the locks. Round trips are sequential on one connection in this process, which is otherwise idle.
import { summaryMs } from './latency-summary.ts';
import type { SystemDriver } from '../clusters/systems/driver.ts';
import { driverFor, drivers, isSystemName, type SystemsConfig } from '../clusters/systems/registry.ts';
import { nodesOf, type ClusterPlan, type NodePlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { HarnessError } from '../core/errors.ts';
import { latencyHistogram, recordMs, type LatencySummaryMs } from '../core/stats.ts';
import { driveRaw, type RawOutcome } from './drive.ts';
import type { FloorFigures } from './efficiency.ts';
import type { FloorResult, PairsAt, PathRtt } from './results.ts';
import type { WorkerPool } from './worker-pool.ts';

const HOST = '127.0.0.1';
type Driver = SystemDriver<SystemsConfig>;

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

/** Sequential round trips on one connection to `address` (a connect string for ensembles). */
export async function roundTripSample(d: Driver, address: string, budget: SampleBudget): Promise<LatencySummaryMs> {
  const opened = await (await d.floor.ops()).roundTrips(address);
  try {
    return await sample(budget, d.floor.roundTripWarmup, opened.ops);
  } finally {
    await opened.close();
  }
}

/** Sequential quorum writes (each undone again, untimed): W. */
export async function quorumWriteSample(d: Driver, address: string, dir: string, budget: SampleBudget): Promise<LatencySummaryMs> {
  const ops = await d.floor.ops();
  if (!ops.quorumWrites) throw new HarnessError('INTERNAL', `${d.name} has no quorum writes to measure`);
  const opened = await ops.quorumWrites(address, dir);
  try {
    const h = latencyHistogram();
    const deadline = monoMs() + budget.durationMs;
    for (let i = -10; i < budget.maxSamples && monoMs() < deadline && budget.signal?.aborted !== true; i++) {
      const t = monoMs();
      await opened.ops.write();
      if (i >= 0) recordMs(h, monoMs() - t);
      await opened.ops.undo();
    }
    return summaryMs(h);
  } finally {
    await opened.close();
  }
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

/** Raw-pair targets of `d` for `connections` connections, client slot i mod slots, as its lock clients connect. */
export function pairTargets(plan: ClusterPlan, d: Driver, connections: number): (number | string)[] {
  const nodes = nodesOf(plan, d.name);
  return Array.from({ length: connections }, (_, i) => d.floor.pairTarget(nodes, i % plan.config.clientSlots));
}

function rawOn(pool: WorkerPool, d: Driver, targets: readonly (number | string)[], durationMs: number, tag: string): Promise<RawOutcome> {
  if (!isSystemName(d.name)) throw new HarnessError('INTERNAL', `${d.name} is not registered`);
  return driveRaw(pool, d.name, targets, durationMs, tag);
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

/** What one system's floor measured, before it is named the driver's way. */
interface Measured {
  readonly node: NodePlan;
  readonly rtt: PathRtt[];
  readonly everyNodeRttP50Ms: number[];
  readonly writeMs?: LatencySummaryMs;
  readonly pairs: PairsAt[];
  directPairs: PairsAt | null;
}

/** bench.json's floor.<system> and the FloorFigures fields, under the names the driver gives them. */
function named(d: Driver, m: Measured): { section: Record<string, unknown>; figures: Record<string, unknown> } {
  const f = d.floor;
  const proxied = m.rtt.find((r) => r.path === 'proxied')?.rttMs.p50 ?? Number.NaN;
  const direct = m.rtt.find((r) => r.path === 'direct')?.rttMs.p50 ?? Number.NaN;
  const section: Record<string, unknown> = { node: m.node.name, rtt: m.rtt };
  const figures: Record<string, unknown> = { [f.figureFields.roundTrip]: proxied };
  if (f.everyNode) {
    section[f.everyNode.resultField] = m.everyNodeRttP50Ms;
    figures[f.everyNode.figureField] = m.everyNodeRttP50Ms;
  }
  if (f.quorumWrite && m.writeMs) {
    section[f.quorumWrite.resultField] = m.writeMs;
    figures[f.quorumWrite.figureField] = m.writeMs.p50;
  }
  section['proxyOverheadRatio'] = ratio(proxied, direct);
  section['pairs'] = m.pairs;
  if (f.directPairs) section[f.directPairs.resultField] = m.directPairs;
  figures[f.figureFields.pairsPerSec] = new Map(m.pairs.map((p) => [p.clients, p.pairsPerSec]));
  return { section, figures };
}

export async function measureFloor(pool: WorkerPool, plan: ClusterPlan, o: FloorOptions): Promise<{ result: FloorResult; figures: FloorFigures }> {
  const say = o.progress ?? ((): void => undefined);
  const budget: SampleBudget = { durationMs: Math.max(200, o.durationMs / 2), maxSamples: 20_000, ...(o.signal ? { signal: o.signal } : {}) };
  const short: SampleBudget = { ...budget, durationMs: Math.max(100, o.durationMs / 5), maxSamples: 2000 };
  const systems = drivers.filter((d) => nodesOf(plan, d.name).length > 0);

  // Freshly started workers, proxy connections and server JITs measure slow for a while: warm
  // everything once, untimed, so the floor is not understated (which would flatter every lock).
  say('floor: warming up (raw pairs on every system, not recorded)');
  for (const d of systems) {
    const w = d.floor.warmup;
    await rawOn(pool, d, pairTargets(plan, d, Math.min(w.maxConnections ?? o.focusClients, o.focusClients)), Math.min(w.maxMs ?? o.durationMs, o.durationMs), d.floor.measurementTag(o.runTag, 'warmup'));
  }

  const measured = new Map<string, Measured>();
  for (const d of systems) {
    const f = d.floor;
    const nodes = nodesOf(plan, d.name);
    const first = nodes[0];
    if (!first) continue;
    say(`floor: ${f.label} round trips to ${first.name}, direct and through the proxy${f.quorumWrite ? ', and one quorum write' : ''}`);
    const rtt: PathRtt[] = [
      { path: 'direct', address: `${HOST}:${first.directPort}`, rttMs: await roundTripSample(d, `${HOST}:${first.directPort}`, budget) },
      { path: 'proxied', address: `${HOST}:${proxyPort(first, 0)}`, rttMs: await roundTripSample(d, `${HOST}:${proxyPort(first, 0)}`, budget) },
    ];
    const everyNodeRttP50Ms: number[] = [];
    if (f.everyNode) for (const n of nodes) everyNodeRttP50Ms.push((await roundTripSample(d, `${HOST}:${proxyPort(n, 0)}`, short)).p50);
    const writeMs = f.quorumWrite ? await quorumWriteSample(d, `${HOST}:${proxyPort(first, 0)}`, f.quorumWrite.dir(o.runTag, 'write'), budget) : undefined;
    measured.set(d.name, { node: first, rtt, everyNodeRttP50Ms, ...(writeMs ? { writeMs } : {}), pairs: [], directPairs: null });
  }

  for (const c of o.clients) {
    if (o.signal?.aborted === true) break;
    for (const d of systems) {
      const m = measured.get(d.name);
      if (!m) continue;
      say(`floor: ${d.floor.pair} at ${c} ${d.floor.unit}, through the proxy`);
      m.pairs.push(pairsAt(c, await rawOn(pool, d, pairTargets(plan, d, c), o.durationMs, d.floor.measurementTag(o.runTag, `c${c}`))));
    }
  }
  for (const d of systems) {
    const m = measured.get(d.name);
    if (!m || !d.floor.directPairs || o.signal?.aborted === true) continue;
    say(`floor: the same ${d.floor.label} pairs at ${o.focusClients} ${d.floor.unit} on the direct port (the proxy's throughput cost)`);
    const ports = Array.from({ length: o.focusClients }, () => m.node.directPort);
    m.directPairs = pairsAt(o.focusClients, await rawOn(pool, d, ports, o.durationMs, d.floor.measurementTag(o.runTag, 'direct')));
  }

  const result: Record<string, unknown> = {};
  const figures: Record<string, unknown> = {};
  for (const d of systems) {
    const m = measured.get(d.name);
    if (!m) continue;
    const n = named(d, m);
    result[d.name] = n.section;
    Object.assign(figures, n.figures);
  }
  // bench/results.ts and bench/efficiency.ts spell these out per system; the drivers' field names
  // are what fills them.
  return { result: result as unknown as FloorResult, figures: figures as unknown as FloorFigures };
}

// What bench/suite.ts calls by system name (the WAN re-measurement and the paired raw control).
export const redisRtt = (port: number, budget: SampleBudget): Promise<LatencySummaryMs> => roundTripSample(driverFor('redis'), `${HOST}:${port}`, budget);
export const zkRtt = (connect: string, budget: SampleBudget): Promise<LatencySummaryMs> => roundTripSample(driverFor('zookeeper'), connect, budget);
export const zkWrite = (connect: string, dir: string, budget: SampleBudget): Promise<LatencySummaryMs> => quorumWriteSample(driverFor('zookeeper'), connect, dir, budget);
export const zkConnectFor = (plan: ClusterPlan, slot: number): string => String(driverFor('zookeeper').floor.pairTarget(nodesOf(plan, 'zookeeper'), slot));
export const rawRedisPorts = (plan: ClusterPlan, connections: number): number[] => pairTargets(plan, driverFor('redis'), connections).map(Number);
