// The one data model every part of lockbench speaks: Jepsen's history of ops, and the resource's
// audit log. Both are JSONL files in a run directory; results/README.md documents each field.

/** invoke, then exactly one of: ok, fail (definitely did not happen), info (unknown outcome). */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** A client worker's number, or the nemesis. */
export type Process = number | 'nemesis';

/** What a successful acquire returned, as recorded on the `ok` completion. */
export interface LeaseRecord {
  /** The unique owner value the lock client wrote. */
  readonly owner: string;
  /** Deadline of the lease's validity on the host monotonic clock (ms); absent if the client cannot tell. */
  readonly validUntilMs?: number;
  /** Fencing token as a decimal string (tokens can exceed 2^53), where the implementation gives one. */
  readonly token?: string;
}

export interface Op {
  readonly type: OpType;
  /** Function: acquire, release, extend, read, write, incr, or a nemesis f such as start-partition. */
  readonly f: string;
  readonly process: Process;
  /** Host monotonic clock, ms (µs resolution). Comparable across processes on one host. */
  readonly timeMs: number;
  /** The lock key / resource key this op is about, if any. */
  readonly key?: string;
  /** f-specific payload: an increment's read and written values, a nemesis op's targets, ... */
  readonly value?: unknown;
  /** On acquire ok: the lease. */
  readonly lease?: LeaseRecord;
  /** Short error tag on fail / info: timeout, busy, conn-refused, not-held, ... */
  readonly error?: string;
}

/**
 * The `f` of the line the chaos runner appends when a client worker process dies on its own:
 * `{"type":"info","f":"crash","process":N,"timeMs":…,"error":"crashed"}`. It completes the op the
 * process had outstanding (as `info`), and the process does nothing after it.
 */
export const CRASH_F = 'crash';

export type AuditEvent = 'enter' | 'read' | 'write' | 'exit' | 'reject';

/** One line of audit.jsonl: what the resource saw, stamped with the resource's monotonic clock. */
export interface AuditEntry {
  /** Host monotonic clock at the resource, ms. */
  readonly timeMs: number;
  readonly event: AuditEvent;
  readonly key: string;
  /** The client (worker process number) that made the call. */
  readonly client: number;
  /** Fencing token presented, as a decimal string, if any. */
  readonly token?: string;
  /** Value read or written. */
  readonly value?: number;
  /** For reject: why (stale-token, missing-token). */
  readonly reason?: string;
}

// Plain comparisons rather than Set lookups: these run once per line of million-line files.
const isOpType = (t: unknown): boolean => t === 'invoke' || t === 'ok' || t === 'fail' || t === 'info';
const isAuditEvent = (e: unknown): boolean => e === 'enter' || e === 'read' || e === 'write' || e === 'exit' || e === 'reject';

/** The fields every checker relies on; a line without them is skipped as malformed. */
export function isOp(x: unknown): x is Op {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  const process = o['process'];
  return isOpType(o['type']) && typeof o['f'] === 'string' && (typeof process === 'number' || process === 'nemesis') && typeof o['timeMs'] === 'number';
}

export function isAuditEntry(x: unknown): x is AuditEntry {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return isAuditEvent(e['event']) && typeof e['key'] === 'string' && typeof e['client'] === 'number' && typeof e['timeMs'] === 'number';
}
