// Redis's own counters from INFO, on a raw socket: commands processed (all, and per command from
// commandstats), memory in use and AOF fsyncs that fell behind. What a lock costs the server
// (commands per grant) and what a held lock occupies (used_memory) are read from these.
import { HarnessError } from '../../../core/errors.ts';
import { tcpRequest } from '../../tcp-probe.ts';
import type { NodeCounters } from '../driver.ts';

const SECTIONS = 'stats memory persistence clients commandstats';

/** Every numeric `field:value` line of an INFO reply; commandstats' calls become `cmd_<name>`. */
export function parseRedisInfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    if (key.startsWith('cmdstat_')) {
      const calls = /(?:^|,)calls=(\d+)/.exec(value);
      if (calls?.[1] !== undefined) out[`cmd_${key.slice('cmdstat_'.length)}`] = Number(calls[1]);
      continue;
    }
    if (value !== '' && Number.isFinite(Number(value))) out[key] = Number(value);
  }
  return out;
}

/** The INFO fields lockbench keeps, under its names (bench.json's server.counters). */
export function redisCounters(info: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  const keep = (name: string, field: string): void => {
    const v = info[field];
    if (v !== undefined) out[name] = v;
  };
  keep('commands', 'total_commands_processed');
  keep('connections', 'total_connections_received');
  keep('connected_clients', 'connected_clients');
  keep('used_memory', 'used_memory');
  keep('aof_enabled', 'aof_enabled');
  keep('aof_delayed_fsync', 'aof_delayed_fsync');
  for (const [k, v] of Object.entries(info)) if (k.startsWith('cmd_')) out[k] = v;
  return out;
}

/** The body of a RESP bulk string once all of it has arrived; undefined while more is due. */
export function bulkBody(reply: string): string | undefined {
  const m = /^\$(\d+)\r\n/.exec(reply);
  if (!m?.[1]) return undefined;
  const body = Buffer.from(reply, 'utf8').subarray(m[0].length);
  const len = Number(m[1]);
  return body.length >= len ? body.subarray(0, len).toString('utf8') : undefined;
}

const GAUGES = new Set(['used_memory', 'connected_clients', 'aof_enabled']);

export const redisNodeCounters: NodeCounters = {
  async read(host, port, timeoutMs) {
    const r = await tcpRequest(host, port, `INFO ${SECTIONS}\r\n`, { timeoutMs, until: (s) => s.startsWith('-') || bulkBody(s) !== undefined });
    if (r.state !== 'answered') throw new HarnessError('INTERNAL', `INFO on ${host}:${port}: ${r.detail}`);
    const body = bulkBody(r.reply);
    if (body === undefined) throw new HarnessError('INTERNAL', `INFO on ${host}:${port}: unexpected reply ${r.reply.slice(0, 80).trim()}`);
    return redisCounters(parseRedisInfo(body));
  },
  isGauge: (metric) => GAUGES.has(metric),
  memoryMetric: 'used_memory',
  requestMetric: { metric: 'commands', unit: 'Redis commands' },
};
