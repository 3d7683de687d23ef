// The one interface every lock implementation under test speaks, and the outcome types that keep
// "definitely not held" apart from "unknown". Each implementation documents, at its top, which of
// its errors mean which; the workloads turn outcomes into history ops (ok / fail / info).
import { HarnessError } from '../core/errors.ts';
import type { SystemCredentials } from '../core/access.ts';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** The node this link leads to (redis-1, sentinel-2), for locks that treat kinds of node differently. */
  readonly node?: string;
  /** Its kind within the system (clusters/node-plan.ts NodePlan.group: rs, sentinel, …). */
  readonly group?: string;
  /**
   * The address the system's own members know the node by (toxiproxy:<port> for Sentinel's data
   * nodes), which is what a Sentinel answers when asked for the primary: a client maps it onto this
   * link (ioredis natMap).
   */
  readonly announced?: string;
  /** An external target's account for this system (core/access.ts); absent in the lab. */
  readonly credentials?: SystemCredentials;
  /** An external target's namespace: everything the lock writes lives under it (core/access.ts); absent in the lab. */
  readonly namespace?: string;
  /** The name the system's directory knows the service by (Sentinel's master name) on an external target; absent in the lab. */
  readonly service?: string;
}

/** What a successful acquire returns. */
export interface Lease {
  readonly key: string;
  /** The unique value this grant wrote; releases and extends compare against it. */
  readonly owner: string;
  /** Host monotonic ms at which the acquire that produced this lease was sent. */
  readonly acquiredAtMs: number;
  /**
   * Host monotonic ms after which the client must assume it no longer holds the lock
   * (TTL minus elapsed minus drift). Undefined for session-based locks (ZooKeeper) while the
   * session is connected: see `lost`.
   */
  readonly validUntilMs: number | undefined;
  /** Fencing token, strictly growing per grant of the same lock, where the implementation has one. */
  readonly token: bigint | undefined;
  /** Aborted when the client learns the lease is lost or suspect (session disconnected / expired). */
  readonly lost: AbortSignal;
}

/** A definite "not acquired": the caller does not hold the lock. */
export interface NotAcquired {
  readonly acquired: false;
  /** busy: someone else holds it for the whole wait budget; unavailable: the service could not be reached. */
  readonly reason: 'busy' | 'unavailable';
  readonly detail?: string;
}

export type AcquireOutcome = { readonly acquired: true; readonly lease: Lease } | NotAcquired;

/** released: our grant was removed; not-held: it had already expired or been taken over. */
export type ReleaseOutcome = 'released' | 'not-held';

export type ExtendOutcome = { readonly extended: true; readonly lease: Lease } | { readonly extended: false; readonly reason: 'not-held' | 'unavailable' };

export interface AcquireOptions {
  /** How long the grant lasts if never released (ignored by session-based locks). */
  readonly ttlMs: number;
  /** How long acquire may keep trying before it answers "busy". */
  readonly waitMs: number;
}

/**
 * A lock client under test. Its methods resolve with a definite outcome or reject with
 * LockUnknownError (or any other error) when the outcome is unknown: the workload records
 * those as `info`.
 */
export interface LockClient extends AsyncDisposable {
  /** The CLI name of the implementation (a registry name: redis, zookeeper, etcd, …), or the module's. */
  readonly name: string;
  acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome>;
  release(lease: Lease): Promise<ReleaseOutcome>;
  /** Present where the algorithm has it. */
  extend?(lease: Lease, ttlMs: number): Promise<ExtendOutcome>;
  close(): Promise<void>;
}

/** Where a lock client connects, and its identity in the run. */
export interface LockClientContext {
  /** The worker's number (process in the history). */
  readonly clientId: number;
  /**
   * Every backing system's nodes, in node order, through this client's own Toxiproxy links, keyed
   * by the system's name (clusters/systems/registry.ts). A lock on a new system reads its own here.
   */
  readonly endpoints: Readonly<Record<string, readonly Endpoint[]>>;
  /** Redis nodes, in node order, through this client's own Toxiproxy links (= endpoints.redis; lock modules use it). */
  readonly redis: readonly Endpoint[];
  /** ZooKeeper nodes, likewise (= endpoints.zookeeper). */
  readonly zookeeper: readonly Endpoint[];
  /** Implementation-specific tuning (retry delays, per-node timeouts, session timeout), by name. */
  readonly tuning?: Readonly<Record<string, number>>;
}

export type LockClientFactory = (ctx: LockClientContext) => Promise<LockClient>;

/** The outcome of an operation is unknown: it may or may not have taken effect. */
export class LockUnknownError extends HarnessError {
  override readonly name = 'LockUnknownError';
  constructor(
    readonly operation: 'acquire' | 'release' | 'extend',
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super('LOCK_OUTCOME_UNKNOWN', `${operation}: outcome unknown (${detail})`, options);
  }
}

export function tuning(ctx: LockClientContext, name: string, fallback: number): number {
  const v = ctx.tuning?.[name];
  return v !== undefined && Number.isFinite(v) ? v : fallback;
}

/** A random delay in [minMs, maxMs), so competing clients do not retry in lockstep. */
export function jitterMs(minMs: number, maxMs: number, random: () => number = Math.random): number {
  return minMs + random() * Math.max(0, maxMs - minMs);
}
