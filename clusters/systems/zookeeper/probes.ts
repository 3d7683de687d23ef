// ZooKeeper's health probes: four-letter words on a raw socket, so they need no client library.
import { tcpRequest, type ProbeResult } from '../../tcp-probe.ts';

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
