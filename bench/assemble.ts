// Puts a run together as bench.json: the options it ran with, the machine, the floor, every case,
// the goals, and the cases that broke mutual exclusion.
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import type { ClusterSizeOutput } from './cluster-size.ts';
import { evaluateGoals } from './goals.ts';
import type { SuiteOptions } from './plan.ts';
import type { BenchResult, CaseResult, ScalabilityResult, SetupCost } from './results.ts';
import type { SuiteOutput } from './suite.ts';

export interface AssembleInput {
  readonly runId: string;
  readonly startedAt: Date;
  readonly wallTimeMs: number;
  readonly options: SuiteOptions;
  readonly cluster: unknown;
  readonly toxiproxy: unknown;
  readonly out: SuiteOutput;
  readonly setup?: readonly SetupCost[];
  /** The cluster's durability profile (clusters/systems/registry.ts durabilityOf). */
  readonly durability?: 'memory' | 'disk';
}

export function environment(): Record<string, unknown> {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    node: process.version,
    platform: process.platform,
    kernel: release(),
  };
}

/** bench.json's scalability section from the run's held and waiters cases and its cluster-size points; undefined when it had none. */
export function scalabilityOf(cases: readonly CaseResult[], clusterSize?: ClusterSizeOutput): ScalabilityResult | undefined {
  const held = cases.flatMap((c) => (c.kind === 'held' && c.held ? [c.held] : []));
  const waiters = cases.flatMap((c) => (c.kind === 'waiters' && c.waiters ? [c.waiters] : []));
  if (held.length === 0 && waiters.length === 0 && clusterSize === undefined) return undefined;
  // Cluster sizes are measured on clusters of their own (bench/cluster-size.ts), not by these cases.
  return { held, waiters, clusterSize: clusterSize?.points ?? [], ...(clusterSize ? { clusterSizeNote: clusterSize.note } : {}) };
}

function withScalability(cases: readonly CaseResult[], clusterSize?: ClusterSizeOutput): Pick<BenchResult, 'scalability'> {
  const s = scalabilityOf(cases, clusterSize);
  return s ? { scalability: s } : {};
}

export function assembleResult(i: AssembleInput): BenchResult {
  const { out } = i;
  const oversold = (c: CaseResult): boolean => c.kind === 'http' && (c.http?.oversell ?? 0) > 0;
  const violations = out.cases.filter((c) => (c.overlap?.definitePairs ?? 0) > 0 || oversold(c)).map((c) => c.id);
  return {
    runId: i.runId,
    kind: 'bench',
    version: 1,
    startedAt: i.startedAt.toISOString(),
    wallTimeMs: Math.round(i.wallTimeMs),
    interrupted: out.interrupted,
    options: { ...i.options, ...(out.error === undefined ? {} : { suiteError: out.error }) },
    environment: environment(),
    cluster: i.cluster,
    toxiproxy: i.toxiproxy,
    floor: out.floor,
    lockFloors: out.lockFloors,
    wan: out.wan,
    cases: out.cases,
    goals: evaluateGoals(out.floor, out.cases, out.floorErrors),
    machine: { cores: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem() },
    path: i.options.via,
    ...(i.durability ? { durability: i.durability } : {}),
    floorErrors: out.floorErrors,
    ...(out.anchors ? { anchors: out.anchors } : {}),
    ...withScalability(out.cases, out.clusterSize),
    ...(i.setup ? { setup: i.setup } : {}),
    violations,
  };
}
