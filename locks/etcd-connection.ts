// One `etcd3` client per lock client, on every etcd member it was given, and what an etcd3 error
// means for an operation's outcome. Shared by the two etcd locks (etcd-lock.ts, etcd3-lock.ts).
//
// How etcd3 1.1.2 spreads calls over the members (node_modules/etcd3/lib/connection-pool.js): each
// unary call runs through a global retry policy (3 attempts on "recoverable" errors: UNAVAILABLE,
// DEADLINE_EXCEEDED, CANCELLED, INTERNAL, UNKNOWN, ABORTED, RESOURCE_EXHAUSTED) and, per attempt,
// through the hosts in a fresh random order, skipping a host whose circuit breaker is open (3
// consecutive recoverable failures open it for 5 s); the first host whose call goes through
// answers, or fails the attempt. etcd3 sets no deadline of its own, so a member that accepts the
// connection but never answers (paused, or cut from its peers: a linearizable request waits for a
// leader it cannot reach) holds a call for as long as the caller lets it. Hence `defaultCallOptions`
// below: every unary attempt gets its own deadline (`callTimeoutMs`), because etcd3 evaluates the
// factory inside each attempt; the retry then moves to another member and a dead member costs one
// timeout per attempt, at most 3 × `callTimeoutMs` per call, and nothing once its breaker is open.
// Streams (watch, lease keep-alive) get no deadline: a deadline would end them. They sit on one
// member; the lock bounds its waits on them itself (etcd-lock.ts).
// The breakers' cost: when every member fails at once (no quorum, or an election in progress),
// all three breakers open and for 5 s every call fails at once with BrokenCircuitError, without
// being sent: the locks answer "unavailable" straight away, and the first grant after a heal can
// wait for a breaker to half-open (a chaos run with two overlapping isolate-leader partitions,
// no quorum for 11 s: first grant 3.9 s after the last heal).
//
// Outcomes: etcd3 re-creates gRPC errors as its own classes and drops the status code, so errors
// are told apart by class. A call that failed with a recoverable error may have been applied (the
// reply was lost); a BrokenCircuitError means no attempt was sent (every member's breaker was open).
import { Etcd3, EtcdLeaseInvalidError, isRecoverableError, type IOptions } from 'etcd3';
import { errorMessage } from '../core/errors.ts';
import { etcdAccess } from '../core/access.ts';
import type { Endpoint } from './lock-client.ts';

/** `{host, port}` → the URL etcd3 expects. */
export function etcdHosts(endpoints: readonly Endpoint[]): string[] {
  const { scheme } = etcdAccess(endpoints);
  return endpoints.map((e) => `${scheme}://${e.host}:${e.port}`);
}

export interface EtcdClientOptions {
  /** Deadline of each attempt of a unary call, ms (etcd3 makes up to 3 attempts per call). */
  readonly callTimeoutMs: number;
}

/** etcd3's options for a lock client: every member, and a deadline on every unary attempt. */
export function etcdClientOptions(endpoints: readonly Endpoint[], o: EtcdClientOptions): IOptions {
  if (endpoints.length === 0) throw new Error('an etcd lock needs at least one etcd member');
  // gRPC deadlines are wall-clock instants (its API); the interval is what matters, and it is
  // taken at the attempt's start.
  return { hosts: etcdHosts(endpoints), ...etcdAccess(endpoints).options, defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + o.callTimeoutMs }) };
}

export function openEtcd(endpoints: readonly Endpoint[], o: EtcdClientOptions): Etcd3 {
  return new Etcd3(etcdClientOptions(endpoints, o));
}

/**
 * What a failed call tells about its effect:
 *   not-sent  no attempt reached a member (every circuit breaker open): it did not happen;
 *   unknown   a recoverable error (timeout, dropped connection, leader change): it may have happened;
 *   rejected  etcd answered with an error (the request was refused): it did not happen.
 */
export type EtcdFailure = 'not-sent' | 'unknown' | 'rejected';

export function classifyEtcdError(err: unknown): EtcdFailure {
  if (err instanceof Error && (err as { isBrokenCircuitError?: unknown }).isBrokenCircuitError === true) return 'not-sent';
  if (err instanceof Error && isRecoverableError(err)) return 'unknown';
  return 'rejected';
}

/** The lease is gone on the server (expired or revoked). */
export function isLeaseGone(err: unknown): boolean {
  return err instanceof EtcdLeaseInvalidError;
}

/** etcd3's error classes keep the name `Error`; their constructor says which one it is. */
export function etcdErrorText(err: unknown): string {
  const name = err instanceof Error ? err.constructor.name : 'Error';
  return `${name}: ${errorMessage(err)}`;
}

/** A lease id (decimal int64 string, as etcd3 returns it) in hex, as Go's concurrency.Mutex names its key. */
export function leaseIdHex(id: string): string {
  return BigInt(id).toString(16);
}

/** etcd's minimum lease TTL with its default heartbeat and election timeout (research/locks.md §3). */
export const MIN_LEASE_TTL_SEC = 2;

/** A session lease's TTL, whole seconds: the session timeout rounded up, at least etcd's minimum. */
export function sessionTtlSec(sessionTimeoutMs: number): number {
  return Math.max(MIN_LEASE_TTL_SEC, Math.ceil(sessionTimeoutMs / 1000));
}
