// The resource's wire format: newline-delimited JSON over TCP, one request or reply per line.
// Replies carry the request's id, so a client may pipeline; the server answers one connection's
// requests in order anyway. Validation lives here so the server only ever sees well-formed requests.

export type RequestId = number | string;

export type KeyOpName = 'enter' | 'read' | 'write' | 'exit';
export type ResourceOpName = KeyOpName | 'ping';

/** enter / read / write / exit on one key, by one client (worker process number). */
export interface KeyRequest {
  readonly id: RequestId;
  readonly op: KeyOpName;
  readonly key: string;
  readonly client: number;
  /** Fencing token as a decimal string; only writes are judged by it. */
  readonly token?: string;
  /** The value to write; required for write, ignored otherwise. */
  readonly value?: number;
}

export interface PingRequest {
  readonly id: RequestId;
  readonly op: 'ping';
}

export type ResourceRequest = KeyRequest | PingRequest;

export type RejectReason = 'stale-token' | 'missing-token';

export interface OkReply {
  readonly id: RequestId;
  readonly ok: true;
  /** read: the current value; write: the value now stored. */
  readonly value?: number;
}

/** A write refused under fencing. It was recorded in the audit log and changed nothing. */
export interface RejectedReply {
  readonly id: RequestId;
  readonly ok: false;
  readonly rejected: RejectReason;
  /** The highest token accepted so far on the key, if any. */
  readonly highestToken?: string;
}

/** The request was malformed or could not be recorded; nothing was applied. */
export interface ErrorReply {
  /** null when the line was not JSON or had no usable id. */
  readonly id: RequestId | null;
  readonly ok: false;
  readonly error: string;
}

export type ResourceReply = OkReply | RejectedReply | ErrorReply;

/** Longest request line the server buffers before it drops the connection as broken. */
export const MAX_LINE_CHARS = 64 * 1024;

const KEY_OPS: ReadonlySet<string> = new Set<KeyOpName>(['enter', 'read', 'write', 'exit']);
const DECIMAL = /^\d+$/;

/** Parses and validates one request line; a result with `error` is what to send back instead. */
export function parseRequest(line: string): ResourceRequest | { readonly id: RequestId | null; readonly error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { id: null, error: 'bad-json' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { id: null, error: 'bad-request: not an object' };
  const r = raw as Record<string, unknown>;
  const id = r['id'];
  if (typeof id !== 'number' && typeof id !== 'string') return { id: null, error: 'bad-request: id must be a number or a string' };
  const bad = (why: string): { id: RequestId; error: string } => ({ id, error: `bad-request: ${why}` });
  const op = r['op'];
  if (op === 'ping') return { id, op };
  if (typeof op !== 'string' || !KEY_OPS.has(op)) return bad('op must be enter, read, write, exit or ping');
  const key = r['key'];
  if (typeof key !== 'string' || key === '') return bad('key must be a non-empty string');
  const client = r['client'];
  if (typeof client !== 'number' || !Number.isSafeInteger(client) || client < 0) return bad('client must be a non-negative integer');
  const token = r['token'];
  if (token !== undefined && (typeof token !== 'string' || !DECIMAL.test(token))) return bad('token must be a decimal string');
  const value = r['value'];
  if (op === 'write' && (typeof value !== 'number' || !Number.isSafeInteger(value))) return bad('write needs an integer value');
  return {
    id,
    op: op as KeyOpName,
    key,
    client,
    ...(token !== undefined && { token }),
    ...(op === 'write' && { value: value as number }),
  };
}

export function isParseError(p: ReturnType<typeof parseRequest>): p is { readonly id: RequestId | null; readonly error: string } {
  return 'error' in p;
}
