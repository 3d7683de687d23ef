// The whole benchmark: start the workers, measure the floor, run every planned case in order
// (adding and removing the WAN toxics per latency group), and hand back everything measured. A
// case that fails is recorded as failed and the suite goes on; Ctrl-C cuts the current case short
// (its partial figures are kept and marked) and skips the rest. Workers and toxics are always
// cleaned up before this returns or throws.
import type { ClusterControl } from '../clusters/node-faults.ts';
import { drivers } from '../clusters/systems/registry.ts';
import type { ClusterPlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { startProgress } from '../core/progress.ts';
import { linkPaths, type LinkPath } from '../locks/context.ts';
import { decodeHistogram } from '../core/stats.ts';
import { failedCase, floorError, httpCase, loopCase, microCase, refloored, type CaseTiming } from './case-result.ts';
import { anchorResults, runAnchors } from './anchor.ts';
import { cleanupRun } from './cleanup.ts';
import { measureClusterSize, planClusterSize, type ClusterSizeOutput } from './cluster-size.ts';
import { driveLoop, driveMicro, usageOf } from './drive.ts';
import { lockFloorRow, underLatency, type FloorFigures, type SystemFigures } from './efficiency.ts';
import { floorAddress, measureFloor, quorumWriteSample, roundTripSample, type FloorOptions } from './floor.ts';
import { runHttpCase } from './http-case.ts';
import { runHeldCase, runWaitersCase } from './scalability.ts';
import { withBottleneck } from './bottleneck.ts';
import { startServerUsage } from './server-usage.ts';
import { lockSpecs } from '../locks/registry.ts';
import { planCases, type CaseSpec, type SuiteOptions } from './plan.ts';
import type { AnchorResult, CaseResult, FloorResult, LockFloorRow, WanGroup } from './results.ts';
import { addWanLatency, jitterFor, latencyTookEffect, type WanLinks } from './wan.ts';
import { WorkerPool } from './worker-pool.ts';
import type { CycleSettings } from './worker-protocol.ts';

export interface SuiteContext {
  readonly plan: ClusterPlan;
  readonly control: ClusterControl;
  readonly options: SuiteOptions;
  /** Unique per run: prefixes every lock key and znode so runs and cases never share a lock. */
  readonly runTag: string;
  readonly signal: AbortSignal;
  readonly progress: (msg: string) => void;
  /** Extra node flags for the workers (profiling). */
  readonly workerNodeFlags?: readonly string[];
}

export interface SuiteOutput {
  floor: FloorResult | null;
  /** Cases whose efficiency exceeded FLOOR_ERROR_EFFICIENCY against the run's final floor, with why. */
  floorErrors: string[];
  /** The systems' own benchmark tools beside the harness's direct raw pairs (bench/anchor.ts). */
  anchors?: AnchorResult[];
  lockFloors: LockFloorRow[];
  wan: WanGroup[];
  cases: CaseResult[];
  interrupted: boolean;
  /** Set when the suite itself (not one case) failed; what was measured until then is kept. */
  error?: string;
  /** Scalability with cluster size (bench/cluster-size.ts). */
  clusterSize?: ClusterSizeOutput;
}

function fmtCase(c: CaseResult): string {
  if (c.status === 'failed') return `${c.id}: FAILED ${c.error ?? ''}`;
  const p = c.latency.cycle;
  const errs = c.errors.busy + c.errors.unavailable + c.errors.unknown;
  const overlap = c.overlap ? `, overlap ${c.overlap.verdict}` : '';
  const lat = p ? `, p50 ${p.p50} ms, p99 ${p.p99} ms` : '';
  const limit = c.bottleneck ? `, bottleneck ${c.bottleneck.kind} (${c.bottleneck.detail})` : '';
  return `${c.id}: ${c.cyclesPerSec} ${c.kind === 'http' ? 'req' : 'cycles'}/s${lat}, ${errs} errors${overlap}${limit}${c.status === 'interrupted' ? ' (interrupted)' : ''}`;
}

/** Beside a case's warm-up and measured time (its clients opening and closing, usage sampling): a guess, used only for the estimate before the first case ends. */
const CASE_OVERHEAD_MS = 1000;

/** Runs the suite, filling `out` as it goes so a caller that catches still has what was measured. */
export async function runSuite(ctx: SuiteContext, out: SuiteOutput): Promise<void> {
  const o = ctx.options;
  const cases = planCases(o);
  // Cluster size: planned (and its temporary cluster's name and ports checked) before anything runs.
  const sizePlan = planClusterSize(ctx.plan.config, o);
  const settings = (holdMs = 0): CycleSettings => ({ warmupMs: o.warmupMs, durationMs: o.durationMs, ttlMs: o.ttlMs, waitMs: o.waitMs, holdMs, maxCyclesPerClient: o.maxCyclesPerClient, ...(o.maxRatePerSec !== undefined ? { maxRatePerSec: o.maxRatePerSec } : {}) });
  // An external target's servers are not lockbench's: no containers to run anchors in or to read
  // usage from, no temporary cluster, and its namespace is removed by its session, not by pattern.
  const lab = ctx.plan.external === undefined;
  ctx.progress(`${cases.length} cases; starting ${o.workers} worker processes`);
  // On a terminal, a bar over the cases (core/progress.ts); it goes when this returns or throws.
  using bar = startProgress({ title: 'bench', total: cases.length, stepEstimateMs: o.warmupMs + o.durationMs + CASE_OVERHEAD_MS, signal: ctx.signal });
  bar.note(`starting ${o.workers} worker processes`);
  await using pool = await WorkerPool.start(o.workers, ctx.plan, { ...(ctx.workerNodeFlags ? { nodeFlags: ctx.workerNodeFlags } : {}) });
  const onAbort = (): void => pool.abortAll();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let wan: WanLinks | undefined;
  // Read through a function: the signal flips behind the type checker's back during awaits.
  const aborted = (): boolean => ctx.signal.aborted;
  try {
    const floorOptions: FloorOptions = {
      clients: o.clients,
      focusClients: o.focusClients,
      settings: { ...settings(), durationMs: o.floorDurationMs },
      paths: [o.via, ...linkPaths.filter((p) => p !== o.via)],
      runTag: ctx.runTag,
      signal: ctx.signal,
      progress: ctx.progress,
    };
    // Floors and anchors of the systems the run's locks use: `--locks redis` has no use for etcd's.
    const used = new Set(o.locks.map((l) => lockSpecs[l].model.system));
    const measured: ClusterPlan = { ...ctx.plan, nodes: ctx.plan.nodes.filter((n) => used.has(n.system)) };
    bar.note('measuring the floor');
    const floor = await measureFloor(pool, measured, floorOptions);
    if (lab) bar.note("anchors: each system's own benchmark tool");
    if (lab) ctx.progress(`anchor: each system's own benchmark tool at ${o.focusClients} connections, container to container`);
    const anchorRuns = lab ? await runAnchors(ctx.control.docker, measured, o.focusClients, ctx.progress) : [];
    const figuresOn = (via: LinkPath): FloorFigures => floor.figures()[via] ?? { systems: {} };
    out.floor = floor.result();
    out.lockFloors = o.locks.map((l) => lockFloorRow(l, figuresOn(o.via))).filter((r): r is LockFloorRow => r !== undefined);
    let figures: FloorFigures = figuresOn(o.via);
    let groupLatency = 0;
    let jitterMs = 0;
    let remeasured = false;
    // Every path is measured once more when the cases without latency are done, and every case is
    // then judged against the better of the two measurements (Floor.remeasure).
    const remeasure = async (): Promise<void> => {
      if (remeasured || aborted()) return;
      remeasured = true;
      bar.note('measuring the floor again');
      await floor.remeasure(pool, measured, floorOptions);
      out.floor = floor.result();
    };
    const byId = new Map<string, CaseResult>();

    for (const spec of cases) {
      if (aborted()) break;
      if (spec.latencyMs !== groupLatency) {
        await wan?.remove();
        wan = undefined;
        if (groupLatency === 0) await remeasure();
        groupLatency = spec.latencyMs;
        jitterMs = jitterFor(groupLatency);
        figures = figuresOn(spec.via);
        if (groupLatency > 0) {
          bar.note(`WAN: adding ${groupLatency} ms latency`);
          ctx.progress(`WAN: adding ${groupLatency} ms ± ${jitterMs} ms latency on both streams of every client link`);
          wan = await addWanLatency(ctx.control, groupLatency, jitterMs);
          const g = await measureWan(ctx, figuresOn('proxy'), wan);
          out.wan.push(g.group);
          figures = g.figures;
          if (!g.group.verified) ctx.progress(`WARNING: the round trip did not grow as expected (${g.summary}); the WAN cases are marked in bench.json`);
        }
      }
      const timing: CaseTiming = { durationMs: o.durationMs, warmupMs: o.warmupMs, ttlMs: o.ttlMs, jitterMs: spec.latencyMs > 0 ? jitterMs : 0 };
      const t0 = monoMs();
      bar.begin(spec.id);
      let result: CaseResult;
      try {
        // Over the whole case (its clients' opening and warm-up too): the nodes', the proxy's and
        // the machine's CPU, memory and own counters, which name what limited it.
        const usage = lab ? await startServerUsage(ctx.plan, { signal: ctx.signal }) : undefined;
        result = await runCase(pool, ctx, spec, timing, settings, figures, byId);
        const server = await usage?.stop();
        if (server && !result.server && result.status !== 'failed') result = withBottleneck(result, server, lockSpecs[spec.lock].floor.writes);
      } catch (err) {
        result = failedCase(spec, timing, aborted() ? 'interrupted' : 'failed', errorMessage(err));
      }
      byId.set(spec.id, result);
      out.cases.push(result);
      bar.end();
      ctx.progress(`${fmtCase(result)} (${((monoMs() - t0) / 1000).toFixed(1)} s)`);
    }
    if (groupLatency === 0) await remeasure();
    // One raw figure per concurrency and path, used by every case without latency (WAN cases keep
    // the figures measured through their toxics).
    const specs = new Map(cases.map((c) => [c.id, c]));
    out.cases = out.cases.map((r) => {
      const spec = specs.get(r.id);
      return spec && spec.latencyMs === 0 ? refloored(spec, r, figuresOn(spec.via)) : r;
    });
    out.floorErrors = out.cases.flatMap((r) => floorError(r) ?? []);
    out.anchors = anchorResults(anchorRuns, out.floor);
    for (const a of out.anchors) ctx.progress(`anchor: ${a.tool} ${a.toolOpsPerSec}/s vs lockbench's direct raw pairs ${a.harnessOpsPerSec} commands/s at ${a.clients} connections = ${a.ratio}×`);
    for (const e of out.floorErrors) ctx.progress(`FLOOR ERROR: ${e}; the floor did not bound this case (docs/methodology.md)`);
    // ---- cluster size (issue 12, 5c): after the main cases, on this cluster and a temporary one ----
    const sizeFlags = ctx.workerNodeFlags ? { workerNodeFlags: ctx.workerNodeFlags } : {};
    if (lab && sizePlan.points.length > 0) bar.note('scalability with cluster size');
    if (lab) out.clusterSize = await measureClusterSize({ plan: ctx.plan, pool, options: o, runTag: ctx.runTag, signal: ctx.signal, progress: ctx.progress, ...sizeFlags }, sizePlan);
    // ---- end cluster size ----
  } finally {
    bar.note('stopping the workers and cleaning up');
    ctx.signal.removeEventListener('abort', onAbort);
    out.interrupted = ctx.signal.aborted;
    if (wan) {
      ctx.progress('WAN: removing the latency toxics');
      await wan.remove();
    }
    // Workers first (their sessions hold ephemeral znodes inside the directories), then leftovers.
    await pool.close();
    if (lab) ctx.progress(`cleanup: ${await cleanupRun(ctx.plan, ctx.runTag)}`);
  }
}

/** WanGroup's field for a system's p50 under the toxics, from its driver's figure name ("redisRttMs" → "redisRttP50Ms"). */
const p50Field = (figureField: string): string => figureField.replace(/Ms$/, 'P50Ms');

/**
 * Re-measures every system's round trip (and quorum write, where the floor measured one) through
 * the toxic links, the floor's way; the group is verified when every round trip grew as expected.
 * The cases' floors under the toxics are bounds from the proxy path's figures (underLatency).
 */
async function measureWan(ctx: SuiteContext, base: FloorFigures, wan: WanLinks): Promise<{ group: WanGroup; figures: FloorFigures; summary: string }> {
  const cap = ctx.options.maxRatePerSec;
  const budget = { durationMs: 300, maxSamples: 300, signal: ctx.signal, ...(cap !== undefined ? { minIntervalMs: 1000 / cap } : {}) };
  const systems: Record<string, SystemFigures> = {};
  const measured: Record<string, number> = {};
  const said: string[] = [];
  let verified = true;
  for (const d of drivers) {
    const b = Object.hasOwn(base.systems, d.name) ? base.systems[d.name] : undefined;
    const address = floorAddress(ctx.plan, d);
    if (!b || address === undefined) continue;
    const rttMs = (await roundTripSample(d, address, budget)).p50;
    const write = d.floor.quorumWrite;
    const writeMs = write && b.writeMs !== undefined ? (await quorumWriteSample(d, address, write.dir(ctx.runTag, `wan${wan.latencyMs}`), { ...budget, maxSamples: 100 })).p50 : undefined;
    measured[p50Field(d.floor.figureFields.roundTrip)] = rttMs;
    if (write && writeMs !== undefined) measured[p50Field(write.figureField)] = writeMs;
    verified &&= latencyTookEffect(b.rttMs, rttMs, wan.latencyMs);
    said.push(`${d.floor.label} p50 ${rttMs} ms`);
    systems[d.name] = underLatency(b, 2 * Math.max(0, wan.latencyMs - wan.jitterMs));
  }
  // bench.json's wan[] names each system's figures (results/README.md); the drivers' names fill them.
  const group = { latencyMs: wan.latencyMs, jitterMs: wan.jitterMs, links: wan.links, ...measured, verified } as unknown as WanGroup;
  return { group, figures: { systems }, summary: said.join(', ') };
}

async function runCase(
  pool: WorkerPool,
  ctx: SuiteContext,
  spec: CaseSpec,
  t: CaseTiming,
  settings: (holdMs?: number) => CycleSettings,
  figures: FloorFigures,
  byId: ReadonlyMap<string, CaseResult>,
): Promise<CaseResult> {
  const keyPrefix = `bench:${ctx.runTag}:${spec.id}`;
  switch (spec.kind) {
    case 'micro': {
      const { answer, key } = await driveMicro(pool, spec.lock, spec.via, keyPrefix, settings());
      const r = answer.result;
      return microCase(spec, t, { ...r, histogram: decodeHistogram(r.histogram), key, usage: usageOf(answer, 1) }, figures);
    }
    case 'sweep': {
      const outcome = await driveLoop(pool, { lock: spec.lock, via: spec.via, clients: spec.clients, keys: spec.keys, keyPrefix, settings: settings() });
      return loopCase(spec, t, outcome, figures, ctx.signal.aborted);
    }
    case 'fairness': {
      const outcome = await driveLoop(pool, { lock: spec.lock, via: spec.via, clients: spec.clients, keys: 1, keyPrefix, settings: settings(spec.holdMs) });
      return loopCase(spec, t, outcome, figures, ctx.signal.aborted);
    }
    case 'open': {
      const ref = byId.get(spec.rateOf);
      const reference = ref && ref.status === 'ok' && ref.cyclesPerSec > 0 ? ref.cyclesPerSec : null;
      // Without a reference throughput (its case failed or was filtered out), offer a modest rate.
      const ratePerSec = Math.max(10, Math.round((reference ?? 200) * spec.fraction));
      const outcome = await driveLoop(pool, { lock: spec.lock, via: spec.via, clients: spec.clients, keys: spec.keys, keyPrefix, settings: settings(), ratePerSec });
      const result = loopCase(spec, t, outcome, figures, ctx.signal.aborted);
      return {
        ...result,
        efficiency: { throughput: ratePerSec > 0 ? Math.round((result.cyclesPerSec / ratePerSec) * 1000) / 1000 : null, latency: null },
        openLoop: { offeredPerSec: ratePerSec, offered: outcome.offered, unserved: outcome.unserved, rateOf: spec.rateOf, fraction: spec.fraction, referenceCyclesPerSec: reference },
      };
    }
    case 'http': {
      const o = ctx.options;
      const h = await runHttpCase(pool, { lock: spec.lock, via: spec.via, clients: spec.clients, skus: spec.skus, warmupMs: o.warmupMs, durationMs: o.durationMs, ttlMs: o.ttlMs, waitMs: o.waitMs, runTag: ctx.runTag, ...(o.maxRatePerSec !== undefined ? { maxRatePerSec: o.maxRatePerSec } : {}), signal: ctx.signal });
      const driver = { worker: -1, pid: process.pid, clients: 0, cpuPercent: h.driverCpuPercent, cpuUserMs: 0, cpuSystemMs: 0, wallMs: o.durationMs, eventLoopDelayP99Ms: 0 };
      return httpCase(spec, t, { ...h, usage: [...h.usage, driver] }, ctx.signal.aborted);
    }
    case 'held':
      return runHeldCase({ pool, plan: ctx.plan, options: ctx.options, signal: ctx.signal, progress: ctx.progress }, spec, t, keyPrefix, figures);
    case 'waiters':
      return runWaitersCase({ pool, plan: ctx.plan, options: ctx.options, signal: ctx.signal, progress: ctx.progress }, spec, t, keyPrefix, figures);
  }
}
