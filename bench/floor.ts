// The floor, measured at the start of every run on the same cluster, for every registered system
// (each driver says what it measures and under which names), on both paths a lock client can use —
// the nodes' own ports and the proxy's links — so the proxy's cost is reported, never hidden: round
// trips to its first node; where the driver asks, every node's round trip and one quorum write; and
// the raw primitive pairs per second at each concurrency of the sweep, driven by the lock cases' own
// closed loop in the same worker processes, on the same connections their clients would open
// (raw-pairs.ts). The run's path is measured again after its cases and the higher rate kept, so the
// floor bounds every case (Floor.remeasure). Round trips are sequential on one connection in
// this process, which is otherwise idle.
import { summaryMs } from './latency-summary.ts';
import type { SystemDriver } from '../clusters/systems/driver.ts';
import { drivers, type SystemsConfig } from '../clusters/systems/registry.ts';
import { nodesOf, type ClusterPlan, type NodePlan } from '../clusters/topology.ts';
import { monoMs, sleep } from '../core/clock.ts';
import { errorMessage, HarnessError } from '../core/errors.ts';
import { endpointsFor, type LinkPath } from '../locks/context.ts';
import { latencyHistogram, recordMs, type LatencySummaryMs } from '../core/stats.ts';
import { driveRaw, type RawOutcome } from './drive.ts';
import type { FloorFigures, SystemFigures } from './efficiency.ts';
import type { FloorResult, PairsAt, PathRtt, SystemFloorResult } from './results.ts';
import type { WorkerPool } from './worker-pool.ts';
import type { CycleSettings } from './worker-protocol.ts';

const HOST = '127.0.0.1';
type Driver = SystemDriver<SystemsConfig>;

export interface SampleBudget {
  readonly durationMs: number;
  readonly maxSamples: number;
  readonly signal?: AbortSignal;
  /** --max-rate: samples start at least this far apart (bench/pace.ts); absent: back to back. */
  readonly minIntervalMs?: number;
}

/** Waits out the rest of a sample's interval under --max-rate; a sample of `ops` operations rests `ops` intervals. */
async function rest(budget: SampleBudget, startedMs: number, ops = 1): Promise<void> {
  const restMs = startedMs + ops * (budget.minIntervalMs ?? 0) - monoMs();
  if (restMs > 0 && budget.signal?.aborted !== true) await sleep(Math.ceil(restMs), budget.signal).catch(() => undefined);
}

async function sample(budget: SampleBudget, warmup: number, once: () => Promise<unknown>): Promise<LatencySummaryMs> {
  for (let i = 0; i < warmup; i++) await once();
  const h = latencyHistogram();
  const deadline = monoMs() + budget.durationMs;
  for (let i = 0; i < budget.maxSamples && monoMs() < deadline && budget.signal?.aborted !== true; i++) {
    const t = monoMs();
    await once();
    recordMs(h, monoMs() - t);
    await rest(budget, t);
  }
  return summaryMs(h);
}

/**
 * One floor sample, measured once more on a fresh connection if it fails: on two cores shared with
 * the cluster a node can stall past its client's timeout (CI saw ZooKeeper's native client give up
 * on a quorum write after 2.7 s without an answer), and one stall says nothing about the floor. A
 * second failure ends the run with what was being measured and both causes. The failed attempt's
 * timings are dropped; the progress line says it happened.
 */
export async function sampleWithRetry<T>(what: string, measure: () => Promise<T>, say: (msg: string) => void, signal?: AbortSignal): Promise<T> {
  // A function, not a narrowed expression: the signal can be aborted between the two looks.
  const aborted = (): boolean => signal?.aborted === true;
  try {
    return await measure();
  } catch (first) {
    if (aborted()) throw first;
    say(`floor: ${what} failed (${errorMessage(first)}); measuring it again on a new connection`);
    try {
      return await measure();
    } catch (second) {
      if (aborted()) throw second;
      throw new HarnessError('FLOOR_FAILED', `the floor could not measure ${what}: it failed twice, each time on a new connection (${errorMessage(first)}; then ${errorMessage(second)}). Check the node with \`npm run status\`; \`npm run up\` recreates an unhealthy cluster.`, { cause: second });
    }
  }
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
      await rest(budget, t, 2); // a write and its undo
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

/**
 * Raw-pair targets of `d` for `connections` connections: connection i stands in for lock client i
 * and uses the links that client would use on `via` (its slot's proxy links, or the nodes' ports).
 */
export function pairTargets(plan: ClusterPlan, d: Driver, connections: number, via: LinkPath): (number | string)[] {
  return Array.from({ length: connections }, (_, i) => d.floor.pairTarget(endpointsFor(plan, i, d.name, via)));
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

/** Raw pairs of `d` on `targets`, as one measurement `label` of the run, in the lock cases' closed loop. */
export function rawOn(pool: WorkerPool, d: Driver, targets: readonly (number | string)[], settings: CycleSettings, runTag: string, label: string): Promise<RawOutcome> {
  return driveRaw(pool, d.name, targets, settings, rawScopes(d, runTag, label));
}

export interface FloorOptions {
  readonly clients: readonly number[];
  readonly focusClients: number;
  /** The raw pairs' closed loop: the lock cases' warm-up, and a measured window of its own. */
  readonly settings: CycleSettings;
  /** The run's path first (its figures are the ones the cases use), then any other path to report. */
  readonly paths: readonly LinkPath[];
  readonly runTag: string;
  readonly signal?: AbortSignal;
  readonly progress?: (msg: string) => void;
}

function pairsAt(clients: number, via: LinkPath, r: RawOutcome): PairsAt {
  return { clients, path: via, pairsPerSec: r.pairsPerSec, samplesPerSec: [r.pairsPerSec], pairMs: summaryMs(r.histogram), errors: r.errors, workerCpuPercent: r.workerCpuPercent };
}

/**
 * A second measurement of the same pairs: the floor keeps the higher rate (the ceiling is the most
 * the primitives were seen to do in this run), its latency and CPU, and every sample.
 */
export function mergePairs(a: PairsAt, b: PairsAt): PairsAt {
  const best = b.pairsPerSec > a.pairsPerSec ? b : a;
  return { ...best, samplesPerSec: [...(a.samplesPerSec ?? [a.pairsPerSec]), ...(b.samplesPerSec ?? [b.pairsPerSec])] };
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 100) / 100 : Number.NaN);

/** What one system's floor measured on one path (latencies: the lowest of its measurements). */
interface PathMeasured {
  rtt: LatencySummaryMs;
  everyNodeRttP50Ms: number[];
  writeMs?: LatencySummaryMs;
  pairs: PairsAt[];
}

const lower = (a: LatencySummaryMs, b: LatencySummaryMs): LatencySummaryMs => (b.p50 < a.p50 ? b : a);

/** What one system's floor measured, before it is named the driver's way. */
interface Measured {
  readonly node: NodePlan;
  readonly nodes: readonly NodePlan[];
  readonly byPath: Map<LinkPath, PathMeasured>;
}

/** The last word of the driver's description of n nodes ("5 Redis masters" → "masters"). */
const nodeNoun = (d: Driver, n: number): string => d.describeNodes(n).trim().split(/\s+/).at(-1) ?? 'nodes';

/** The words efficiency.ts puts into formulas and bases for this system. */
export function figureWords(d: Driver): SystemFigures['words'] {
  const write = d.floor.quorumWrite?.word;
  return { pairs: d.floor.pair, node: nodeNoun(d, 1), nodes: nodeNoun(d, 2), ...(write !== undefined ? { write } : {}) };
}

const rttPath = (via: LinkPath): PathRtt['path'] => (via === 'proxy' ? 'proxied' : 'direct');

/** One path's figures under the names the driver gives its fields. */
function pathFields(d: Driver, via: LinkPath, m: PathMeasured): Record<string, unknown> {
  const f = d.floor;
  const out: Record<string, unknown> = { path: via };
  if (f.everyNode) out[f.everyNode.resultField] = m.everyNodeRttP50Ms;
  if (f.quorumWrite && m.writeMs) out[f.quorumWrite.resultField] = m.writeMs;
  out['pairs'] = m.pairs;
  return out;
}

/** bench.json's floor.<system>: the run's path at the top level, every other path under otherPaths. */
function section(d: Driver, m: Measured, paths: readonly LinkPath[]): SystemFloorResult {
  const rtt: PathRtt[] = [];
  for (const via of ['direct', 'proxy'] as const) {
    const pm = m.byPath.get(via);
    if (pm) rtt.push({ path: rttPath(via), address: via === 'direct' ? `${HOST}:${m.node.directPort}` : `${HOST}:${proxyPort(m.node, 0)}`, rttMs: pm.rtt });
  }
  const [main, ...others] = paths;
  const mainMeasured = main === undefined ? undefined : m.byPath.get(main);
  const out: Record<string, unknown> = { node: m.node.name, rtt, ...(main && mainMeasured ? pathFields(d, main, mainMeasured) : { pairs: [] }) };
  out['proxyOverheadRatio'] = ratio(p50Of(rtt, 'proxied'), p50Of(rtt, 'direct'));
  out['otherPaths'] = others.flatMap((via) => {
    const pm = m.byPath.get(via);
    return pm ? [pathFields(d, via, pm)] : [];
  });
  return out as unknown as SystemFloorResult;
}

const p50Of = (rtt: readonly PathRtt[], path: PathRtt['path']): number => rtt.find((r) => r.path === path)?.rttMs.p50 ?? Number.NaN;

/** What efficiency.ts computes this system's floors on one path from. */
function figuresOf(d: Driver, m: PathMeasured): SystemFigures {
  return {
    rttMs: m.rtt.p50,
    nodesRttMs: m.everyNodeRttP50Ms,
    ...(m.writeMs ? { writeMs: m.writeMs.p50 } : {}),
    pairsPerSec: new Map(m.pairs.map((p) => [p.clients, p.pairsPerSec])),
    words: figureWords(d),
  };
}

/** The address of `node` on a path, as the floor's round trips use it (slot 0's link through the proxy). */
const addressOn = (node: NodePlan, via: LinkPath): string => `${HOST}:${via === 'direct' ? node.directPort : proxyPort(node, 0)}`;

/** The floor's figures per path: what the cases' floors are derived from (efficiency.ts). */
export type PathFigures = Readonly<Partial<Record<LinkPath, FloorFigures>>>;

/** The floor as measured so far: bench.json's section and the figures, recomputed from `measured`. */
export class Floor {
  constructor(
    private readonly measured: Map<string, Measured>,
    private readonly paths: readonly LinkPath[],
  ) {}

  result(): FloorResult {
    const result: Record<string, SystemFloorResult> = {};
    for (const d of drivers) {
      const m = this.measured.get(d.name);
      if (m) result[d.name] = section(d, m, this.paths);
    }
    // bench.json's floor keeps its documented per-system sections (results/README.md), which
    // results.ts spells out; the drivers' field names are what fills them.
    return result as unknown as FloorResult;
  }

  figures(): PathFigures {
    const out: Partial<Record<LinkPath, FloorFigures>> = {};
    for (const via of this.paths) {
      const systems: Record<string, SystemFigures> = {};
      for (const d of drivers) {
        const pm = this.measured.get(d.name)?.byPath.get(via);
        if (pm) systems[d.name] = figuresOf(d, pm);
      }
      out[via] = { systems };
    }
    return out;
  }

  /**
   * Measures every path again — the raw pairs at every concurrency, keeping the higher rate of each
   * (mergePairs), and the round trips and writes, keeping the lower — because a machine shared with
   * JITs (ZooKeeper's C2 compiles for a while after start), GC and page cache drifts, and a floor
   * measured once in a slow moment would be beaten by the locks it is meant to bound.
   */
  async remeasure(pool: WorkerPool, plan: ClusterPlan, o: FloorOptions): Promise<void> {
    const say = o.progress ?? ((): void => undefined);
    for (const via of this.paths) {
      for (const d of drivers) {
        const m = this.measured.get(d.name);
        const pm = m?.byPath.get(via);
        if (!m || !pm || o.signal?.aborted === true) continue;
        say(`floor: ${d.floor.label} round trips${d.floor.quorumWrite ? ' and quorum writes' : ''} again (${via}), keeping the lower`);
        const again = await latenciesOn(d, m.nodes, via, o, 'again');
        pm.rtt = lower(pm.rtt, again.rtt);
        pm.everyNodeRttP50Ms = pm.everyNodeRttP50Ms.map((ms, i) => Math.min(ms, again.everyNodeRttP50Ms[i] ?? ms));
        if (pm.writeMs && again.writeMs) pm.writeMs = lower(pm.writeMs, again.writeMs);
      }
      for (const c of o.clients) {
        for (const d of drivers) {
          const pm = this.measured.get(d.name)?.byPath.get(via);
          if (!pm || o.signal?.aborted === true) continue;
          say(`floor: ${d.floor.pair} at ${c} ${d.floor.unit} again (${via}), keeping the higher rate`);
          const again = pairsAt(c, via, await rawOn(pool, d, pairTargets(plan, d, c, via), o.settings, o.runTag, `again-${via}-c${c}`));
          pm.pairs = pm.pairs.map((p) => (p.clients === c ? mergePairs(p, again) : p));
        }
      }
    }
  }
}

/**
 * One path's latencies of `d`: the round trip to its first node, every node's where the driver
 * asks, and one quorum write at each node, keeping the fastest node's. A write sent to a follower
 * is forwarded to the leader first; the floor is the least a lock client can see, which is the
 * leader's (a client whose session landed on a follower pays the forward, and its efficiency says so).
 */
async function latenciesOn(d: Driver, nodes: readonly NodePlan[], via: LinkPath, o: FloorOptions, label: string): Promise<Omit<PathMeasured, 'pairs'>> {
  const cap = o.settings.maxRatePerSec;
  const budget: SampleBudget = { durationMs: Math.max(200, o.settings.durationMs / 2), maxSamples: 20_000, ...(o.signal ? { signal: o.signal } : {}), ...(cap !== undefined ? { minIntervalMs: 1000 / cap } : {}) };
  const short: SampleBudget = { ...budget, durationMs: Math.max(100, o.settings.durationMs / 5), maxSamples: 2000 };
  const f = d.floor;
  const first = nodes[0];
  if (!first) throw new HarnessError('INTERNAL', `${d.name} has no nodes to measure`);
  const say = o.progress ?? ((): void => undefined);
  const retried = <T>(what: string, measure: () => Promise<T>): Promise<T> => sampleWithRetry(`${f.label} ${what} (${via})`, measure, say, o.signal);
  const rtt = await retried(`round trips to ${first.name}`, () => roundTripSample(d, addressOn(first, via), budget));
  const everyNodeRttP50Ms: number[] = [];
  if (f.everyNode) for (const n of nodes) everyNodeRttP50Ms.push((await retried(`round trips to ${n.name}`, () => roundTripSample(d, addressOn(n, via), short))).p50);
  let writeMs: LatencySummaryMs | undefined;
  const write = f.quorumWrite;
  if (write) {
    for (const n of nodes) {
      // The retry writes under a directory of its own: the failed attempt's znode may outlive it.
      let attempt = 0;
      const w = await retried(`quorum writes at ${n.name}`, () => quorumWriteSample(d, addressOn(n, via), write.dir(o.runTag, `write-${via}-${label}-${n.name}${attempt++ === 0 ? '' : '-again'}`), short));
      writeMs = writeMs ? lower(writeMs, w) : w;
    }
  }
  return { rtt, everyNodeRttP50Ms, ...(writeMs ? { writeMs } : {}) };
}

/** The nodes a system's floor is timed on (FloorSpec.measuredNodes; default every node). */
function measuredNodesOf(plan: ClusterPlan, d: Driver): readonly NodePlan[] {
  const all = nodesOf(plan, d.name);
  return d.floor.measuredNodes ? d.floor.measuredNodes(all) : all;
}

export async function measureFloor(pool: WorkerPool, plan: ClusterPlan, o: FloorOptions): Promise<Floor> {
  const say = o.progress ?? ((): void => undefined);
  const systems = drivers.filter((d) => nodesOf(plan, d.name).length > 0);

  // Freshly started workers, proxy connections and server JITs measure slow for a while: warm
  // everything once, untimed, on every path, so the floor is not understated (which would flatter
  // every lock).
  say('floor: warming up (raw pairs on every system and path, not recorded)');
  for (const d of systems) {
    const w = d.floor.warmup;
    const connections = Math.min(w.maxConnections ?? o.focusClients, o.focusClients);
    for (const via of o.paths) await rawOn(pool, d, pairTargets(plan, d, connections, via), { ...o.settings, warmupMs: 0, durationMs: Math.min(w.maxMs ?? o.settings.durationMs, o.settings.durationMs) }, o.runTag, `warmup-${via}`);
  }

  const measured = new Map<string, Measured>();
  for (const d of systems) {
    const f = d.floor;
    const nodes = measuredNodesOf(plan, d);
    const first = nodes[0];
    if (!first) continue;
    const byPath = new Map<LinkPath, PathMeasured>();
    for (const via of o.paths) {
      say(`floor: ${f.label} round trips to ${first.name} (${via})${f.quorumWrite ? ', and one quorum write at each node' : ''}`);
      byPath.set(via, { ...(await latenciesOn(d, nodes, via, o, 'first')), pairs: [] });
    }
    measured.set(d.name, { node: first, nodes, byPath });
  }

  for (const via of o.paths) {
    for (const c of o.clients) {
      if (o.signal?.aborted === true) break;
      for (const d of systems) {
        const pm = measured.get(d.name)?.byPath.get(via);
        if (!pm) continue;
        say(`floor: ${d.floor.pair} at ${c} ${d.floor.unit} (${via})`);
        pm.pairs.push(pairsAt(c, via, await rawOn(pool, d, pairTargets(plan, d, c, via), o.settings, o.runTag, `${via}-c${c}`)));
      }
    }
  }
  return new Floor(measured, o.paths);
}

/** Where the floor measured `d`'s round trips and writes through the proxy: its first node, client slot 0's link. */
export function floorAddress(plan: ClusterPlan, d: Driver): string | undefined {
  const first = nodesOf(plan, d.name)[0];
  return first ? addressOn(first, 'proxy') : undefined;
}
