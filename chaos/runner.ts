// One chaos run, in phases: warm-up without faults → faults per the seeded schedule → heal all →
// recovery wait (the longest lease lifetime plus election time) → liveness check (every client
// acquires and releases once) → stop → checkers. Everything it records lands in the run folder as
// it happens; Ctrl-C heals faults, stops workers and still writes results.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkRun, type RunCheckResult } from '../checkers/check-run.ts';
import { spawnResource } from '../resource/process.ts';
import { clusterUp } from '../clusters/cluster.ts';
import { dockerClient } from '../clusters/docker-engine.ts';
import { ensureEnvironment } from '../clusters/environment.ts';
import { ClusterControl } from '../clusters/node-faults.ts';
import { defaultClusterConfig, planCluster, type ClusterConfig, type ClusterPlan } from '../clusters/topology.ts';
import { describeTargetForFiles, openExternalSession, type ExternalRunSettings, type ExternalSession } from '../clusters/external/session.ts';
import { monoMs, sleep } from '../core/clock.ts';
import { HarnessError, errorMessage } from '../core/errors.ts';
import { HistoryRecorder } from '../core/history-recorder.ts';
import { isOp, type Op } from '../core/history.ts';
import { readJsonlFile } from '../core/jsonl.ts';
import { logger } from '../core/log.ts';
import { newRunId, openRunDir, type RunDir } from '../core/store.ts';
import { Nemesis } from './nemesis.ts';
import { lockPackageVersions } from '../locks/labels.ts';
import { leaseLifetimeMs } from '../locks/spec.ts';
import type { ChaosOptions } from './options.ts';
import { saveNodeLogs } from './run-files.ts';
import { imageIds } from '../clusters/docker-objects.ts';
import { watchOutsideChanges } from '../clusters/outside-changes.ts';
import { provenance } from '../core/provenance.ts';
import { sampleUsage, usageLine, type UsageSample } from '../core/process-usage.ts';
import { progressFigures } from './progress-check.ts';
import { recoveryFromHistory, type RecoveryFigures } from './recovery.ts';
import { planSchedule } from './schedule.ts';
import { renderChaosSummary } from './summary.ts';
import type { WorkerCounts, WorkerInit } from './worker-protocol.ts';
import { WorkerPool } from './workers.ts';

const log = logger('chaos');
const ELECTION_MS = 5000;
const PROGRESS_EVERY_MS = 5000;
/** A progress check that takes longer is dropped (its line with it); the next one starts afresh. */
const PROGRESS_CHECK_TIMEOUT_MS = 300_000;

import type { ChaosResult, LivenessResult } from './result.ts';

export type { ChaosResult, LivenessResult } from './result.ts';

function clusterConfigFor(o: ChaosOptions): ClusterConfig {
  return { ...defaultClusterConfig, systems: o.systems ?? defaultClusterConfig.systems, redisPersistence: o.persistence, clientSlots: Math.max(defaultClusterConfig.clientSlots, o.clients) };
}

/** The checkers over the files as written, judged by this run's own options (fencing). */
function checkWhatWasRecorded(dir: string, o: ChaosOptions): Promise<RunCheckResult> {
  return checkRun(dir, { fencing: o.fencing });
}

/** Recovery figures from the history as written; a history that cannot be read yields none. */
async function recoveryOf(historyPath: string, phases: ChaosResult['phases']): Promise<RecoveryFigures | undefined> {
  try {
    const { records } = await readJsonlFile<Op>(historyPath, isOp);
    return recoveryFromHistory(records, phases);
  } catch {
    return undefined;
  }
}

export interface RunChaosOptions {
  readonly signal: AbortSignal;
  readonly mayInstallDocker?: boolean;
  /** Reuse an already opened run folder (the matrix puts runs under its own folder). */
  readonly runDir?: RunDir;
  /** Run against an external target instead of the lab (client-side faults only: chaos/faults `clientSide`). */
  readonly external?: ExternalRunSettings;
}

/** The lab's cluster, up and healed; or an external target's session (namespace checked, local proxy started). */
async function openTarget(o: ChaosOptions, r: RunChaosOptions): Promise<{ plan: ClusterPlan; control: ClusterControl; toxiproxy: string; session?: ExternalSession }> {
  if (r.external) {
    const session = await openExternalSession({ ...r.external, clientSlots: Math.max(defaultClusterConfig.clientSlots, o.clients) });
    return { plan: session.plan, control: session.control, toxiproxy: 'compat (in process)', session };
  }
  const env = await ensureEnvironment({ mayInstallDocker: r.mayInstallDocker ?? true, signal: r.signal });
  const config = clusterConfigFor(o);
  await clusterUp(config, env.images, r.signal);
  const control = await ClusterControl.attach(dockerClient(), config.name);
  await control.healAll();
  return { plan: planCluster(config), control, toxiproxy: env.images.toxiproxyImpl };
}

export async function runChaos(o: ChaosOptions, r: RunChaosOptions): Promise<ChaosResult> {
  const started = monoMs();
  const startedEpochS = Math.floor(Date.now() / 1000);
  const { signal } = r;
  const target = await openTarget(o, r);
  await using _session = target.session;
  const { plan, control } = target;
  const config = plan.config;
  const docker = dockerClient();
  const nodes: Record<string, string[]> = {};
  for (const n of plan.nodes) (nodes[n.system] ??= []).push(n.name);
  const schedule = planSchedule(o, nodes);
  const run = r.runDir ?? openRunDir(newRunId(`chaos-${o.lock}-${o.fault}`));
  const keys = Array.from({ length: o.keys }, (_, i) => `key-${i}`);
  run.writeJson('manifest.json', {
    runId: run.id,
    kind: 'chaos',
    startedAt: new Date().toISOString(),
    options: o,
    seed: o.seed,
    schedule,
    cluster: config,
    ...(r.external ? { target: describeTargetForFiles(r.external) } : {}),
    images: r.external ? {} : await imageIds(docker, plan),
    toxiproxy: target.toxiproxy,
    // Every registered lock's third-party package as installed (read from its package.json).
    ...(await provenance({ lockPackages: lockPackageVersions() })),
  });
  log.info(`run ${run.id}: ${o.lock} under ${o.fault}, seed ${o.seed}, ${schedule.length} fault step(s); results in ${run.path}`);

  const phases: Record<string, { startMs: number; endMs: number }> = {};
  let currentPhase = 'starting';
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const startMs = monoMs();
    currentPhase = name;
    log.info(`phase: ${name}`);
    try {
      return await fn();
    } finally {
      phases[name] = { startMs, endMs: monoMs() };
    }
  };

  const historyPath = run.file('history.jsonl');
  const history = new HistoryRecorder(historyPath);
  await using resource = await spawnResource({ auditPath: run.file('audit.jsonl'), fencing: o.fencing });
  // Changes nobody asked for stop the run with their reason: a verdict over an audit log whose
  // writer died, or over a cluster someone else took apart, would say more than was tested.
  const outside = new AbortController();
  let outsideReason: string | undefined;
  const stopForOutside = (why: string): void => {
    if (outsideReason !== undefined || signal.aborted) return;
    outsideReason = why;
    log.error(why);
    outside.abort(new HarnessError('OUTSIDE_CHANGE', why));
  };
  let resourceStopping = false;
  void resource.exited.then((e) => {
    if (!resourceStopping) stopForOutside(`the resource process (pid ${resource.pid}) exited during the run (${e.signal !== null ? `signal ${e.signal}` : `code ${e.code ?? '?'}`}), killed from outside?; its audit log ends there`);
  });
  const watcher = plan.external ? undefined : await watchOutsideChanges(docker, config.name, stopForOutside);
  const runSignal = AbortSignal.any([signal, outside.signal]);
  const whyStopped = (err: unknown): string => (signal.aborted ? 'interrupted' : (outsideReason ?? errorMessage(err)));
  // A client that dies ends there in the history: what it held and its op in flight end with it.
  const workers = new WorkerPool(run.file('workers.log'), (clientId) => history.crashed(clientId));
  const nemesis = new Nemesis({ control, workers, options: o }, history);
  let counts: WorkerCounts[] = [];
  let liveness: LivenessResult[] | null = null;
  let aborted: string | null = null;
  const inits: WorkerInit[] = Array.from({ length: o.clients }, (_, clientId) => ({
    type: 'init',
    clientId,
    lock: o.lock,
    ...(o.modulePath !== undefined ? { modulePath: o.modulePath } : {}),
    cluster: config,
    ...(plan.external ? { plan } : {}),
    tuning: { sessionTimeoutMs: o.sessionTimeoutMs },
    resourcePort: resource.port,
    historyPath,
    keys,
    ttlMs: o.ttlMs,
    waitMs: o.waitMs,
    holdMs: o.holdMs,
    fencing: o.fencing,
    checkLease: o.checkLease,
    seed: o.seed,
  }));

  const usage: UsageSample[] = [];
  // The progress check reads the whole history so far, which grows all run long: in a process of
  // its own (chaos/progress-check-main.ts), one at a time, and never more than a fifth of the time
  // (a half-hour soak's history is hundreds of MB; checks every 5 s regardless piled up).
  let checking: Promise<void> | undefined;
  let nextCheckMs = 0;
  const progress = setInterval(() => {
    if (checking || monoMs() < nextCheckMs) return;
    const checkStartMs = monoMs();
    checking = progressFigures(run.path, o.fencing, PROGRESS_CHECK_TIMEOUT_MS, runSignal)
      .then((c) => {
        const active = nemesis.activeKinds().join(', ') || 'none';
        log.info(`${currentPhase}: faults active: ${active}; ${c.ops} ops so far; definite overlaps so far: ${c.definitePairs}`);
      })
      .catch(() => undefined)
      .finally(() => {
        checking = undefined;
        nextCheckMs = monoMs() + 4 * (monoMs() - checkStartMs);
      });
  }, PROGRESS_EVERY_MS);
  /** A sample of the harness's footprint between progress checks: one in flight holds its history. */
  const sampleBetweenChecks = async (at: string): Promise<void> => {
    await checking;
    // A middle that comes after the end (a long check, a run stopped early) is no middle.
    if (!usage.some((u) => u.at === 'end')) usage.push(sampleUsage(at));
  };

  let halfway: NodeJS.Timeout | undefined;
  try {
    await workers.start(inits, 60_000);
    workers.run(Number.MAX_SAFE_INTEGER);
    await sampleBetweenChecks('start');
    await phase('warm-up', () => sleep(o.warmupMs, runSignal));
    halfway = setTimeout(() => void sampleBetweenChecks('middle'), o.durationMs / 2);
    const faultStart = monoMs();
    await phase('faults', async () => {
      const faults = nemesis.run(schedule, faultStart, runSignal);
      await Promise.all([faults, sleep(o.durationMs, runSignal)]);
    });
  } catch (err) {
    aborted = whyStopped(err);
    log.error(`run stopped early: ${aborted}`);
  } finally {
    clearInterval(progress);
    clearTimeout(halfway);
    // Before the heal, with the workload still running: comparable with the start and the middle
    // (after the clients stop, their pipes and sockets are gone and the figures drop).
    await sampleBetweenChecks('end');
    await phase('heal', () => nemesis.healAll()).catch((err: unknown) => {
      // What could not be healed is in force still: the run is not one to take a verdict from.
      log.error(`healing failed: ${errorMessage(err)}`);
      aborted ??= outsideReason ?? `healing failed: ${errorMessage(err)}`;
    });
  }
  try {
    // With no fault there is nothing to recover from: the liveness check follows at once.
    if (aborted === null && schedule.length > 0) {
      await phase('recovery', () => sleep(leaseLifetimeMs(o.lockModel, o) + ELECTION_MS, runSignal));
    }
    counts = await phase('stop', () => workers.stop(o.waitMs + leaseLifetimeMs(o.lockModel, o) + 30_000));
    // With no client left, nothing ran after the last crash: the run did not do what it was asked.
    if (aborted === null && workers.allCrashed) aborted = `every lock client crashed (${o.clients} of ${o.clients}); see workers.log`;
    if (aborted === null) {
      liveness = await phase('liveness', () => workers.liveness(Math.max(10_000, 3 * leaseLifetimeMs(o.lockModel, o))));
    }
  } catch (err) {
    aborted ??= whyStopped(err);
  } finally {
    await workers.close();
    history.close();
    watcher?.stop();
    resourceStopping = true;
    await resource.stop().catch(() => undefined);
    const nodeLogs = join(run.path, 'nodes');
    mkdirSync(nodeLogs, { recursive: true });
    if (!plan.external) await saveNodeLogs(docker, plan, nodeLogs, startedEpochS).catch(() => undefined);
  }

  // A change seen only after the workload stopped still happened during the run.
  aborted ??= outsideReason ?? null;
  if (usage.length > 1) log.info(`harness: ${usageLine(usage)}`);
  const check = await checkWhatWasRecorded(run.path, o);
  const recovery = await recoveryOf(historyPath, phases);
  const result: ChaosResult = {
    runId: run.id,
    dir: run.path,
    verdict: check.verdict,
    options: o,
    schedule,
    faults: nemesis.applied,
    liveness,
    counts,
    check,
    phases,
    aborted,
    clientCrashes: workers.crashes,
    wallMs: monoMs() - started,
    ...(recovery === undefined ? {} : { recovery }),
    harness: { usage },
  };
  run.writeJson('results.json', result);
  run.writeText('summary.md', renderChaosSummary(result));
  return result;
}
