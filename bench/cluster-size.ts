// Scalability with cluster size (issue 12, item 5c): the same closed loop as the sweep (the focus
// concurrency, 16 by default, on independent keys) for every lock that uses all of a system's nodes,
// on clusters of several sizes. Which locks, and how each size is made, come from the LockSpec
// models and the drivers, never from names:
//   sizes      odd counts from 3 (the least majority that survives a failure) to two more than the
//              run's cluster has: Redis 3, 5, 7 and ZooKeeper 3, 5 with the default cluster;
//   fan-out    (partitionSide 'client': the nodes are independent and the client picks them) the first
//              n nodes of a bigger cluster are an n-node cluster, because the first n nodes of a plan
//              have the same ports whatever its node count (clusters/topology.ts); so every size runs
//              on one temporary cluster of the largest size, at the same moment, like with like;
//   replicated (partitionSide 'server': the nodes form one group) the group's size is the cluster's:
//              the run's own cluster gives its size, the temporary one the largest; both are up while
//              either is measured, so each runs beside the same idle containers. The run's cluster
//              is warm from the suite; the fresh one gets an untimed loop per system first.
// The temporary cluster is the run's ClusterConfig with another name (`<name>-size`), another port
// base and the larger node counts; it runs the same systems (`--systems`). Its port base is the
// run's plus the span of the port layout of every registered system (whichever run), rounded up to
// the next thousand (2000 with two systems: 17000 → 19000; 3000 with three: 17000 → 20000), or
// minus it when that would pass the top of the layout; LOCKBENCH_SIZE_PORT_BASE overrides it.
// Either way it is checked not to overlap the run's ports and to fit the layout, before the suite
// starts; clusterUp refuses ports in use.
// It is removed when the points are done, also on error and on Ctrl-C. `--quick` skips all of this
// (starting 12 more containers takes longer than the quick suite's whole budget) and says so.
import { clusterDown, clusterUp } from '../clusters/cluster.ts';
import { dockerClient } from '../clusters/docker-engine.ts';
import { ensureEnvironment } from '../clusters/environment.ts';
import type { BuiltImages } from '../clusters/images.ts';
import type { SystemDriver } from '../clusters/systems/driver.ts';
import { drivers } from '../clusters/systems/registry.ts';
import { selectedDrivers } from '../clusters/systems/selection.ts';
import { nodesOf, planCluster, portSpan, validateClusterConfig, type ClusterConfig, type ClusterPlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { HarnessError, UsageError, errorMessage } from '../core/errors.ts';
import { lockSpecs, type LockName } from '../locks/registry.ts';
import type { LockModel } from '../locks/spec.ts';
import { withBottleneck } from './bottleneck.ts';
import { loopCase, type CaseTiming } from './case-result.ts';
import { driveLoop } from './drive.ts';
import type { SuiteOptions, SweepCase } from './plan.ts';
import type { ClusterSizePoint } from './results.ts';
import { startServerUsage } from './server-usage.ts';
import { WorkerPool } from './worker-pool.ts';
import type { CycleSettings } from './worker-protocol.ts';

/** The smallest size measured: the least cluster whose majority survives one failure. */
const MIN_SIZE = 3;
/** How many nodes above the run's cluster the largest size has. */
const SIZE_ABOVE_RUN = 2;
/** Port bases are rounded to this, so the temporary cluster's ports are easy to tell apart. */
const PORT_ROUNDING = 1000;
/** The untimed loop on a fresh cluster runs at least this long (a ZooKeeper cycle can take 100 ms there). */
const WARM_UP_MIN_MS = 1000;
export const SIZE_PORT_BASE_ENV = 'LOCKBENCH_SIZE_PORT_BASE';
export const TEMPORARY_SUFFIX = '-size';

type PlanSystem = Pick<SystemDriver<ClusterConfig>, 'name' | 'maxNodes' | 'nodePrefix' | 'internalPort'> & {
  readonly config: Pick<SystemDriver<ClusterConfig>['config'], 'options' | 'nodeCount' | 'validate'>;
};
type SizedLock = { readonly name: LockName; readonly model: Pick<LockModel, 'system' | 'nodes' | 'partitionSide'> };

export interface SizePoint {
  readonly lock: LockName;
  readonly system: string;
  readonly nodes: number;
  /** The run's own cluster, or the temporary one. */
  readonly on: 'run' | 'temporary';
}

export interface ClusterSizePlan {
  readonly points: readonly SizePoint[];
  /** The temporary cluster's config; null when no point needs one (or nothing is measured). */
  readonly temporary: ClusterConfig | null;
  /** Where the points run and how they compare, or why there are none (bench.json). */
  readonly note: string;
}

/** Odd sizes from MIN_SIZE up to two more than the run's cluster has, within what the driver allows. */
export function sizesFor(runNodes: number, maxNodes: number): number[] {
  const top = Math.min(maxNodes, Math.max(MIN_SIZE, runNodes + SIZE_ABOVE_RUN));
  const out: number[] = [];
  for (let n = MIN_SIZE; n <= top; n += 2) out.push(n);
  return out;
}

/**
 * The ClusterConfig field that holds a driver's node count: the number option whose value
 * nodeCount reads (found by asking, so no system is named here).
 */
export function nodeCountField(d: PlanSystem, config: ClusterConfig): string {
  const n = d.config.nodeCount(config);
  const field = d.config.options.find((o) => o.type === 'number' && d.config.nodeCount({ ...config, [o.field]: n + 2 }) === n + 2)?.field;
  if (field === undefined) throw new HarnessError('INTERNAL', `${d.name}: none of its flags sets its node count`);
  return field;
}

/** `config` with `nodes` nodes of system `d`. */
export function withNodes(config: ClusterConfig, d: PlanSystem, nodes: number): ClusterConfig {
  return { ...config, [nodeCountField(d, config)]: nodes };
}

/** The temporary cluster's port base (see the header): above the run's cluster if it fits, else below. */
export function temporaryPortBase(run: ClusterConfig, systems: readonly PlanSystem[] = drivers, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SIZE_PORT_BASE_ENV];
  if (raw !== undefined && raw !== '') {
    const v = Number(raw);
    if (!Number.isInteger(v)) throw new UsageError(`${SIZE_PORT_BASE_ENV} must be a whole number (the cluster-size cases' temporary cluster's port base), got '${raw}'`);
    return v;
  }
  const span = portSpan(systems.length);
  const offset = Math.ceil((span + 1) / PORT_ROUNDING) * PORT_ROUNDING;
  const above = run.portBase + offset;
  // validateClusterConfig says whether `above` fits; below is the fallback it checks in turn.
  try {
    validateClusterConfig({ ...run, portBase: above }, systems);
    return above;
  } catch {
    return run.portBase - offset;
  }
}

/** The temporary cluster's config, checked: a valid name and port base whose ports miss the run's. */
export function temporaryConfig(run: ClusterConfig, nodes: ReadonlyMap<string, number>, systems: readonly PlanSystem[] = drivers, env: NodeJS.ProcessEnv = process.env): ClusterConfig {
  let c: ClusterConfig = { ...run, name: `${run.name}${TEMPORARY_SUFFIX}`, portBase: temporaryPortBase(run, systems, env) };
  // Only the sized systems change; the others run as in the run's cluster.
  for (const d of systems) {
    const n = nodes.get(d.name);
    if (n !== undefined) c = withNodes(c, d, n);
  }
  const span = portSpan(systems.length);
  const where = `the cluster-size cases' temporary cluster '${c.name}' (port base ${c.portBase}, from ${env[SIZE_PORT_BASE_ENV] ? SIZE_PORT_BASE_ENV : `the run's ${run.portBase}`})`;
  if (Math.abs(c.portBase - run.portBase) <= span) {
    throw new UsageError(`${where} would share ports with the run's cluster (ports ${run.portBase}-${run.portBase + span}); set ${SIZE_PORT_BASE_ENV} at least ${span + 1} away`);
  }
  try {
    return validateClusterConfig(c, systems);
  } catch (err) {
    throw new UsageError(`${where}: ${errorMessage(err)} (set LOCKBENCH_CLUSTER shorter, or ${SIZE_PORT_BASE_ENV})`);
  }
}

const list = (xs: readonly number[]): string => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** Which points to measure, where, and the temporary cluster they need (pure). */
export function planClusterSize(
  run: ClusterConfig,
  o: Pick<SuiteOptions, 'locks' | 'quick'>,
  systems: readonly PlanSystem[] = drivers,
  locks: readonly SizedLock[] = o.locks.map((name) => ({ name, model: lockSpecs[name].model })),
  env: NodeJS.ProcessEnv = process.env,
): ClusterSizePlan {
  const sized = locks.filter((l) => l.model.nodes === 'all' && systems.some((d) => d.name === l.model.system));
  if (sized.length === 0) return { points: [], temporary: null, note: 'not measured: no lock in --locks uses all of a system\'s nodes' };
  if (o.quick) return { points: [], temporary: null, note: `skipped in --quick: it starts a second cluster for ${sized.map((l) => l.name).join(', ')}, which takes longer than the quick suite's budget` };
  const points: SizePoint[] = [];
  const temporaryNodes = new Map<string, number>();
  const said: string[] = [];
  for (const d of systems) {
    const mine = sized.filter((l) => l.model.system === d.name);
    if (mine.length === 0) continue;
    const runNodes = d.config.nodeCount(run);
    const sizes = sizesFor(runNodes, d.maxNodes);
    const largest = Math.max(...sizes);
    temporaryNodes.set(d.name, largest);
    for (const l of mine) {
      if (l.model.partitionSide === 'client') {
        for (const nodes of sizes) points.push({ lock: l.name, system: d.name, nodes, on: 'temporary' });
        said.push(`${l.name}: the first ${list(sizes)} ${d.name} nodes of the temporary cluster (one cluster, one after another)`);
        continue;
      }
      const onRun = sizes.filter((n) => n === runNodes);
      const onTemporary = sizes.filter((n) => n === largest && n !== runNodes);
      const missing = sizes.filter((n) => !onRun.includes(n) && !onTemporary.includes(n));
      for (const nodes of sizes) {
        if (missing.includes(nodes)) continue;
        points.push({ lock: l.name, system: d.name, nodes, on: onRun.includes(nodes) ? 'run' : 'temporary' });
      }
      const parts = [...onRun.map((n) => `${n} on the run's cluster`), ...onTemporary.map((n) => `${n} on the temporary one`)];
      said.push(`${l.name}: ${d.name} groups of ${parts.join(' and ')} (the group is the cluster: both clusters up, same images and config apart from node counts)${missing.length > 0 ? `; ${list(missing)} not measured (neither cluster has that many)` : ''}`);
    }
  }
  const needsTemporary = points.some((p) => p.on === 'temporary');
  const temporary = needsTemporary ? temporaryConfig(run, temporaryNodes, systems, env) : null;
  const counts = temporary ? systems.filter((d) => temporary.systems.includes(d.name)).map((d) => `${d.config.nodeCount(temporary)} ${d.name}`).join(', ') : '';
  const where = temporary ? `; temporary cluster '${temporary.name}' (${counts}, port base ${temporary.portBase}), warmed by an untimed loop per system, removed afterwards` : '';
  return { points, temporary, note: `${said.join('; ')}${where}` };
}

export interface ClusterSizeContext {
  /** The run's cluster. */
  readonly plan: ClusterPlan;
  /** Workers bound to the run's cluster (the suite's); one is started when a point needs it and none is given. */
  readonly pool?: WorkerPool;
  readonly options: SuiteOptions;
  readonly runTag: string;
  readonly signal: AbortSignal;
  readonly progress: (msg: string) => void;
  /** Images of the temporary cluster (default: the environment's, built or checked once per process). */
  readonly images?: BuiltImages;
  readonly workerNodeFlags?: readonly string[];
}

export interface ClusterSizeOutput {
  readonly points: ClusterSizePoint[];
  readonly note: string;
  /** The temporary cluster, when one was started: its name, start time, and what removing it removed. */
  readonly temporary?: { readonly name: string; readonly upMs: number | null; readonly removed: string };
}

/** The temporary cluster as a disposable: removed when the scope ends, whatever ended it. */
async function startTemporary(config: ClusterConfig, ctx: ClusterSizeContext, record: (upMs: number | null, removed: string) => void): Promise<AsyncDisposable & { readonly plan: ClusterPlan }> {
  const images = ctx.images ?? (await ensureEnvironment({ mayInstallDocker: false, signal: ctx.signal })).images;
  const counts = selectedDrivers(config).map((d) => `${d.config.nodeCount(config)} ${d.name}`).join(', ');
  ctx.progress(`cluster size: starting the temporary cluster '${config.name}' (${counts}, port base ${config.portBase})`);
  let upMs: number | null = null;
  const remove = async (): Promise<void> => {
    const t0 = monoMs();
    try {
      const r = await clusterDown(dockerClient(), { name: config.name });
      const removed = `${r.containers} containers and ${r.networks} network(s) in ${((monoMs() - t0) / 1000).toFixed(1)} s`;
      ctx.progress(`cluster size: removed the temporary cluster '${config.name}' (${removed})`);
      record(upMs, removed);
    } catch (err) {
      const removed = `FAILED: ${errorMessage(err)}; remove it with LOCKBENCH_CLUSTER=${config.name} npm run down`;
      ctx.progress(`cluster size: removing the temporary cluster '${config.name}' ${removed}`);
      record(upMs, removed);
    }
  };
  try {
    // clusterUp removes what it created when it fails or is interrupted; removing again is harmless.
    upMs = (await clusterUp(config, images, ctx.signal)).upMs;
  } catch (err) {
    await remove();
    if (ctx.signal.aborted) throw err;
    throw new HarnessError('CLUSTER_START_FAILED', `starting the temporary cluster '${config.name}' at port base ${config.portBase} (${SIZE_PORT_BASE_ENV} moves it): ${errorMessage(err)}`, { cause: err });
  }
  ctx.progress(`cluster size: temporary cluster up in ${(upMs / 1000).toFixed(1)} s`);
  return { plan: planCluster(config), [Symbol.asyncDispose]: remove };
}

function failedPoint(p: SizePoint, clients: number, cluster: ClusterPlan, status: 'failed' | 'interrupted', error: string): ClusterSizePoint {
  return { lock: p.lock, system: p.system, nodes: p.nodes, clients, cyclesPerSec: 0, p50Ms: null, p99Ms: null, id: pointId(p), cluster: cluster.config.name, status, error };
}

const pointId = (p: SizePoint): string => `size/${p.lock}/n${p.nodes}`;

/** One point: the sweep's closed loop on `pool`, whose plan gives the lock `p.nodes` of `whole`'s nodes. */
async function measurePoint(pool: WorkerPool, whole: ClusterPlan, p: SizePoint, ctx: ClusterSizeContext): Promise<ClusterSizePoint> {
  const clusterNodes = nodesOf(whole, p.system).length;
  const o = ctx.options;
  const clients = o.focusClients;
  const spec: SweepCase = { kind: 'sweep', id: pointId(p), lock: p.lock, clients, keys: 'many', latencyMs: 0, via: o.via };
  const timing: CaseTiming = { durationMs: o.durationMs, warmupMs: o.warmupMs, ttlMs: o.ttlMs, jitterMs: 0 };
  const settings = loopSettings(o);
  const t0 = monoMs();
  let point: ClusterSizePoint;
  try {
    // The servers of the point's whole cluster (a fan-out point's unused nodes idle in it), as the main cases do.
    const usage = await startServerUsage(whole, { signal: ctx.signal });
    const outcome = await driveLoop(pool, { lock: p.lock, via: o.via, clients, keys: 'many', keyPrefix: `bench:${ctx.runTag}:${spec.id}`, settings });
    const server = await usage.stop();
    const r = withBottleneck(loopCase(spec, timing, outcome, undefined, ctx.signal.aborted), server, lockSpecs[p.lock].floor.writes);
    point = {
      lock: p.lock,
      system: p.system,
      nodes: p.nodes,
      clients,
      cyclesPerSec: r.cyclesPerSec,
      p50Ms: r.latency.cycle?.p50 ?? null,
      p99Ms: r.latency.cycle?.p99 ?? null,
      id: spec.id,
      cluster: whole.config.name,
      clusterNodes,
      status: r.status,
      errors: r.errors.busy + r.errors.unavailable + r.errors.unknown,
      overlap: r.overlap?.verdict ?? 'unknown',
      workerCpuMaxPercent: Math.max(0, ...r.workers.map((w) => w.cpuPercent)),
      ...(r.bottleneck ? { bottleneck: r.bottleneck } : {}),
    };
  } catch (err) {
    point = failedPoint(p, clients, whole, ctx.signal.aborted ? 'interrupted' : 'failed', errorMessage(err));
  }
  const figures = point.status === 'failed' ? `FAILED ${point.error ?? ''}` : `${point.cyclesPerSec} cycles/s, p50 ${point.p50Ms ?? '-'} ms, p99 ${point.p99Ms ?? '-'} ms, ${point.errors ?? 0} errors${point.status === 'interrupted' ? ' (interrupted)' : ''}`;
  const used = p.nodes < clusterNodes ? `the first ${p.nodes} of ${clusterNodes}` : `${clusterNodes}`;
  const limit = point.bottleneck ? `, bottleneck ${point.bottleneck.kind} (${point.bottleneck.detail})` : '';
  ctx.progress(`${spec.id} on '${whole.config.name}' (${used} ${p.system} nodes): ${figures}${limit} (${((monoMs() - t0) / 1000).toFixed(1)} s)`);
  return point;
}

/**
 * The run's cluster has had the whole suite to warm up (JIT, connections, caches); a fresh
 * temporary one gets an untimed loop first, so the two compare like with like.
 */
async function warmUp(pool: WorkerPool, cluster: ClusterPlan, p: SizePoint, ctx: ClusterSizeContext): Promise<void> {
  const o = ctx.options;
  const t0 = monoMs();
  const settings = { ...loopSettings(o), durationMs: Math.max(o.warmupMs, WARM_UP_MIN_MS) };
  try {
    const outcome = await driveLoop(pool, { lock: p.lock, via: o.via, clients: o.focusClients, keys: 'many', keyPrefix: `bench:${ctx.runTag}:${pointId(p)}:warmup`, settings });
    ctx.progress(`cluster size: warmed ${p.system} on '${cluster.config.name}' with ${outcome.cycles} untimed ${p.lock} cycles (${((monoMs() - t0) / 1000).toFixed(1)} s)`);
  } catch (err) {
    ctx.progress(`cluster size: warm-up of ${p.system} on '${cluster.config.name}' failed (${errorMessage(err)}); measuring anyway`);
  }
}

const loopSettings = (o: SuiteOptions): CycleSettings => ({ warmupMs: o.warmupMs, durationMs: o.durationMs, ttlMs: o.ttlMs, waitMs: o.waitMs, holdMs: 0, maxCyclesPerClient: o.maxCyclesPerClient });

/** Runs `points` on workers bound to `plan`: the given pool, or one started (and stopped) here. */
async function measureOn(plan: ClusterPlan, whole: ClusterPlan, points: readonly SizePoint[], ctx: ClusterSizeContext, given: WorkerPool | undefined, cold: Set<string>, into: ClusterSizePoint[]): Promise<void> {
  if (points.length === 0 || ctx.signal.aborted) return;
  const run = async (pool: WorkerPool): Promise<void> => {
    const onAbort = (): void => pool.abortAll();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const p of points) {
        if (ctx.signal.aborted) break;
        if (cold.delete(p.system)) await warmUp(pool, whole, p, ctx);
        into.push(await measurePoint(pool, whole, p, ctx));
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
  };
  if (given) return run(given);
  await using pool = await WorkerPool.start(ctx.options.workers, plan, ctx.workerNodeFlags ? { nodeFlags: ctx.workerNodeFlags } : {});
  await run(pool);
}

/**
 * Measures the planned points and removes the temporary cluster. Never throws for a point or a
 * cluster that failed: the failure goes into the point or the note, and the suite's other results stand.
 */
export async function measureClusterSize(ctx: ClusterSizeContext, sizePlan: ClusterSizePlan): Promise<ClusterSizeOutput> {
  const points: ClusterSizePoint[] = [];
  if (sizePlan.points.length === 0) {
    ctx.progress(`cluster size: ${sizePlan.note}`);
    return { points, note: sizePlan.note };
  }
  // Read through a function: the signal flips behind the type checker's back during awaits.
  const aborted = (): boolean => ctx.signal.aborted;
  if (aborted()) return { points, note: `not measured: interrupted (${sizePlan.note})` };
  const t0 = monoMs();
  // Filled by the temporary cluster's removal, which runs when the `await using` scope ends.
  const removals: NonNullable<ClusterSizeOutput['temporary']>[] = [];
  let failure: string | undefined;
  try {
    await using cluster = sizePlan.temporary
      ? await startTemporary(sizePlan.temporary, ctx, (upMs, removed) => removals.push({ name: sizePlan.temporary?.name ?? '', upMs, removed }))
      : undefined;
    // Workers are bound to one plan: one pool per node-count combination, smallest first, the
    // run's cluster last so its replicated points sit beside the temporary cluster's.
    const groups = new Map<string, { plan: ClusterPlan; points: SizePoint[] }>();
    for (const p of sizePlan.points) {
      const base = p.on === 'run' ? ctx.plan.config : cluster?.plan.config;
      if (base === undefined) throw new HarnessError('INTERNAL', `${pointId(p)} needs the temporary cluster, which the plan does not have`);
      const d = drivers.find((x) => x.name === p.system);
      if (!d) throw new HarnessError('INTERNAL', `${pointId(p)}: no driver '${p.system}'`);
      // A fan-out point sees the first p.nodes nodes; a replicated one the whole cluster (p.nodes = its size).
      const config = p.on === 'run' || d.config.nodeCount(base) === p.nodes ? base : withNodes(base, d, p.nodes);
      const key = `${p.on}:${drivers.map((x) => x.config.nodeCount(config)).join('/')}`;
      const g = groups.get(key) ?? { plan: p.on === 'run' ? ctx.plan : planCluster(config), points: [] };
      g.points.push(p);
      groups.set(key, g);
    }
    const ordered = [...groups.entries()].sort(([a, x], [b, y]) => Number(a.startsWith('run')) - Number(b.startsWith('run')) || x.plan.nodes.length - y.plan.nodes.length);
    const cold = new Set(sizePlan.points.filter((p) => p.on === 'temporary').map((p) => p.system));
    for (const [key, g] of ordered) {
      const onRun = key.startsWith('run');
      const whole = onRun ? ctx.plan : cluster?.plan;
      if (whole === undefined) throw new HarnessError('INTERNAL', 'points on the temporary cluster without one');
      await measureOn(g.plan, whole, g.points, ctx, onRun ? ctx.pool : undefined, onRun ? new Set() : cold, points);
    }
  } catch (err) {
    failure = errorMessage(err);
    ctx.progress(`cluster size: ${aborted() ? 'interrupted' : 'FAILED'}: ${failure}`);
  }
  ctx.progress(`cluster size: ${points.length} of ${sizePlan.points.length} points in ${((monoMs() - t0) / 1000).toFixed(1)} s`);
  const missing = sizePlan.points.length - points.length;
  const cut = missing > 0 ? `; ${missing} point(s) not measured: ${failure ?? (aborted() ? 'interrupted' : 'unknown')}` : '';
  const temporary = removals[0];
  return { points, note: `${sizePlan.note}${cut}`, ...(temporary ? { temporary } : {}) };
}
