// The two scalability cases of issue 12 (the seed's "Scalability" row, measured):
//   held     N distinct locks held at once by other clients (acquired with the lock's own client,
//            spread over the workers, with a long TTL), then a short closed-loop sweep on other,
//            independent keys: does throughput or p99 move with N, and how much server memory
//            does one held lock take (the growth of the servers' memory gauge ÷ N)?
//   waiters  W clients on one key: grants/s, the wait, and the server work per grant (requests the
//            servers counted ÷ grants), which tells polling (retries grow with W) from queueing
//            (a watch per waiter: constant).
// Nothing here names a system or a lock: the memory and request counters are the drivers'
// (NodeCounters.memoryMetric / requestMetric), the nodes a lock uses its LockSpec's.
import { nodesOf, type ClusterPlan, type NodePlan } from '../clusters/topology.ts';
import { HarnessError } from '../core/errors.ts';
import { lockSpecs } from '../locks/registry.ts';
import { nodesUsed } from '../locks/spec.ts';
import { withBottleneck } from './bottleneck.ts';
import { loopCase, type CaseTiming } from './case-result.ts';
import { JOB_SLACK_MS, dealClients, driveLoop } from './drive.ts';
import type { FloorFigures } from './efficiency.ts';
import type { HeldCase, SuiteOptions, WaitersCase } from './plan.ts';
import type { HeldCaseResult, HeldLocksPoint, ServerUsage, WaitersCaseResult, WaitersPoint } from './results.ts';
import { countersOf, readNodeCounters, startServerUsage } from './server-usage.ts';
import type { WorkerPool } from './worker-pool.ts';
import type { CycleSettings, HoldJobResult, ReleaseHeldJobResult, WorkerJob } from './worker-protocol.ts';

export interface ScalabilityContext {
  readonly pool: WorkerPool;
  readonly plan: ClusterPlan;
  readonly options: SuiteOptions;
  readonly signal: AbortSignal;
  readonly progress: (msg: string) => void;
}

/**
 * Holder clients get ids above any case's clients (MAX_CLIENTS is 256), so they never share a
 * lock client with the sweep; their slots and workers follow from the id like everyone's.
 */
const HOLDER_ID_BASE = 256;
const HOLDERS = 8;
/** Acquires in flight per holder: distinct keys, so they never wait on each other. */
const HOLD_IN_FLIGHT = 16;
/** Long enough to outlive the case; short enough that a crashed run's locks expire soon. */
const HOLD_TTL_MS = 60_000;
const RELEASE_TIMEOUT_MS = 120_000;
/** Below this many held locks the memory growth is lost in the servers' own noise (client buffers, allocator). */
const MIN_LOCKS_FOR_MEMORY = 100;


/** The nodes a lock writes to: all of its system's, or only the first (LockModel.nodes). */
export function nodesUsedBy(plan: ClusterPlan, lock: keyof typeof lockSpecs): NodePlan[] {
  const model = lockSpecs[lock].model;
  return nodesUsed(model, nodesOf(plan, model.system));
}

const nameList = (nodes: readonly NodePlan[]): string => nodes.map((n) => n.name).join(', ');

function scalabilitySettings(o: SuiteOptions, holdMs: number, warmupMs: number, waitMs = o.waitMs): CycleSettings {
  return { warmupMs, durationMs: o.scalabilityDurationMs, ttlMs: o.ttlMs, waitMs, holdMs, maxCyclesPerClient: o.maxCyclesPerClient, ...(o.maxRatePerSec !== undefined ? { maxRatePerSec: o.maxRatePerSec } : {}) };
}

/**
 * A waiter gives up after one point's window (counted as a timeout): the loop must finish every
 * acquire it started, and a lock whose wait budget counts retries rather than time (node-redlock)
 * overruns a longer one by seconds per waiter under contention.
 */
const waitersWaitMs = (o: SuiteOptions): number => Math.min(o.waitMs, o.scalabilityDurationMs);

/** Sum of `metric` over `nodes` in per-node figures; undefined when any node is missing it. */
function sumOver(nodes: readonly NodePlan[], figuresOf: (node: string) => Readonly<Record<string, number>> | undefined, metric: string): number | undefined {
  let sum = 0;
  for (const n of nodes) {
    const v = figuresOf(n.name)?.[metric];
    if (v === undefined) return undefined;
    sum += v;
  }
  return sum;
}

/** Sum of one gauge over `nodes`, read now. */
async function gaugeSum(nodes: readonly NodePlan[], metric: string): Promise<number | undefined> {
  const { counters } = await readNodeCounters(nodes);
  return sumOver(nodes, (name) => counters.get(name), metric);
}

/** Sum of one counter's delta over `nodes` in a window. */
export const counterSum = (server: ServerUsage, nodes: readonly NodePlan[], metric: string): number | undefined => sumOver(nodes, (name) => server.counters?.[name], metric);

const round1 = (x: number): number => Math.round(x * 10) / 10;

const writesPerCycle = (lock: keyof typeof lockSpecs): number => lockSpecs[lock].floor.writes;

/** `spec.heldLocks` locks held by holder clients while a sweep runs on other keys; everything released after. */
export async function runHeldCase(ctx: ScalabilityContext, spec: HeldCase, t: CaseTiming, keyPrefix: string, figures: FloorFigures | undefined): Promise<HeldCaseResult> {
  const o = ctx.options;
  const used = nodesUsedBy(ctx.plan, spec.lock);
  const hook = used[0] ? countersOf(used[0]) : undefined;
  const memoryMetric = hook?.memoryMetric;
  const before = memoryMetric ? await gaugeSum(used, memoryMetric) : undefined;

  // Holder j takes keys j, j + H, j + 2H, … and runs on worker j mod W, like client ids do.
  const holders = Array.from({ length: Math.min(HOLDERS, spec.heldLocks) }, (_, j) => ({ id: HOLDER_ID_BASE + j, keys: [] as string[] }));
  for (let i = 0; i < spec.heldLocks; i++) holders[i % holders.length]?.keys.push(`${keyPrefix}:h${i}`);
  const byWorker = dealClients(holders.length, ctx.pool.size);
  const workers = byWorker.map((_, w) => w);
  let held = 0;
  let acquiresPerSec: number | undefined;
  try {
    const answers = await Promise.all(
      byWorker.map((js, w) => {
        // Under --max-rate the workers share the cap: acquiring N locks then takes N / cap seconds at least.
        const share = o.maxRatePerSec !== undefined ? { maxRatePerSec: o.maxRatePerSec / byWorker.length } : {};
        const job: WorkerJob = { kind: 'hold', lock: spec.lock, via: spec.via, holders: js.map((j) => holders[j] ?? { id: HOLDER_ID_BASE + j, keys: [] }), ttlMs: HOLD_TTL_MS, waitMs: o.waitMs, inFlight: HOLD_IN_FLIGHT, budgetMs: o.holdBudgetMs, ...share };
        return ctx.pool.run<HoldJobResult>(w, job, o.holdBudgetMs + o.waitMs + JOB_SLACK_MS);
      }),
    );
    held = answers.reduce((n, a) => n + a.result.held, 0);
    const failed = answers.reduce((n, a) => n + a.result.failed, 0);
    const elapsedMs = Math.max(...answers.map((a) => a.result.elapsedMs));
    acquiresPerSec = elapsedMs > 0 ? Math.round((held * 1000) / elapsedMs) : undefined;
    if (held < spec.heldLocks) {
      ctx.progress(
        `${spec.id}: holding ${held.toLocaleString('en-US')} of ${spec.heldLocks.toLocaleString('en-US')} locks` +
          (failed > 0 ? ` (${failed} acquires failed)` : ` (acquiring at ${acquiresPerSec ?? '?'}/s used up the ${o.holdBudgetMs / 1000} s budget)`),
      );
    }
    const after = memoryMetric && before !== undefined ? await gaugeSum(used, memoryMetric) : undefined;
    const memoryBytesPerLock = after !== undefined && before !== undefined && held >= MIN_LOCKS_FOR_MEMORY ? Math.round((after - before) / held) : null;

    const window = await startServerUsage(ctx.plan, { signal: ctx.signal });
    const outcome = await driveLoop(ctx.pool, { lock: spec.lock, via: spec.via, clients: spec.clients, keys: 'many', keyPrefix: `${keyPrefix}:s`, settings: scalabilitySettings(o, 0, Math.min(o.warmupMs, 200)) });
    const server = await window.stop();
    const timing = { ...t, durationMs: o.scalabilityDurationMs, warmupMs: Math.min(o.warmupMs, 200) };
    const r = loopCase({ kind: 'sweep', id: spec.id, lock: spec.lock, clients: spec.clients, keys: 'many', latencyMs: 0, via: spec.via }, timing, outcome, figures, ctx.signal.aborted);
    const point: HeldLocksPoint = {
      lock: spec.lock,
      heldLocks: held,
      clients: spec.clients,
      cyclesPerSec: r.cyclesPerSec,
      p50Ms: r.latency.cycle?.p50 ?? null,
      p99Ms: r.latency.cycle?.p99 ?? null,
      memoryBytesPerLock,
      ...(memoryMetric ? { memoryBasis: `${memoryMetric} ${used.length > 1 ? `summed over ${nameList(used)}` : `of ${nameList(used)}`}${held < MIN_LOCKS_FOR_MEMORY ? ` (not measured below ${MIN_LOCKS_FOR_MEMORY} locks)` : ''}` } : {}),
      requestedLocks: spec.heldLocks,
      ...(acquiresPerSec !== undefined ? { acquiresPerSec } : {}),
    };
    return withBottleneck({ ...r, kind: 'held', held: point } satisfies HeldCaseResult, server, writesPerCycle(spec.lock));
  } finally {
    const released = await Promise.allSettled(workers.map((w) => ctx.pool.run<ReleaseHeldJobResult>(w, { kind: 'release-held' }, RELEASE_TIMEOUT_MS)));
    const lost = released.reduce((n, a) => n + (a.status === 'fulfilled' ? a.value.result.notReleased : 0), 0);
    const broken = released.filter((a) => a.status === 'rejected').length;
    if (lost > 0 || broken > 0) ctx.progress(`${spec.id}: ${lost} held locks were not released${broken > 0 ? ` and ${broken} workers did not answer` : ''}; they expire with their TTL or session`);
  }
}

/** `spec.clients` waiters on one key, counted between two server snapshots taken around the measured loop. */
export async function runWaitersCase(ctx: ScalabilityContext, spec: WaitersCase, t: CaseTiming, keyPrefix: string, figures: FloorFigures | undefined): Promise<WaitersCaseResult> {
  const o = ctx.options;
  const used = nodesUsedBy(ctx.plan, spec.lock);
  const hook = used[0] ? countersOf(used[0]) : undefined;
  const loop = { lock: spec.lock, via: spec.via, clients: spec.clients, keys: 1, keyPrefix } as const;
  // Untimed first: opens the clients (sessions, connections) outside the counted window, so the
  // servers' counters hold only the waiting and the grants.
  const waitMs = waitersWaitMs(o);
  await driveLoop(ctx.pool, { ...loop, settings: { ...scalabilitySettings(o, spec.holdMs, 0, waitMs), durationMs: Math.min(o.warmupMs, 300) } });
  if (ctx.signal.aborted) throw new HarnessError('INTERRUPTED', `${spec.id} was interrupted`);
  const window = await startServerUsage(ctx.plan, { signal: ctx.signal });
  const outcome = await driveLoop(ctx.pool, { ...loop, settings: scalabilitySettings(o, spec.holdMs, 0, waitMs) });
  const server = await window.stop();
  const timing = { ...t, durationMs: o.scalabilityDurationMs, warmupMs: 0 };
  const r = loopCase({ kind: 'fairness', id: spec.id, lock: spec.lock, clients: spec.clients, latencyMs: 0, holdMs: spec.holdMs, via: spec.via }, timing, outcome, figures, ctx.signal.aborted);
  const request = hook?.requestMetric;
  const ops = request ? counterSum(server, used, request.metric) : undefined;
  const point: WaitersPoint = {
    lock: spec.lock,
    waiters: spec.clients,
    grantsPerSec: r.cyclesPerSec,
    p99WaitMs: r.latency.acquire?.p99 ?? null,
    // Cycles whose acquire began in the window; the loop finishes them, and the counters count them.
    serverOpsPerGrant: ops !== undefined && outcome.cycles > 0 ? round1(ops / outcome.cycles) : null,
    opsUnit: request ? `${request.unit} per grant, summed over ${nameList(used)}` : 'not read',
    timeouts: r.errors.busy,
    waitBudgetMs: waitMs,
  };
  return withBottleneck({ ...r, kind: 'waiters', waiters: point } satisfies WaitersCaseResult, server, writesPerCycle(spec.lock));
}
