// Listen and upstream address handling with Go's net package semantics: host:port splitting,
// the resolved form Toxiproxy compares against to decide whether an update restarts a proxy, the
// address a listener reports after binding, and Go-worded bind errors.
import { lookup } from 'node:dns/promises';
import { isIP, type AddressInfo } from 'node:net';
import { ToxiproxyApiError } from './errors.ts';

export interface HostPort {
  /** IP literal, host name, or '' for "all interfaces" / "local system". Never bracketed. */
  readonly host: string;
  readonly port: number;
}

/** Go's net.SplitHostPort plus a numeric port; throws a 500 with a Go-like message. */
export function splitHostPort(address: string): HostPort {
  let host: string;
  let portText: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close < 0) throw addressError(address, 'missing \']\' in address');
    host = address.slice(1, close);
    const rest = address.slice(close + 1);
    if (!rest.startsWith(':')) throw addressError(address, 'missing port in address');
    portText = rest.slice(1);
  } else {
    const colon = address.lastIndexOf(':');
    if (colon < 0) throw addressError(address, 'missing port in address');
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
    if (host.includes(':')) throw addressError(address, 'too many colons in address');
  }
  const port = portText === '' ? 0 : Number(portText);
  if (!/^\d*$/.test(portText) || !Number.isInteger(port) || port > 65535) {
    throw new ToxiproxyApiError(500, `lookup tcp/${portText}: unknown port`);
  }
  return { host, port };
}

function addressError(address: string, why: string): ToxiproxyApiError {
  return new ToxiproxyApiError(500, `address ${address}: ${why}`);
}

/** Go's TCPAddr.String(). */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Go's ResolveTCPAddr(listen).String(): names become addresses (IPv4 first, like Go for "tcp"),
 * '' stays ''. Toxiproxy restarts a proxy when this differs from the listen it reported.
 */
export async function resolveListen(listen: string): Promise<HostPort> {
  if (listen === '') return { host: '', port: 0 };
  const { host, port } = splitHostPort(listen);
  if (host === '' || isIP(host) !== 0) return { host, port };
  try {
    const found = await lookup(host, { family: 4 }).catch(() => lookup(host));
    return { host: found.address, port };
  } catch (err) {
    throw new ToxiproxyApiError(500, `lookup ${host}: no such host`, { cause: err });
  }
}

/**
 * Hosts to try binding, in order. Go opens one dual-stack socket for '' and '::'; node does the
 * same for '::', and IPv4 is the fallback for kernels or containers without IPv6.
 */
export function bindHosts(host: string): string[] {
  return host === '' || host === '::' ? ['::', '0.0.0.0'] : [host];
}

/** What Go's listener.Addr().String() would report for this bound socket. */
export function reportedListen(address: AddressInfo): string {
  // Go binds 0.0.0.0 as a dual-stack socket and reports it as [::]; keep that so clients that
  // re-send the reported string do not restart the proxy.
  if (address.address === '::' || address.address === '0.0.0.0') return `[::]:${address.port}`;
  return formatHostPort({ host: address.address, port: address.port });
}

const bindReasons: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

/** Go's "listen tcp 127.0.0.1:X: bind: address already in use". */
export function listenErrorMessage(err: unknown, target: HostPort): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const reason = bindReasons[code];
  const where = `listen tcp ${formatHostPort(target)}`;
  if (reason !== undefined) return `${where}: bind: ${reason}`;
  return `${where}: ${err instanceof Error ? err.message : String(err)}`;
}

/** True when a bind failed because the address family is unusable here, so a fallback may work. */
export function isFamilyError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL';
}
