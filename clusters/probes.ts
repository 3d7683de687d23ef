// Small, dependency-free health probes: one request on a fresh TCP connection with a deadline.
// They are how every fault checks that it took effect and every wait checks for readiness.
import { connect, type Socket } from 'node:net';

export type ProbeResult =
  | { readonly state: 'answered'; readonly reply: string; readonly rttMs: number }
  | { readonly state: 'refused' | 'closed' | 'timeout' | 'error'; readonly detail: string };

/** Sends `request` and resolves with what came back before `until(reply)` or the peer closed. */
export function tcpRequest(
  host: string,
  port: number,
  request: string,
  opts: { readonly timeoutMs: number; readonly until?: (reply: string) => boolean },
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let reply = '';
    let settled = false;
    const socket: Socket = connect({ host, port });
    const finish = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ state: 'timeout', detail: `no reply from ${host}:${port} within ${opts.timeoutMs} ms` }), opts.timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (b: Buffer) => {
      reply += b.toString('utf8');
      if (opts.until?.(reply)) finish({ state: 'answered', reply, rttMs: performance.now() - started });
    });
    socket.on('end', () => {
      finish(reply ? { state: 'answered', reply, rttMs: performance.now() - started } : { state: 'closed', detail: `${host}:${port} closed the connection without a reply` });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') finish({ state: 'refused', detail: `${host}:${port} refused the connection` });
      else finish({ state: 'error', detail: `${host}:${port}: ${err.code ?? err.message}` });
    });
  });
}

/** Redis PING. */
export async function redisPing(host: string, port: number, timeoutMs = 1000): Promise<ProbeResult> {
  const r = await tcpRequest(host, port, 'PING\r\n', { timeoutMs, until: (s) => s.includes('\r\n') });
  if (r.state === 'answered' && !r.reply.startsWith('+PONG')) return { state: 'error', detail: `unexpected reply to PING: ${r.reply.trim()}` };
  return r;
}

/** A ZooKeeper four-letter-word command (srvr, ruok, mntr); the server closes after replying. */
export function zkCommand(host: string, port: number, word: 'srvr' | 'ruok' | 'mntr' | 'stat' | 'conf', timeoutMs = 1500): Promise<ProbeResult> {
  return tcpRequest(host, port, word, { timeoutMs });
}

export type ZkMode = 'leader' | 'follower' | 'standalone' | 'observer' | 'not-serving' | 'unreachable';

/** The node's role as `srvr` reports it; 'not-serving' when it has no quorum. */
export async function zkMode(host: string, port: number, timeoutMs = 1500): Promise<ZkMode> {
  const r = await zkCommand(host, port, 'srvr', timeoutMs);
  if (r.state !== 'answered') return 'unreachable';
  const m = /Mode:\s*(\w+)/.exec(r.reply);
  if (m?.[1] === 'leader' || m?.[1] === 'follower' || m?.[1] === 'standalone' || m?.[1] === 'observer') return m[1];
  return 'not-serving';
}
