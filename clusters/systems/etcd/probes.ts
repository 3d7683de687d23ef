// etcd's health probes: plain HTTP/1.1 on its client port (etcd serves /health, /version, /metrics
// and the JSON gateway of its gRPC API there beside gRPC), on a raw socket so they need no client
// library. One request per connection (Connection: close), so the reply ends when etcd closes.
import { tcpRequest, type ProbeResult } from '../../tcp-probe.ts';

export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Joins the chunks of a `Transfer-Encoding: chunked` body. */
function unchunk(raw: string): string {
  let out = '';
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!Number.isFinite(size) || size <= 0) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** Status, headers (lower-cased names) and body of one HTTP/1.1 reply; undefined when it is not one. */
export function parseHttpReply(reply: string): HttpReply | undefined {
  const split = reply.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [statusLine = '', ...lines] = reply.slice(0, split).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!m?.[1]) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const colon = l.indexOf(':');
    if (colon > 0) headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
  }
  const raw = reply.slice(split + 4);
  return { status: Number(m[1]), headers, body: headers['transfer-encoding'] === 'chunked' ? unchunk(raw) : raw };
}

export type EtcdProbe = { readonly state: 'answered'; readonly reply: HttpReply; readonly rttMs: number } | Exclude<ProbeResult, { state: 'answered' }>;

/** One HTTP request to an etcd member's client port. */
export async function etcdHttp(host: string, port: number, method: 'GET' | 'POST', path: string, timeoutMs: number, body?: string): Promise<EtcdProbe> {
  const payload = body ?? '';
  const head = [`${method} ${path} HTTP/1.1`, `Host: ${host}:${port}`, 'Connection: close', ...(method === 'POST' ? ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`] : [])];
  const r = await tcpRequest(host, port, `${head.join('\r\n')}\r\n\r\n${payload}`, { timeoutMs });
  if (r.state !== 'answered') return r;
  const reply = parseHttpReply(r.reply);
  if (!reply) return { state: 'error', detail: `${host}:${port} answered ${method} ${path} with something that is not HTTP: ${r.reply.slice(0, 60).trim()}` };
  return { state: 'answered', reply, rttMs: r.rttMs };
}

/** GET /version: answered by the member itself, with or without a leader. */
export async function etcdVersion(host: string, port: number, timeoutMs = 1500): Promise<ProbeResult> {
  const r = await etcdHttp(host, port, 'GET', '/version', timeoutMs);
  if (r.state !== 'answered') return r;
  if (r.reply.status !== 200 || !r.reply.body.includes('etcdserver')) return { state: 'error', detail: `unexpected reply to GET /version: ${r.reply.status} ${r.reply.body.slice(0, 80)}` };
  return { state: 'answered', reply: r.reply.body, rttMs: r.rttMs };
}

/** GET /health: true only when the member has a leader and its Raft log serves (etcd's own check). */
export async function etcdHealthy(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  const r = await etcdHttp(host, port, 'GET', '/health', timeoutMs);
  return r.state === 'answered' && r.reply.status === 200 && /"health"\s*:\s*"true"/.test(r.reply.body);
}

export type EtcdRole = 'leader' | 'follower' | 'no-leader' | 'unreachable';

/** What the member's maintenance Status says: its id, the leader's id, the Raft term. */
export interface EtcdStatus {
  readonly memberId: string;
  readonly leaderId: string;
  readonly raftTerm: number;
  readonly version: string;
}

/** Status from the JSON gateway (uint64 ids arrive as decimal strings). */
export function parseEtcdStatus(body: string): EtcdStatus | undefined {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof j !== 'object' || j === null) return undefined;
  const o = j as { header?: { member_id?: unknown }; leader?: unknown; raftTerm?: unknown; version?: unknown };
  const memberId = o.header?.member_id;
  if (typeof memberId !== 'string') return undefined;
  return { memberId, leaderId: typeof o.leader === 'string' ? o.leader : '0', raftTerm: Number(o.raftTerm ?? 0), version: typeof o.version === 'string' ? o.version : '' };
}

export async function etcdStatus(host: string, port: number, timeoutMs = 1500): Promise<EtcdStatus | undefined> {
  const r = await etcdHttp(host, port, 'POST', '/v3/maintenance/status', timeoutMs, '{}');
  return r.state === 'answered' && r.reply.status === 200 ? parseEtcdStatus(r.reply.body) : undefined;
}

/** The member's role as it sees itself: leader when the leader it knows is itself. */
export function roleOf(s: EtcdStatus | undefined): EtcdRole {
  if (!s) return 'unreachable';
  if (s.leaderId === '0' || s.leaderId === '') return 'no-leader';
  return s.leaderId === s.memberId ? 'leader' : 'follower';
}

export async function etcdRole(host: string, port: number, timeoutMs = 1500): Promise<EtcdRole> {
  return roleOf(await etcdStatus(host, port, timeoutMs));
}

/**
 * The member's own wall clock, from the Date header of its HTTP reply (Go's net/http stamps it
 * with the etcd process's time.Now()), in ms at second resolution; undefined when it cannot be read.
 */
export async function etcdWallClockMs(host: string, port: number, timeoutMs = 1500): Promise<number | undefined> {
  const r = await etcdHttp(host, port, 'GET', '/version', timeoutMs);
  if (r.state !== 'answered') return undefined;
  const t = Date.parse(r.reply.headers['date'] ?? '');
  return Number.isFinite(t) ? t : undefined;
}
