// The one probe every system's checks are built from: one request on a fresh TCP connection with a
// deadline. It is how every fault checks that it took effect and every wait checks for readiness.
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
