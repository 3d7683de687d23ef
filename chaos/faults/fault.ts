// What a fault is: one module per fault (chaos/faults/<fault>.ts) owns its CLI flags (defaults,
// validation, help), how it draws its schedule steps from the seed, its mechanism (apply, verify,
// heal) and what the literature expects of it per lock family. The registry (registry.ts) lists
// the modules; the chaos flags, `--fault`, the `mix` pool, the matrix and the options type are
// all derived from it, so a new fault is its file plus one registry line.
import type { ClusterControl } from '../../clusters/node-faults.ts';
import type { LockModel } from '../../locks/spec.ts';
import type { WorkerPool } from '../workers.ts';

/** The options every chaos run has, whatever its fault. */
export interface CoreOptions {
  /** Lock under test: a registry name, or `module` with modulePath. */
  readonly lock: string;
  readonly modulePath?: string;
  /** What the lock runs on and how its grant lives (its LockSpec's model, or the module's declaration). */
  readonly lockModel: LockModel;
  readonly fault: string;
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
  /** ZooKeeper session timeout asked for by the lock client, ms. */
  readonly sessionTimeoutMs: number;
}

/** One CLI flag of a fault: its option's default and validation. */
export interface FlagDef<T> {
  /** The flag's name without the dashes. */
  readonly flag: string;
  readonly type: 'number' | 'string' | 'boolean';
  readonly choices?: readonly string[];
  readonly describe: string;
  readonly default: (o: CoreOptions) => T;
  /** The usage error for a bad value (it says how to fix it), or undefined when the value is fine. */
  readonly check: (value: T, o: CoreOptions) => string | undefined;
}

export type FlagDefs<O> = { readonly [K in keyof O]: FlagDef<O[K]> };

/** What every schedule step has; each fault adds its own fields under its own `kind`. */
export interface StepBase {
  readonly kind: string;
  readonly id: number;
  /** Offset from the start of the fault phase, ms. */
  readonly atMs: number;
  readonly durationMs: number;
  /** Apply only once one of these clients holds a lock (bounded wait), so the fault meets a holder. */
  readonly whenHolding?: readonly number[];
  /** Background partition of a construction, not a fault under study by itself. */
  readonly construction?: boolean;
  /**
   * The step that must be healed before this one is applied. Steps that take turns (each mix slot;
   * a single fault's sequence) are spaced in the plan, but a step can start late (waiting for a
   * holder, or for the nemesis's queue) and would then still be in force when its successor is due:
   * the half-hour soak stopped on a latency toxic added while the previous one was still there.
   */
  readonly after?: number;
}

export interface StepContext<O> {
  readonly o: CoreOptions & O;
  readonly id: number;
  readonly atMs: number;
  /** The nodes the lock uses (its model's `nodes` of its system): node faults strike these. */
  readonly lockNodes: readonly string[];
  /** Every node of the lock's system. */
  readonly systemNodes: readonly string[];
  readonly random: () => number;
  /** Strike the node both majorities of a Redlock construction share. */
  readonly construction: boolean;
}

/** A safety claim from the literature: what the resource should see. */
export interface Expectation {
  /** Will the resource see two holders at once? */
  readonly overlap: boolean;
  /** With --fencing: will every stale write be rejected, so no acknowledged update is lost? */
  readonly noLostUpdates?: boolean;
  readonly why: string;
}

export interface FaultContext {
  readonly control: ClusterControl;
  readonly workers: WorkerPool;
  readonly options: CoreOptions;
}

/**
 * Optional fields of AppliedFault.targets that the report draws on the ownership timeline:
 * `moments`, instants inside the fault's window (a promotion), and `clientSides`, which side of a
 * split each client was on, by client id.
 */
export interface TimelineMarks {
  readonly moments?: readonly { readonly atMs: number; readonly label: string }[];
  readonly clientSides?: Readonly<Record<string, string>>;
}

export interface AppliedFault {
  /** What was actually hit, as recorded in the history (resolved at run time where needed); may carry TimelineMarks. */
  readonly targets: Record<string, unknown> & TimelineMarks;
  /** Optional activity while the fault is in force (a strobing clock), until `untilMs` (monotonic). */
  during?(untilMs: number, signal: AbortSignal): Promise<void>;
  heal(): Promise<void>;
}

export interface FaultModule<O, S extends StepBase> {
  readonly name: S['kind'];
  /** One line for --help. */
  readonly describe: string;
  readonly flags: FlagDefs<O>;
  /** Drawn by `--fault mix`. */
  readonly inMix: boolean;
  /** The fault of Kleppmann's Redlock construction: with a fan-out lock it strikes the shared master behind a bridge partition. */
  readonly construction?: boolean;
  /**
   * Why this fault cannot strike a lock of this model (it needs a system with failover, say), or
   * undefined when it can. A run asking for it is a usage error; the matrix and `mix` leave it out.
   */
  readonly appliesTo?: (model: LockModel) => string | undefined;
  /**
   * Whether, for a lock of this model, the fault touches only the client side (its links through
   * the local proxy, its worker processes), so it can strike an external target lockbench does not
   * control. Absent: it needs the servers (a node killed, paused, skewed or cut off by iptables).
   */
  readonly clientSide?: (model: LockModel) => boolean;
  /** What this fault needs of the shared options to show anything (longer holds, one key, a longer TTL). */
  readonly defaults?: (model: LockModel) => Partial<Pick<CoreOptions, 'ttlMs' | 'keys' | 'holdMs'>>;
  /** A usage error for a combination of options this fault cannot run, else undefined. */
  readonly validate?: (o: CoreOptions & O) => string | undefined;
  readonly step: (c: StepContext<O>) => S;
  /** Time after a step before the next of this kind may start, so its effects settle. */
  readonly spacingMs: (o: CoreOptions & O, step: S) => number;
  /** Applies the step to the real cluster, verifies that it took effect, and says how to heal it. */
  readonly apply: (step: S, ctx: FaultContext) => Promise<AppliedFault>;
  readonly expect?: (o: CoreOptions & O) => Expectation | undefined;
}

export function slotOf(ctx: FaultContext, client: number): number {
  return client % ctx.control.plan.config.clientSlots;
}

export const allClients = (o: CoreOptions): number[] => Array.from({ length: o.clients }, (_, i) => i);

export const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length)] as T;

/** A whole-number flag check: "--flag must be …, got …" echoing what was given. */
export function intCheck(flag: string, min: number, max: number, unit = ''): (v: number) => string | undefined {
  return (v) => (Number.isInteger(v) && v >= min && v <= max ? undefined : `--${flag} must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}, got ${String(v)}`);
}
