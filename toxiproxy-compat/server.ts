// Starts one Toxiproxy-compatible server (HTTP API plus the proxies it manages) in this process.
// The process entry (toxiproxy-compat/main.ts) and the tests both go through here.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from './api.ts';
import { ProxyCollection, type ProxyInput } from './collection.ts';
import { ignoreEvents, type EventSink } from './events.ts';
import { ToxiproxyApiError } from './errors.ts';
import { listenErrorMessage } from './address.ts';

export interface ToxiproxyCompatOptions {
  /** Like toxiproxy-server's -host; default localhost (which binds 127.0.0.1, as Go does). */
  readonly host?: string;
  /** Like -port; default 8474, 0 picks a free port. */
  readonly port?: number;
  readonly onEvent?: EventSink;
  /** Created at start like toxiproxy-server's -config file (same rules as POST /populate). */
  readonly proxies?: readonly ProxyInput[];
}

export interface ToxiproxyCompatServer {
  /** Base URL for toxiproxy-node-client, without a trailing slash. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops the API, every proxy listener and every proxied connection. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export const DEFAULT_API_PORT = 8474;

function bindHost(host: string): string {
  // Go resolves localhost to its IPv4 address; node could pick ::1 and surprise IPv4 clients.
  return host === 'localhost' ? '127.0.0.1' : host;
}

function urlHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

export async function startToxiproxyCompat(options: ToxiproxyCompatOptions = {}): Promise<ToxiproxyCompatServer> {
  const host = bindHost(options.host ?? 'localhost');
  const port = options.port ?? DEFAULT_API_PORT;
  const emit = options.onEvent ?? ignoreEvents;
  const collection = new ProxyCollection(emit);
  const http: Server = createServer(createApiHandler(collection));
  // Go's server timeouts: read 15 s, write 30 s, idle 60 s.
  http.requestTimeout = 15_000;
  http.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    http.once('error', (err) =>
      reject(new ToxiproxyApiError(500, listenErrorMessage(err, { host, port }), { cause: err })),
    );
    http.listen({ host, port }, () => resolve());
  });
  http.on('error', () => undefined);
  const address = http.address() as AddressInfo;
  const url = `http://${urlHost(address)}:${address.port}`;
  emit({ kind: 'api-listening', url });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= collection.exclusive(
      () =>
        new Promise<void>((resolve) => {
          collection.closeAll();
          http.close(() => resolve());
          http.closeAllConnections();
        }),
    );
    return closing;
  };
  if (options.proxies !== undefined && options.proxies.length > 0) {
    const proxies = options.proxies;
    try {
      await collection.exclusive(() => collection.populate(proxies));
    } catch (err) {
      await close();
      throw err;
    }
  }
  return { url, host: address.address, port: address.port, close, [Symbol.asyncDispose]: close };
}
