// Chaos run options: the typed form of the CLI flags, their defaults per lock and fault, and their
// validation (usage errors that say how to fix the value). Pure, so defaults are tested directly.
import { UsageError } from '../core/errors.ts';
import { isLockName, type LockName } from '../locks/registry.ts';
import type { RedisPersistence } from '../clusters/topology.ts';

export const faultKinds = ['none', 'partition', 'crash', 'clock-skew', 'pause', 'client-pause', 'latency', 'mix'] as const;
export type FaultKind = (typeof faultKinds)[number];
export const isFaultKind = (s: string): s is FaultKind => (faultKinds as readonly string[]).includes(s);

/** Client-side shapes (Toxiproxy, per client) and server-side shapes (iptables, ZooKeeper). */
export const clientPartitionShapes = ['one', 'minority', 'majority', 'majorities-ring', 'bridge'] as const;
export const serverPartitionShapes = ['isolate-one', 'isolate-leader', 'halves'] as const;
export type PartitionShape = (typeof clientPartitionShapes)[number] | (typeof serverPartitionShapes)[number];
export const partitionShapes: readonly PartitionShape[] = [...clientPartitionShapes, ...serverPartitionShapes];

export interface ChaosOptions {
  /** Lock under test: a registry name, or `module` with modulePath. */
  readonly lock: LockName | 'module';
  readonly modulePath?: string;
  readonly fault: FaultKind;
  /** Length of the fault phase, ms. */
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly clients: number;
  readonly keys: number;
  readonly ttlMs: number;
  /** Acquire wait budget, ms. */
  readonly waitMs: number;
  /** Time in the critical section between read and write, ms. */
  readonly holdMs: number;
  readonly seed: number;
  readonly fencing: boolean;
  /** Clients check their lease before writing (a careful client). */
  readonly checkLease: boolean;
  readonly partitionShape: PartitionShape | 'auto';
  readonly persistence: RedisPersistence;
  /** Delay between a crash and the restart, ms; longer than the TTL = Redlock's "delayed restart". */
  readonly restartDelayMs: number;
  /** Clock jump, ms (positive = forward). */
  readonly skewMs: number;
  readonly skewMode: 'bump' | 'strobe';
  /** Length of a pause (node or client) as a multiple of the TTL / session timeout. */
  readonly pauseMultiple: number;
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** The literature's Redlock construction (clients see overlapping majorities; the fault hits the shared master). */
  readonly construction: boolean;
  /** ZooKeeper session timeout asked for by the lock client, ms. */
  readonly sessionTimeoutMs: number;
}

export const isRedisFamily = (lock: ChaosOptions['lock']): boolean => lock === 'redis' || lock === 'redlock' || lock === 'node-redlock';
export const isRedlockFamily = (lock: ChaosOptions['lock']): boolean => lock === 'redlock' || lock === 'node-redlock';

/** The time a lease lasts without renewal: the TTL, or the session timeout for ZooKeeper. */
export function leaseLifetimeMs(o: Pick<ChaosOptions, 'lock' | 'ttlMs' | 'sessionTimeoutMs'>): number {
  return o.lock === 'zookeeper' ? o.sessionTimeoutMs : o.ttlMs;
}

export type ChaosFlags = Partial<Omit<ChaosOptions, 'lock' | 'fault'>> & { readonly lock: string; readonly fault: string; readonly modulePath?: string };

/**
 * Resolves flags to options. Defaults make a meaningful run of about a minute and depend on the
 * fault: a crash needs holds longer than a node restart, a client pause needs a hold for the
 * SIGSTOP to land in.
 */
export function resolveChaosOptions(f: ChaosFlags): ChaosOptions {
  const lock = f.modulePath !== undefined ? 'module' : f.lock;
  if (lock !== 'module' && !isLockName(lock)) throw new UsageError(`--lock must be one of redis, redlock, node-redlock, zookeeper (or use --lock-module PATH), got '${lock}'`);
  if (!isFaultKind(f.fault)) throw new UsageError(`--fault must be one of ${faultKinds.join(', ')}, got '${f.fault}'`);
  const fault = f.fault;
  const crashLike = fault === 'crash';
  const ttlMs = f.ttlMs ?? (crashLike && isRedisFamily(lock) ? 8000 : 2000);
  const o: ChaosOptions = {
    lock,
    ...(f.modulePath !== undefined ? { modulePath: f.modulePath } : {}),
    fault,
    durationMs: f.durationMs ?? 40_000,
    warmupMs: f.warmupMs ?? 5000,
    clients: f.clients ?? 4,
    keys: f.keys ?? (fault === 'crash' || fault === 'clock-skew' ? 1 : 2),
    ttlMs,
    waitMs: f.waitMs ?? ttlMs,
    holdMs: f.holdMs ?? (crashLike ? 3000 : fault === 'clock-skew' ? 1500 : fault === 'client-pause' ? 50 : 10),
    seed: f.seed ?? Math.floor(Math.random() * 2 ** 31),
    fencing: f.fencing ?? false,
    checkLease: f.checkLease ?? false,
    partitionShape: f.partitionShape ?? 'auto',
    persistence: f.persistence ?? 'none',
    restartDelayMs: f.restartDelayMs ?? 500,
    skewMs: f.skewMs ?? Math.max(20_000, 3 * ttlMs),
    skewMode: f.skewMode ?? 'bump',
    pauseMultiple: f.pauseMultiple ?? 2,
    latencyMs: f.latencyMs ?? 50,
    jitterMs: f.jitterMs ?? 20,
    construction: f.construction ?? true,
    sessionTimeoutMs: f.sessionTimeoutMs ?? 4000,
  };
  return validateChaosOptions(o);
}

export function validateChaosOptions(o: ChaosOptions): ChaosOptions {
  const need = (ok: boolean, msg: string): void => {
    if (!ok) throw new UsageError(msg);
  };
  const pos = (v: number): boolean => Number.isFinite(v) && v > 0;
  need(pos(o.durationMs) && o.durationMs <= 3_600_000, `--duration must be between 1 and 3600 seconds, got ${o.durationMs / 1000}`);
  need(Number.isFinite(o.warmupMs) && o.warmupMs >= 0 && o.warmupMs <= 600_000, `--warmup must be between 0 and 600 seconds, got ${o.warmupMs / 1000}`);
  need(Number.isInteger(o.clients) && o.clients >= 1 && o.clients <= 32, `--clients must be a whole number from 1 to 32, got ${o.clients}`);
  need(Number.isInteger(o.keys) && o.keys >= 1 && o.keys <= 1000, `--keys must be a whole number from 1 to 1000, got ${o.keys}`);
  need(Number.isInteger(o.ttlMs) && o.ttlMs >= 100 && o.ttlMs <= 600_000, `--ttl must be a whole number of ms from 100 to 600000, got ${o.ttlMs}`);
  need(Number.isFinite(o.waitMs) && o.waitMs >= 0, `--wait must be ≥ 0 ms, got ${o.waitMs}`);
  need(Number.isFinite(o.holdMs) && o.holdMs >= 0 && o.holdMs < 600_000, `--hold must be between 0 and 600000 ms, got ${o.holdMs}`);
  need(Number.isInteger(o.seed) && o.seed >= 0, `--seed must be a whole number ≥ 0, got ${o.seed}`);
  need(o.partitionShape === 'auto' || partitionShapes.includes(o.partitionShape), `--partition-shape must be auto or one of ${partitionShapes.join(', ')}, got '${o.partitionShape}'`);
  need(Number.isFinite(o.restartDelayMs) && o.restartDelayMs >= 0, `--restart-delay must be ≥ 0 ms, got ${o.restartDelayMs}`);
  need(Number.isInteger(o.skewMs) && o.skewMs !== 0 && Math.abs(o.skewMs) <= 3_600_000, `--skew must be a non-zero whole number of ms within ±3600000, got ${o.skewMs}`);
  need(pos(o.pauseMultiple) && o.pauseMultiple <= 20, `--pause-multiple must be > 0 and ≤ 20, got ${o.pauseMultiple}`);
  need(Number.isInteger(o.latencyMs) && o.latencyMs >= 0 && Number.isInteger(o.jitterMs) && o.jitterMs >= 0, `--latency and --jitter must be whole numbers of ms ≥ 0`);
  need(Number.isInteger(o.sessionTimeoutMs) && o.sessionTimeoutMs >= 1000 && o.sessionTimeoutMs <= 10_000, `--session-timeout must be 1000-10000 ms (the ensemble's bounds), got ${o.sessionTimeoutMs}`);
  if (o.fault === 'partition' && o.partitionShape !== 'auto') {
    const server = (serverPartitionShapes as readonly string[]).includes(o.partitionShape);
    need(!server || o.lock === 'zookeeper', `--partition-shape ${o.partitionShape} partitions ZooKeeper servers from each other; it only applies to --lock zookeeper (Redis masters do not talk to each other)`);
  }
  return o;
}
