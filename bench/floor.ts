// The floor, measured at the start of every run on the same cluster and the same paths the locks
// use, for every registered system (each driver says what it measures and under which names):
// round trips to its first node, direct and through the proxy (so the proxy's cost is reported,
// never hidden); where the driver asks, every node's round trip and one quorum write; and the raw
// primitive pairs per second at each concurrency of the sweep, driven by the same worker processes
// as the locks. Round trips are sequential on one connection in this process, which is otherwise idle.
import { summaryMs } from './latency-summary.ts';
import type { SystemDriver } from '../clusters/systems/driver.ts';
import { drivers, type SystemsConfig } from '../clusters/systems/registry.ts';
import { nodesOf, type ClusterPlan, type NodePlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { HarnessError } from '../core/errors.ts';
import { latencyHistogram, recordMs, type LatencySummaryMs } from '../core/stats.ts';
import { driveRaw, type RawOutcome } from './drive.ts';
import type { FloorFigures, SystemFigures } from './efficiency.ts';
import type { FloorResult, PairsAt, PathRtt, SystemFloorResult } from './results.ts';
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

/**
 * Where worker w's raw pairs of one measurement (`label`: 'c16', 'warmup', …) live. The drivers'
 * namespaces follow one convention (a leading '/' names a path, anything else a key pattern): a
 * system whose floor leaves a directory for the run (its floorLeftovers) gets a directory per worker
 * inside it, named by the measurement's tag, so cleanup removes them; a key space gets a key prefix
 * per worker (raw keys expire).
 */
export function rawScopes(d: Driver, runTag: string, label: string): (worker: number) => string {
  const tag = d.floor.measurementTag(runTag, label);
  const dir = d.floor.floorLeftovers(runTag).find((p) => p.startsWith('/') && !p.endsWith('*'));
  return dir === undefined ? (w) => `${tag}:w${w}` : (w) => `${dir}/${tag}/w${w}`;
}

/** Raw pairs of `d` on `targets`, as one measurement `label` of the run. */
export function rawOn(pool: WorkerPool, d: Driver, targets: readonly (number | string)[], durationMs: number, runTag: string, label: string): Promise<RawOutcome> {
  return driveRaw(pool, d.name, targets, durationMs, rawScopes(d, runTag, label));
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

/** The last word of the driver's description of n nodes ("5 Redis masters" → "masters"). */
const nodeNoun = (d: Driver, n: number): string => d.describeNodes(n).trim().split(/\s+/).at(-1) ?? 'nodes';

/** The words efficiency.ts puts into formulas and bases for this system. */
export function figureWords(d: Driver): SystemFigures['words'] {
  return { pairs: d.floor.pair, node: nodeNoun(d, 1), nodes: nodeNoun(d, 2) };
}

/** bench.json's floor.<system>, under the names the driver gives its fields. */
function section(d: Driver, m: Measured): SystemFloorResult {
  const f = d.floor;
  const out: Record<string, unknown> = { node: m.node.name, rtt: m.rtt };
  if (f.everyNode) out[f.everyNode.resultField] = m.everyNodeRttP50Ms;
  if (f.quorumWrite && m.writeMs) out[f.quorumWrite.resultField] = m.writeMs;
  out['proxyOverheadRatio'] = ratio(p50Of(m.rtt, 'proxied'), p50Of(m.rtt, 'direct'));
  out['pairs'] = m.pairs;
  if (f.directPairs) out[f.directPairs.resultField] = m.directPairs;
  return out as unknown as SystemFloorResult;
}

const p50Of = (rtt: readonly PathRtt[], path: PathRtt['path']): number => rtt.find((r) => r.path === path)?.rttMs.p50 ?? Number.NaN;

/** What efficiency.ts computes this system's floors from. */
function figuresOf(d: Driver, m: Measured): SystemFigures {
  return {
    rttMs: p50Of(m.rtt, 'proxied'),
    nodesRttMs: m.everyNodeRttP50Ms,
    ...(m.writeMs ? { writeMs: m.writeMs.p50 } : {}),
    pairsPerSec: new Map(m.pairs.map((p) => [p.clients, p.pairsPerSec])),
    words: figureWords(d),
  };
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
    await rawOn(pool, d, pairTargets(plan, d, Math.min(w.maxConnections ?? o.focusClients, o.focusClients)), Math.min(w.maxMs ?? o.durationMs, o.durationMs), o.runTag, 'warmup');
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
      m.pairs.push(pairsAt(c, await rawOn(pool, d, pairTargets(plan, d, c), o.durationMs, o.runTag, `c${c}`)));
    }
  }
  for (const d of systems) {
    const m = measured.get(d.name);
    if (!m || !d.floor.directPairs || o.signal?.aborted === true) continue;
    say(`floor: the same ${d.floor.label} pairs at ${o.focusClients} ${d.floor.unit} on the direct port (the proxy's throughput cost)`);
    const ports = Array.from({ length: o.focusClients }, () => m.node.directPort);
    m.directPairs = pairsAt(o.focusClients, await rawOn(pool, d, ports, o.durationMs, o.runTag, 'direct'));
  }

  const result: Record<string, SystemFloorResult> = {};
  const figures: Record<string, SystemFigures> = {};
  for (const d of systems) {
    const m = measured.get(d.name);
    if (!m) continue;
    result[d.name] = section(d, m);
    figures[d.name] = figuresOf(d, m);
  }
  // bench.json's floor keeps its documented per-system sections (results/README.md), which
  // results.ts spells out; the drivers' field names are what fills them.
  return { result: result as unknown as FloorResult, figures: { systems: figures } };
}

/** Where the floor measured `d`'s round trips and writes: its first node, through client slot 0's proxy. */
export function floorAddress(plan: ClusterPlan, d: Driver): string | undefined {
  const first = nodesOf(plan, d.name)[0];
  return first ? `${HOST}:${proxyPort(first, 0)}` : undefined;
}
