// Shared fixtures for the toxiproxy-compat tests: upstream servers on 127.0.0.1, a compat server
// with a toxiproxy-node-client pointed at it, and socket readers whose every wait has a deadline.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { startToxiproxyCompat, type ToxiproxyCompatServer } from '../server.ts';

export const LOCALHOST = '127.0.0.1';

/** Rejects with a message naming `what` if `promise` has not settled within `timeoutMs`. */
export async function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function nowMs(): number {
  return performance.now();
}

export interface Upstream {
  readonly port: number;
  readonly address: string;
  /** Sockets the upstream accepted, for tests that watch the server side. */
  readonly sockets: Socket[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1:0 running `onConnection` per client; close() destroys its sockets. */
export async function startUpstream(onConnection: (socket: Socket) => void): Promise<Upstream> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOCALHOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: `${LOCALHOST}:${port}`,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export const startEcho = (): Promise<Upstream> => startUpstream((socket) => socket.pipe(socket));

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
export async function unusedPort(): Promise<number> {
  const upstream = await startUpstream(() => undefined);
  await upstream.close();
  return upstream.port;
}

/** Collects everything a client socket receives and how it ended. */
export class Peer {
  private readonly parts: Buffer[] = [];
  private waiters: (() => void)[] = [];
  endedAtMs: number | undefined;
  closedAtMs: number | undefined;
  error: NodeJS.ErrnoException | undefined;
  readonly dataEvents: { readonly atMs: number; readonly bytes: number }[] = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.parts.push(data);
      this.dataEvents.push({ atMs: nowMs(), bytes: data.length });
      this.wake();
    });
    socket.on('end', () => {
      this.endedAtMs = nowMs();
      this.wake();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error = err;
      this.wake();
    });
    socket.on('close', () => {
      this.closedAtMs = nowMs();
      this.wake();
    });
  }

  get received(): Buffer {
    return Buffer.concat(this.parts);
  }

  get text(): string {
    return this.received.toString('utf8');
  }

  /** Waits until at least `bytes` bytes arrived in total; rejects on close or deadline. */
  async waitForBytes(bytes: number, timeoutMs: number): Promise<Buffer> {
    await this.waitUntil(() => this.received.length >= bytes || this.closedAtMs !== undefined, timeoutMs, `${bytes} bytes`);
    if (this.received.length < bytes) throw new Error(`connection closed after ${this.received.length} of ${bytes} bytes`);
    return this.received;
  }

  async waitForClose(timeoutMs: number): Promise<number> {
    await this.waitUntil(() => this.closedAtMs !== undefined, timeoutMs, 'socket close');
    return this.closedAtMs ?? nowMs();
  }

  waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return withDeadline(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (condition()) resolve();
          else this.waiters.push(check);
        };
        this.waiters.push(check);
      }),
      timeoutMs,
      `waiting for ${what}`,
    );
  }

  /** Writes `message` and waits until `expectBytes` more bytes came back; returns the round trip. */
  async roundTrip(message: string, timeoutMs: number, expectBytes = Buffer.byteLength(message)): Promise<number> {
    const target = this.received.length + expectBytes;
    const startMs = nowMs();
    this.socket.write(message);
    await this.waitForBytes(target, timeoutMs);
    return nowMs() - startMs;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** Connects to 127.0.0.1:port; the caller must destroy the socket (see Fixture.connect). */
export function connectPeer(port: number, timeoutMs = 5000): Promise<Peer> {
  return withDeadline(
    new Promise<Peer>((resolve, reject) => {
      const socket = connect({ host: LOCALHOST, port });
      const peer = new Peer(socket);
      socket.once('connect', () => resolve(peer));
      socket.once('error', reject);
    }),
    timeoutMs,
    `connect to ${LOCALHOST}:${port}`,
  );
}

/** Resolves with the error code a connect attempt fails with, or 'connected'. */
export function tryConnect(port: number, timeoutMs = 5000): Promise<string> {
  return withDeadline(
    new Promise<string>((resolve) => {
      const socket = connect({ host: LOCALHOST, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    }),
    timeoutMs,
    `connect attempt to ${LOCALHOST}:${port}`,
  );
}

export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** One compat server, its client, and everything a test opened, torn down by close(). */
export class Fixture {
  private readonly peers: Peer[] = [];
  private readonly upstreams: Upstream[] = [];
  private proxyCount = 0;

  private constructor(
    readonly server: ToxiproxyCompatServer,
    readonly toxiproxy: Toxiproxy,
  ) {}

  static async start(): Promise<Fixture> {
    const server = await startToxiproxyCompat({ host: LOCALHOST, port: 0 });
    return new Fixture(server, new Toxiproxy(server.url));
  }

  async upstream(onConnection: (socket: Socket) => void): Promise<Upstream> {
    const upstream = await startUpstream(onConnection);
    this.upstreams.push(upstream);
    return upstream;
  }

  echo(): Promise<Upstream> {
    return this.upstream((socket) => socket.pipe(socket));
  }

  /** A fresh proxy on 127.0.0.1:0 in front of `upstream`. */
  proxy(upstream: string, prefix = 'p'): Promise<Proxy> {
    this.proxyCount++;
    return this.toxiproxy.createProxy({ name: `${prefix}${this.proxyCount}`, listen: `${LOCALHOST}:0`, upstream });
  }

  async connect(proxy: { listen: string }): Promise<Peer> {
    const peer = await connectPeer(portOf(proxy.listen));
    this.peers.push(peer);
    return peer;
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.socket.destroy();
    await this.server.close();
    for (const upstream of this.upstreams) await upstream.close();
  }
}
