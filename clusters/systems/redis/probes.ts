// Redis's health probe, on a raw socket so it needs no client library.
import { tcpRequest, type ProbeResult } from '../../tcp-probe.ts';

/** Redis PING. */
export async function redisPing(host: string, port: number, timeoutMs = 1000): Promise<ProbeResult> {
  const r = await tcpRequest(host, port, 'PING\r\n', { timeoutMs, until: (s) => s.includes('\r\n') });
  // NOAUTH is the server answering too (an external target with a password): the link carries traffic.
  if (r.state === 'answered' && !r.reply.startsWith('+PONG') && !r.reply.startsWith('-NOAUTH')) return { state: 'error', detail: `unexpected reply to PING: ${r.reply.trim()}` };
  return r;
}
