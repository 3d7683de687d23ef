// Just enough RESP2 to read what Sentinel and INFO answer on a raw socket (nested arrays of bulk
// strings, integers, simple strings, errors, nulls), so the driver's probes need no client library.
import { tcpRequest } from '../../tcp-probe.ts';

export type RespValue = string | number | null | RespError | readonly RespValue[];

export class RespError {
  constructor(readonly message: string) {}
}

interface Parsed {
  readonly value: RespValue;
  readonly end: number;
}

/** One value from `buf` at `at`; undefined while it is incomplete. */
function parseAt(buf: Buffer, at: number): Parsed | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at] ?? 0);
  const line = buf.subarray(at + 1, eol).toString('utf8');
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RespError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.subarray(next, next + len).toString('utf8'), end: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, pos);
        if (!item) return undefined;
        items.push(item.value);
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      return { value: new RespError(`unexpected RESP type '${type}'`), end: buf.length };
  }
}

/** The first complete value of a reply, or undefined while more is due. */
export function parseResp(reply: string): RespValue | undefined {
  return parseAt(Buffer.from(reply, 'utf8'), 0)?.value;
}

/** The command as a RESP array of bulk strings (arguments may hold spaces). */
export function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Sends one command on a fresh connection; resolves with the reply, or undefined when none came (down, paused, cut off). */
export async function respCommand(host: string, port: number, args: readonly string[], timeoutMs: number): Promise<RespValue | undefined> {
  const r = await tcpRequest(host, port, encodeCommand(args), { timeoutMs, until: (s) => parseResp(s) !== undefined });
  return r.state === 'answered' ? parseResp(r.reply) : undefined;
}

/** A flat [field, value, field, value, …] array (SENTINEL master / replicas entries) as a record. */
export function fieldsOf(v: RespValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  const items = v as readonly RespValue[];
  for (let i = 0; i + 1 < items.length; i += 2) {
    const k = items[i];
    const val = items[i + 1];
    if (typeof k === 'string' && (typeof val === 'string' || typeof val === 'number')) out[k] = String(val);
  }
  return out;
}

/** `field:value` lines of an INFO section. */
export function infoFields(v: RespValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== 'string') return out;
  for (const raw of v.split('\n')) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (line === '' || line.startsWith('#') || colon < 0) continue;
    out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}
