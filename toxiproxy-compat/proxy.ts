// One proxy: its listener, the connections it accepted, enable/disable, and updates that restart it
// exactly when the real Toxiproxy would (proxy.go Update/Differs/start/stop).
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  bindHosts,
  formatHostPort,
  isFamilyError,
  listenErrorMessage,
  reportedListen,
  resolveListen,
  splitHostPort,
  type HostPort,
} from './address.ts';
import { Connection, closeSocket } from './connection.ts';
import { ToxiproxyApiError } from './errors.ts';
import type { EventSink } from './events.ts';
import { ToxicCollection } from './toxic-collection.ts';

// Go dials with no timeout at all; a black-holed upstream would then pin sockets for the kernel's
// SYN retry time (about two minutes). This bound is ours.
const DIAL_TIMEOUT_MS = 30_000;

export interface ProxySettings {
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

let nextConnectionId = 1;

export class ProxyInstance {
  /** As given while never bound, then as reported by the bound listener. */
  listen: string;
  upstream: string;
  enabled = false;
  /** Off while the proxy is being created or deleted, which get their own log line. */
  announceStateChanges = false;
  readonly toxics: ToxicCollection;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly dialing = new Set<Socket>();

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
    private readonly emit: EventSink,
  ) {
    this.listen = listen;
    this.upstream = upstream;
    this.toxics = new ToxicCollection(name, () => this.connections, emit);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Binds the listener; on failure the proxy stays disabled and the error is Go-worded (500). */
  async start(): Promise<void> {
    if (this.enabled) return;
    const target = await resolveListen(this.listen);
    const server = await bind(target, (client) => this.accept(client));
    this.server = server;
    this.listen = reportedListen(server.address() as AddressInfo);
    this.enabled = true;
    if (this.announceStateChanges) this.emit({ kind: 'proxy-enabled', proxy: this.name, listen: this.listen });
  }

  /** Closes the listener (new connects are refused) and every open and half-open connection. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.server;
    this.server = undefined;
    // The listening fd is closed synchronously here; the callback only waits for tracked sockets.
    server?.close();
    for (const connection of [...this.connections]) connection.close();
    for (const socket of [...this.dialing]) socket.destroy();
    this.dialing.clear();
    if (this.announceStateChanges) this.emit({ kind: 'proxy-disabled', proxy: this.name });
  }

  /** True when `settings` would restart the proxy: resolved listen or upstream really differ. */
  async differs(settings: Pick<ProxySettings, 'listen' | 'upstream'>): Promise<boolean> {
    const resolved = formatHostPort(await resolveListen(settings.listen));
    return resolved !== this.listen || settings.upstream !== this.upstream;
  }

  async update(settings: ProxySettings): Promise<void> {
    if (await this.differs(settings)) {
      // Go's stop() clears Enabled, so a running proxy restarts below with the new addresses.
      this.stop();
      this.listen = settings.listen;
      this.upstream = settings.upstream;
    }
    if (settings.enabled && !this.enabled) await this.start();
    else if (!settings.enabled && this.enabled) this.stop();
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    const connectionId = nextConnectionId++;
    const clientAddress = `${client.remoteAddress ?? '?'}:${client.remotePort ?? 0}`;
    let target: HostPort;
    try {
      target = splitHostPort(this.upstream);
    } catch (err) {
      client.on('error', () => undefined);
      this.upstreamFailed(client, err);
      return;
    }
    // Unlike Go, the dial does not block other accepts on this proxy.
    const upstream = connect({ host: target.host === '' ? 'localhost' : target.host, port: target.port, allowHalfOpen: true });
    upstream.setNoDelay(true);
    this.dialing.add(client);
    this.dialing.add(upstream);
    const deadline = setTimeout(() => upstream.destroy(new Error(`dial timeout after ${DIAL_TIMEOUT_MS} ms`)), DIAL_TIMEOUT_MS);
    // The sockets keep the process alive while they matter; this timer alone must not.
    deadline.unref();
    const onClientGone = (): void => {
      if (this.dialing.has(upstream)) upstream.destroy();
    };
    client.on('error', onClientGone);
    client.once('close', onClientGone);
    const settle = (): void => {
      clearTimeout(deadline);
      this.dialing.delete(client);
      this.dialing.delete(upstream);
      client.off('error', onClientGone);
      client.off('close', onClientGone);
    };

    upstream.once('connect', () => {
      settle();
      upstream.off('error', onDialError);
      if (!this.enabled || client.destroyed) {
        client.destroy();
        upstream.destroy();
        return;
      }
      // Go sets SO_LINGER 0 when a reset_peer toxic exists as the link starts.
      const resetOnClose = this.toxics.hasType('reset_peer');
      const connection = new Connection(
        connectionId,
        client,
        upstream,
        { upstream: this.toxics.specs('upstream'), downstream: this.toxics.specs('downstream') },
        resetOnClose,
        (closed) => {
          this.connections.delete(closed);
          this.emit({ kind: 'connection-closed', proxy: this.name, connectionId: closed.id });
        },
      );
      this.connections.add(connection);
      this.emit({ kind: 'connection-accepted', proxy: this.name, connectionId, client: clientAddress });
      connection.start();
    });
    const onDialError = (err: Error): void => {
      settle();
      client.on('error', () => undefined);
      this.upstreamFailed(client, err);
    };
    upstream.once('error', onDialError);
    // stop() destroys dialing sockets without an error; the dial is over all the same.
    upstream.once('close', settle);
  }

  /** The real server accepts first and dials second, so the client sees a connect, then a close. */
  private upstreamFailed(client: Socket, err: unknown): void {
    this.emit({
      kind: 'upstream-unreachable',
      proxy: this.name,
      upstream: this.upstream,
      error: err instanceof Error ? err.message : String(err),
    });
    closeSocket(client);
  }
}

async function bind(target: HostPort, onConnection: (socket: Socket) => void): Promise<Server> {
  const hosts = bindHosts(target.host);
  let lastError: unknown;
  for (const [i, host] of hosts.entries()) {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: target.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      // A listener error after bind (e.g. EMFILE on accept) must not crash the process.
      server.on('error', () => undefined);
      return server;
    } catch (err) {
      server.close();
      lastError = err;
      if (!isFamilyError(err) || i === hosts.length - 1) break;
    }
  }
  throw new ToxiproxyApiError(500, listenErrorMessage(lastError, target), { cause: lastError });
}
