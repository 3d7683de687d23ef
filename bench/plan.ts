// The benchmark suite as data: flags → validated options → the ordered list of cases to run.
// Pure (no I/O, no clock), so what a flag combination runs is unit-tested without a cluster.
// Order matters for speed and for meaning: cases are grouped by injected latency (toxics are set
// up once per group) and, inside a group, by lock (lock clients are opened once per lock); the
// open-loop cases of a lock follow its closed-loop sweep because their offered rate is a fraction
// of the throughput that sweep measured.
import { UsageError } from '../core/errors.ts';
import { linkPaths, type LinkPath } from '../locks/context.ts';
import { locksOnSelected, otherLocksText, requireSelected } from '../clusters/systems/selection.ts';
import { isLockName, lockNames, lockSpecs, type LockName } from '../locks/registry.ts';

/** How many keys the clients of a case use: `many` = one per client (independent locks). */
export type KeySpec = number | 'many';

export interface SuiteOptions {
  readonly locks: readonly LockName[];
  readonly clients: readonly number[];
  readonly keys: readonly KeySpec[];
  /** Injected one-way latency per direction, ms; 0 (no toxics) always runs first. */
  readonly latenciesMs: readonly number[];
  /** Measured time per case, after its warm-up. */
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Floor measurements: time per primitive measurement. */
  readonly floorDurationMs: number;
  readonly quick: boolean;
  /** Worker processes that host the lock clients. */
  readonly workers: number;
  readonly ttlMs: number;
  /** How long one acquire may wait before it counts as a timeout (busy). */
  readonly waitMs: number;
  /** Open-loop offered rates, as fractions of the closed-loop throughput of the same lock. */
  readonly openLoopFractions: readonly number[];
  /** Clients of the open-loop, fairness and HTTP cases. */
  readonly focusClients: number;
  /** Hard cap on cycles per client per case, so every loop is bounded in count as well as time. */
  readonly maxCyclesPerClient: number;
  /**
   * The links of the speed cases: the nodes' own ports (default: the figures are the locks', not
   * the proxy's) or the proxy's. Cases with injected latency always use the proxy (they need its toxics).
   */
  readonly via: LinkPath;
  /** Scalability (bench/scalability.ts): how many locks are held at once in each `held` case. */
  readonly heldLocks: readonly number[];
  /** Clients of the sweep measured while they are held (independent keys). */
  readonly heldSweepClients: number;
  /** The longest a `held` case spends acquiring; it holds fewer locks (and says so) when that runs out. */
  readonly holdBudgetMs: number;
  /** Clients on one key in each `waiters` case. */
  readonly waiters: readonly number[];
  /** Measured time of one scalability point (shorter than a case: there are many points). */
  readonly scalabilityDurationMs: number;
  /** --max-rate: the most cycles (or raw pairs) per second any case or floor measurement offers, across its clients (bench/pace.ts). */
  readonly maxRatePerSec?: number;
  /** Where the load goes: the lab, or an external target (only the cases --max-rate can bound: externalCaseKinds). */
  readonly target: 'lab' | 'external';
}

/**
 * The cases that run against an external target: every one whose load --max-rate bounds — closed
 * and open loops through the pacing of bench/pace.ts, the micro case through a pause before each
 * cycle, the HTTP case through autocannon's overall rate, the held case's acquires spaced across
 * its holders. Their server figures (memory per held lock, server work per grant, CPU) need the
 * lab's own nodes and read "not measured" there.
 */
export const externalCaseKinds: readonly CaseKind[] = ['micro', 'sweep', 'open', 'fairness', 'http', 'held', 'waiters'];

/** --max-rate's default against an external target, cycles per second across a case's clients. */
export const EXTERNAL_DEFAULT_MAX_RATE = 500;

export interface BenchFlags {
  readonly locks?: string | undefined;
  readonly clients?: string | undefined;
  readonly keys?: string | undefined;
  readonly latency?: string | undefined;
  /** Seconds per case. */
  readonly duration?: number | undefined;
  readonly quick?: boolean | undefined;
  readonly workers?: number | undefined;
  readonly via?: string | undefined;
  /** The systems the cluster runs (ClusterConfig `systems`); undefined: every registered one. */
  readonly systems?: readonly string[] | undefined;
  /** --max-rate, cycles per second per case; undefined: none in the lab, EXTERNAL_DEFAULT_MAX_RATE against an external target. */
  readonly maxRate?: number | undefined;
  readonly target?: 'lab' | 'external' | undefined;
  /** An external target's endpoints per system: `all` leaves out the locks that need more (LockSpec minNodes), a named one is refused. */
  readonly nodeCounts?: Readonly<Record<string, number>> | undefined;
}

/** The locks that fit `nodeCounts` (undefined: every one): from `all`, the rest are left out; named, a usage error. */
export function locksThatFit(locks: readonly LockName[], named: boolean, nodeCounts: Readonly<Record<string, number>> | undefined): LockName[] {
  if (nodeCounts === undefined) return [...locks];
  return locks.filter((l) => {
    const spec = lockSpecs[l];
    const have = nodeCounts[spec.model.system] ?? 0;
    const need = spec.minNodes ?? 1;
    if (have >= need) return true;
    if (named) throw new UsageError(`--locks: ${l} needs at least ${need} ${spec.model.system} nodes, and the target names ${have}; give ${need} endpoints or leave ${l} out`);
    return false;
  });
}

export const MAX_CLIENTS = 256;
export const MAX_LATENCY_MS = 1000;

const defaults = {
  full: { clients: '1,4,16,64', keys: '1,many', latency: '5', durationS: 2.5, fractions: [0.5, 0.9], held: [1, 100, 1000, 10_000], waiters: [1, 16, 64, 256], holdBudgetMs: 4000, pointMs: 1000 },
  quick: { clients: '1,16', keys: '1,many', latency: '1', durationS: 1, fractions: [0.7], held: [1, 1000], waiters: [1, 64], holdBudgetMs: 2000, pointMs: 500 },
} as const;

function list(flag: string, raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${flag} needs at least one value (comma-separated), got '${raw}'`);
  return items;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

const lockSystems = (): { name: LockName; system: string }[] => lockNames.map((name) => ({ name, system: lockSpecs[name].model.system }));

/**
 * `--locks` as lock names. `all` (the default) is every lock on the selected systems (`systems`;
 * undefined: every lock); a named lock on a system the selection leaves out is a usage error.
 */
export function parseLocks(raw: string, systems?: readonly string[]): LockName[] {
  if (raw.trim() === 'all') return systems === undefined ? [...lockNames] : locksOnSelected(lockSystems(), systems, '--locks').map((l) => l.name);
  const names = unique(
    list('locks', raw).map((name) => {
      if (!isLockName(name)) throw new UsageError(`--locks: unknown lock '${name}'; choose from ${lockNames.join(', ')} (comma-separated), or all`);
      return name;
    }),
  );
  if (systems !== undefined) for (const name of names) requireSelected(`--locks: lock '${name}'`, lockSpecs[name].model.system, systems, otherLocksText(lockSystems(), systems));
  return names;
}

export function parseClients(raw: string): number[] {
  const values = list('clients', raw).map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || !Number.isInteger(n) || n < 1 || n > MAX_CLIENTS) {
      throw new UsageError(`--clients: '${s}' is not a whole number from 1 to ${MAX_CLIENTS}; e.g. --clients 1,4,16,64`);
    }
    return n;
  });
  return unique(values).sort((a, b) => a - b);
}

export function parseKeys(raw: string): KeySpec[] {
  const values = list('keys', raw).map((s): KeySpec => {
    if (s === 'many') return 'many';
    const n = Number(s);
    if (!/^\d+$/.test(s) || n < 1 || n > 100_000) throw new UsageError(`--keys: '${s}' is neither 'many' nor a whole number from 1 to 100000; e.g. --keys 1,many`);
    return n;
  });
  return unique(values);
}

export function parseLatencies(raw: string): number[] {
  const values = list('latency', raw).map((s) => {
    const n = Number(s);
    // Toxiproxy's latency attribute is a whole number of milliseconds.
    if (!/^\d+$/.test(s) || n > MAX_LATENCY_MS) throw new UsageError(`--latency: '${s}' is not a whole number of ms from 0 to ${MAX_LATENCY_MS}; e.g. --latency 1,5 (0 = no WAN cases)`);
    return n;
  });
  return unique(values.filter((n) => n > 0)).sort((a, b) => a - b);
}

/** Flags → validated options; bad values throw UsageError saying how to fix them. */
export function suiteOptions(flags: BenchFlags): SuiteOptions {
  const quick = flags.quick === true;
  const d = quick ? defaults.quick : defaults.full;
  const durationS = flags.duration ?? d.durationS;
  if (!(typeof durationS === 'number' && Number.isFinite(durationS) && durationS >= 0.1 && durationS <= 600)) {
    throw new UsageError(`--duration must be a number of seconds per case from 0.1 to 600, got ${String(flags.duration)}`);
  }
  const workers = flags.workers ?? 4;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 32)) throw new UsageError(`--workers must be a whole number from 1 to 32, got ${String(flags.workers)}`);
  const clients = parseClients(flags.clients ?? d.clients);
  const via = flags.via ?? 'direct';
  if (!(linkPaths as readonly string[]).includes(via)) throw new UsageError(`--via must be one of ${linkPaths.join(', ')} (the links of the speed cases), got '${via}'`);
  const durationMs = Math.round(durationS * 1000);
  const target = flags.target ?? 'lab';
  const maxRate = flags.maxRate ?? (target === 'external' ? EXTERNAL_DEFAULT_MAX_RATE : undefined);
  if (maxRate !== undefined && !(Number.isInteger(maxRate) && maxRate >= 1 && maxRate <= 1_000_000)) {
    throw new UsageError(`--max-rate must be a whole number of lock cycles per second from 1 to 1000000, got ${String(flags.maxRate)}`);
  }
  return {
    locks: locksThatFit(parseLocks(flags.locks ?? 'all', flags.systems), (flags.locks ?? 'all').trim() !== 'all', flags.nodeCounts),
    clients,
    keys: parseKeys(flags.keys ?? d.keys),
    latenciesMs: parseLatencies(flags.latency ?? d.latency),
    durationMs,
    warmupMs: Math.min(1000, Math.max(100, Math.round(durationMs / 5))),
    floorDurationMs: Math.min(2000, Math.max(1000, Math.round(durationMs / 2))),
    quick,
    workers,
    ttlMs: 10_000,
    // A timeout must be able to happen inside a case's window to be counted.
    waitMs: Math.min(2000, durationMs),
    openLoopFractions: [...d.fractions],
    focusClients: focusClients(clients),
    maxCyclesPerClient: 1_000_000,
    via: via as LinkPath,
    heldLocks: [...d.held],
    heldSweepClients: 16,
    holdBudgetMs: d.holdBudgetMs,
    // Every waiters point fits under MAX_CLIENTS (client ids are global: slot and worker follow them).
    waiters: d.waiters.filter((w) => w <= MAX_CLIENTS),
    scalabilityDurationMs: Math.min(durationMs, d.pointMs),
    ...(maxRate !== undefined ? { maxRatePerSec: maxRate } : {}),
    target,
  };
}

/** The client count of the open-loop, fairness and HTTP cases: 16 if swept, else the largest below it. */
export function focusClients(clients: readonly number[]): number {
  if (clients.includes(16)) return 16;
  const below = clients.filter((c) => c < 16);
  return below.length > 0 ? Math.max(...below) : Math.min(...clients);
}

interface CaseBase {
  readonly id: string;
  readonly lock: LockName;
  readonly clients: number;
  /** Injected one-way latency per direction, ms (0 = none). */
  readonly latencyMs: number;
  /** The links its lock clients use. */
  readonly via: LinkPath;
}

/** Uncontended acquire + release, one client, tinybench. */
export interface MicroCase extends CaseBase {
  readonly kind: 'micro';
}

/** Closed loop: every client runs cycles back to back. */
export interface SweepCase extends CaseBase {
  readonly kind: 'sweep';
  readonly keys: KeySpec;
}

/** Open loop at a fixed offered rate; the rate is `fraction` × the throughput of case `rateOf`. */
export interface OpenCase extends CaseBase {
  readonly kind: 'open';
  readonly keys: KeySpec;
  readonly fraction: number;
  readonly rateOf: string;
}

/** All clients on one key, holding it 1 ms: who gets the grants, and in which order. */
export interface FairnessCase extends CaseBase {
  readonly kind: 'fairness';
  readonly holdMs: number;
}

/** The inventory service behind HTTP, driven by autocannon. */
export interface HttpCase extends CaseBase {
  readonly kind: 'http';
  readonly skus: number;
}

/** `heldLocks` distinct locks held at once by other clients, then a closed-loop sweep on independent keys. */
export interface HeldCase extends CaseBase {
  readonly kind: 'held';
  readonly keys: 'many';
  readonly heldLocks: number;
}

/** `clients` waiters on one key: grants/s, the wait, and the server work per grant. */
export interface WaitersCase extends CaseBase {
  readonly kind: 'waiters';
  readonly keys: 1;
  readonly holdMs: number;
}

export type CaseSpec = MicroCase | SweepCase | OpenCase | FairnessCase | HttpCase | HeldCase | WaitersCase;
export type CaseKind = CaseSpec['kind'];

export const keysLabel = (k: KeySpec): string => (k === 'many' ? 'many' : String(k));

export function sweepId(lock: string, clients: number, keys: KeySpec, latencyMs: number): string {
  return `sweep/${lock}/c${clients}/k${keysLabel(keys)}/l${latencyMs}`;
}

/** The links of a case: the suite's, except where injected latency needs the proxy's toxics. */
export const pathOf = (o: Pick<SuiteOptions, 'via'>, latencyMs: number): LinkPath => (latencyMs > 0 ? 'proxy' : o.via);

/** The ordered case list (see the header for why this order). */
export function planCases(o: SuiteOptions): CaseSpec[] {
  const cases: CaseSpec[] = [];
  const via = o.via;
  for (const lock of o.locks) cases.push({ kind: 'micro', id: `micro/${lock}`, lock, clients: 1, latencyMs: 0, via });
  const openKeys: KeySpec = o.keys.includes('many') ? 'many' : (o.keys[o.keys.length - 1] ?? 'many');
  const sweeps = (lock: LockName, latencyMs: number): void => {
    for (const clients of o.clients) {
      for (const keys of o.keys) cases.push({ kind: 'sweep', id: sweepId(lock, clients, keys, latencyMs), lock, clients, keys, latencyMs, via: pathOf(o, latencyMs) });
    }
  };
  for (const lock of o.locks) {
    sweeps(lock, 0);
    const rateOf = sweepId(lock, o.focusClients, openKeys, 0);
    for (const fraction of o.openLoopFractions) {
      cases.push({ kind: 'open', id: `open/${lock}/c${o.focusClients}/k${keysLabel(openKeys)}/x${fraction}`, lock, clients: o.focusClients, keys: openKeys, latencyMs: 0, fraction, rateOf, via });
    }
    cases.push({ kind: 'fairness', id: `fairness/${lock}/c${o.focusClients}`, lock, clients: o.focusClients, latencyMs: 0, holdMs: 1, via });
  }
  for (const lock of o.locks) cases.push({ kind: 'http', id: `http/${lock}`, lock, clients: o.focusClients, latencyMs: 0, skus: 4, via });
  // Scalability last of the cases without latency, lock by lock: the waiters cases open up to 256
  // clients of one lock. Every case without latency runs before the floor is measured again, so
  // the floor they are judged against was measured after them too (a JVM still warming is faster
  // at the end than at the start).
  for (const lock of o.locks) {
    for (const heldLocks of o.heldLocks) cases.push({ kind: 'held', id: `held/${lock}/n${heldLocks}`, lock, clients: o.heldSweepClients, keys: 'many', latencyMs: 0, heldLocks, via });
    for (const w of o.waiters) cases.push({ kind: 'waiters', id: `waiters/${lock}/w${w}`, lock, clients: w, keys: 1, latencyMs: 0, holdMs: 1, via });
  }
  for (const latencyMs of o.latenciesMs) for (const lock of o.locks) sweeps(lock, latencyMs);
  return o.target === 'external' ? cases.filter((c) => externalCaseKinds.includes(c.kind)) : cases;
}

/** The key a client uses in a case: one shared key, one per client, or client i on key i mod N. */
export function keyFor(prefix: string, keys: KeySpec, clientId: number): string {
  if (keys === 'many') return `${prefix}:k${clientId}`;
  return `${prefix}:k${clientId % keys}`;
}
