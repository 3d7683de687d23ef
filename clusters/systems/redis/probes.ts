// Redis's health probe, on a raw socket so it needs no client library.
import { tcpRequest, type ProbeResult } from '../../tcp-probe.ts';

/** Redis PING. */
export async function redisPing(host: string, port: number, timeoutMs = 1000): Promise<ProbeResult> {
  const r = await tcpRequest(host, port, 'PING\r\n', { timeoutMs, until: (s) => s.includes('\r\n') });
  if (r.state === 'answered' && !r.reply.startsWith('+PONG')) return { state: 'error', detail: `unexpected reply to PING: ${r.reply.trim()}` };
  return r;
}
