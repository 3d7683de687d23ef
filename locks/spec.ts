// What every part of lockbench needs to know about a lock besides its client: the backing system
// it runs on, how its grant lives and dies, which nodes node faults should strike, its floor
// formula, its colour, and its family (what the literature expects of it). The chaos schedule,
// the expectations, the bench floor and the charts ask this descriptor; nothing outside locks/
// branches on a lock's name. `LockModel` is plain data (it is written into manifest.json);
// `LockSpec` adds the client factory.
import type { LockClientFactory } from './lock-client.ts';

/** ttl: the grant expires on the server after a TTL; session: it lasts as long as the client's session. */
export type LeaseKind = 'ttl' | 'session';

/**
 * What the literature says about a lock's design, for expectations:
 *   single    one node decides (single Redis): a crash or clock jump there loses the grant;
 *   fan-out   a majority of independent nodes decides (Redlock): survives a minority, but not a
 *             restarted or skewed node that a holder's majority shares;
 *   consensus a replicated log decides (ZooKeeper): safe under crashes, partitions and clock
 *             jumps; still not under a client paused past its lease;
 *   replicated one primary decides and replicates asynchronously, and a failover promotes a
 *             replica (Redis with Sentinel): a grant the replica had not received is lost when the
 *             primary dies, and an old primary cut off from its Sentinels keeps granting (split brain);
 *   unknown   a user's own lock module that did not say: no expectation is claimed.
 */
export type LockFamily = 'single' | 'fan-out' | 'consensus' | 'replicated' | 'unknown';
export const lockFamilies: readonly LockFamily[] = ['single', 'fan-out', 'consensus', 'replicated', 'unknown'];

export interface LockModel {
  /** The backing system (a registered driver: clusters/systems). */
  readonly system: string;
  readonly lease: LeaseKind;
  readonly family: LockFamily;
  /** Which of the system's nodes the lock uses, so node faults strike those: all, or only the first. */
  readonly nodes: 'all' | 'first';
  /**
   * Partitions that cut what this lock depends on: `client` cuts client links (Toxiproxy), `server`
   * partitions the nodes from each other (iptables), which only a replicated system has.
   */
  readonly partitionSide: 'client' | 'server';
  /** Whether grants carry a fencing token. */
  readonly fencingTokens: boolean;
  /** For a `replicated` lock: how many replicas must acknowledge a grant before it counts (WAIT); absent or 0: none. */
  readonly replicaAcks?: number;
}

/**
 * A lock's floor: per cycle, `roundTrips` round trips and `writes` durable (quorum) writes, with
 * each round trip to one node, or to all nodes at once and done at the quorum's (fan-out). The
 * handoff (the least time from one grant of a key to the next) counts the same way.
 */
export interface FloorFormula {
  readonly roundTrips: number;
  readonly writes: number;
  readonly over: 'one-node' | 'quorum';
  readonly handoff: { readonly roundTrips: number; readonly writes: number };
}

/** The npm package a lock runs as shipped, and the version installed (read from its package.json: locks/package-version.ts). */
export interface LockPackage {
  readonly name: string;
  readonly version: string;
}

/**
 * A defect of the package as shipped that shows in some of a lock's bench figures. The tables print
 * it beside those cells with the figure the run measured (locks/labels.ts).
 *   contended  cells where several clients share one key
 */
export interface KnownDefect {
  readonly cells: 'contended';
  /** What it is, said after the figure: "a known defect of that beta: …". */
  readonly text: string;
  /** Where it is described upstream (an issue or pull request). */
  readonly ref: string;
}

export interface LockSpec {
  /** The CLI name (--lock). */
  readonly name: string;
  readonly model: LockModel;
  /** The fewest nodes of its system the lock runs on (absent: 1); an external target may name fewer. */
  readonly minNodes?: number;
  readonly floor: FloorFormula;
  /** Chart colour (hex). */
  readonly colour: string;
  /**
   * The files of its client code, relative to the repository root: its own file and the helpers
   * under locks/ it is built on, not the harness's LockClient contract. Ease of setup counts their
   * lines (bench/setup-cost.ts). Paths, not `import.meta.url`: the bundled CLI has one file.
   */
  readonly sources: readonly string[];
  /** The third-party package it wraps without fixes, if any: tables name the lock with it (lockLabel). */
  readonly package?: LockPackage;
  readonly knownDefects?: readonly KnownDefect[];
  readonly create: LockClientFactory;
}

/** The time a grant lasts without renewal: the TTL, or the session timeout. */
export function leaseLifetimeMs(model: Pick<LockModel, 'lease'>, o: { readonly ttlMs: number; readonly sessionTimeoutMs: number }): number {
  return model.lease === 'session' ? o.sessionTimeoutMs : o.ttlMs;
}

/** The nodes a lock uses, from its system's nodes in node order: all of them, or only the first (`nodes`). */
export function nodesUsed<T>(model: Pick<LockModel, 'nodes'>, ofSystem: readonly T[]): T[] {
  return model.nodes === 'first' ? ofSystem.slice(0, 1) : [...ofSystem];
}
