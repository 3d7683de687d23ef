// The fault schedule: drawn from the seed alone (plus the options and the cluster's node names),
// written to the manifest before it runs. Times are offsets from the start of the fault phase.
import { seededRandom } from '../core/rng.ts';
import { clientCuts, bridgeNodes, serverGroups, type ClientCut } from './shapes.ts';
import { isRedlockFamily, leaseLifetimeMs, clientPartitionShapes, serverPartitionShapes, type ChaosOptions, type FaultKind, type PartitionShape } from './options.ts';

export type StepKind = Exclude<FaultKind, 'none' | 'mix'>;

export interface FaultStep {
  readonly id: number;
  readonly kind: StepKind;
  readonly atMs: number;
  readonly durationMs: number;
  /** What the step does, resolved as far as the seed allows (isolate-leader is found at run time). */
  readonly shape?: PartitionShape;
  readonly cuts?: readonly ClientCut[];
  readonly groups?: readonly (readonly string[])[];
  readonly nodes?: readonly string[];
  readonly clients?: readonly number[];
  readonly skewMs?: number;
  readonly skewMode?: 'bump' | 'strobe';
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  /** Apply only once one of these clients holds a lock (bounded wait), so the fault meets a holder. */
  readonly whenHolding?: readonly number[];
  /** Background partition of a construction, not a fault under study by itself. */
  readonly construction?: boolean;
}

export interface ClusterNodes {
  readonly redis: readonly string[];
  readonly zookeeper: readonly string[];
}

const PARTITION_MS = 6000;
const GAP_MS = 3000;

function lockNodes(o: ChaosOptions, nodes: ClusterNodes): readonly string[] {
  if (o.lock === 'zookeeper') return nodes.zookeeper;
  if (o.lock === 'redis') return nodes.redis.slice(0, 1);
  return nodes.redis;
}

const allClients = (o: ChaosOptions): number[] => Array.from({ length: o.clients }, (_, i) => i);

/** One step of `kind` at `atMs`, its targets drawn from `random`. */
function step(kind: StepKind, id: number, atMs: number, o: ChaosOptions, nodes: ClusterNodes, random: () => number, construction: boolean): FaultStep {
  const targetNodes = lockNodes(o, nodes);
  const life = leaseLifetimeMs(o);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  switch (kind) {
    case 'partition': {
      const shape: PartitionShape =
        o.partitionShape !== 'auto' ? o.partitionShape : o.lock === 'zookeeper' ? pick(serverPartitionShapes) : pick(clientPartitionShapes.filter((s) => o.lock !== 'redis' || s !== 'majorities-ring'));
      if (shape === 'isolate-leader') return { id, kind, atMs, durationMs: PARTITION_MS, shape };
      if (shape === 'isolate-one' || shape === 'halves') return { id, kind, atMs, durationMs: PARTITION_MS, shape, groups: serverGroups(shape, nodes.zookeeper, random) };
      return { id, kind, atMs, durationMs: PARTITION_MS, shape, cuts: clientCuts(shape, o.lock === 'zookeeper' ? nodes.zookeeper : nodes.redis, o.clients, random) };
    }
    case 'crash': {
      const target = construction ? bridgeNodes(nodes.redis) : [pick(targetNodes)];
      return { id, kind, atMs, durationMs: o.restartDelayMs, nodes: target, whenHolding: allClients(o) };
    }
    case 'clock-skew': {
      const target = construction ? bridgeNodes(nodes.redis) : o.lock === 'zookeeper' ? [...nodes.zookeeper] : [pick(targetNodes)];
      return { id, kind, atMs, durationMs: Math.max(5000, 2 * o.ttlMs), nodes: target, skewMs: o.skewMs, skewMode: o.skewMode, whenHolding: allClients(o) };
    }
    case 'pause':
      return { id, kind, atMs, durationMs: Math.round(o.pauseMultiple * life), nodes: [pick(targetNodes)] };
    case 'client-pause': {
      const client = Math.floor(random() * o.clients);
      return { id, kind, atMs, durationMs: Math.round(o.pauseMultiple * life), clients: [client], whenHolding: [client] };
    }
    case 'latency':
      return { id, kind, atMs, durationMs: 8000, clients: allClients(o), latencyMs: o.latencyMs, jitterMs: o.jitterMs };
  }
}

/** Time after one step of `kind` before the next may start (so one step's effects settle). */
function spacingMs(kind: StepKind, o: ChaosOptions, durationMs: number): number {
  const life = leaseLifetimeMs(o);
  if (kind === 'crash' || kind === 'clock-skew' || kind === 'client-pause' || kind === 'pause') return durationMs + life + 2000;
  return durationMs + GAP_MS;
}

export function planSchedule(o: ChaosOptions, nodes: ClusterNodes): FaultStep[] {
  if (o.fault === 'none') return [];
  const random = seededRandom(o.seed);
  const steps: FaultStep[] = [];
  const construction = o.construction && isRedlockFamily(o.lock) && (o.fault === 'crash' || o.fault === 'clock-skew') && o.clients >= 2;
  if (construction) {
    // Client A (even) reaches only the first majority of masters, client B (odd) only the last;
    // the fault then hits the master they share.
    steps.push({ id: 0, kind: 'partition', atMs: 0, durationMs: o.durationMs, shape: 'bridge', cuts: clientCuts('bridge', nodes.redis, o.clients, random), construction: true });
  }
  if (o.fault === 'mix') {
    const kinds: StepKind[] = ['partition', 'crash', 'clock-skew', 'pause', 'client-pause', 'latency'];
    const busyUntil = new Map<StepKind, number>();
    const count = Math.max(2, Math.floor(o.durationMs / 8000));
    for (let i = 0; i < count; i++) {
      const kind = kinds[Math.floor(random() * kinds.length)] ?? 'partition';
      const atMs = Math.floor(random() * Math.max(1, o.durationMs - 4000));
      const candidate = step(kind, steps.length + 1, Math.max(atMs, busyUntil.get(kind) ?? 0), o, nodes, random, false);
      if (candidate.atMs + candidate.durationMs > o.durationMs) continue;
      busyUntil.set(kind, candidate.atMs + spacingMs(kind, o, candidate.durationMs));
      steps.push(candidate);
    }
    return steps.sort((a, b) => a.atMs - b.atMs);
  }
  let atMs = 1000;
  for (;;) {
    const s = step(o.fault, steps.length + 1, atMs, o, nodes, random, construction);
    if (s.atMs + s.durationMs > o.durationMs && steps.some((x) => !x.construction)) break;
    steps.push(s);
    atMs += spacingMs(o.fault, o, s.durationMs);
    if (atMs >= o.durationMs) break;
  }
  return steps;
}

