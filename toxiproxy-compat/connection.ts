// One proxied client connection: the client socket, the upstream socket and the two links between
// them. Any end of stream that reaches either destination tears the whole connection down, as in
// Toxiproxy (half-close is not preserved).
import type { Socket } from 'node:net';
import { Link, type ToxicSpec } from './link.ts';
import type { Direction } from './toxics.ts';

// A peer that stops reading must not keep a closed connection's socket around forever.
const FLUSH_DEADLINE_MS = 2000;

/** Sends what is buffered, then FIN and a full close (Go's Close()); unread input makes it an RST. */
export function closeSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  const deadline = setTimeout(() => socket.destroy(), FLUSH_DEADLINE_MS);
  deadline.unref();
  socket.once('finish', () => {
    clearTimeout(deadline);
    socket.destroy();
  });
  socket.once('close', () => clearTimeout(deadline));
  socket.end();
}

/** Aborts with an RST, dropping anything unsent (SO_LINGER 0 in Go). */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

export class Connection {
  readonly links: Readonly<Record<Direction, Link>>;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly upstream: Socket,
    chains: Readonly<Record<Direction, readonly ToxicSpec[]>>,
    /** A reset_peer toxic existed when the connection opened, so every close is an RST. */
    private readonly resetOnClose: boolean,
    private readonly onClosed: (connection: Connection) => void,
  ) {
    const close = (): void => this.close();
    this.links = {
      upstream: new Link('upstream', client, upstream, close, chains.upstream),
      downstream: new Link('downstream', upstream, client, close, chains.downstream),
    };
    // A failed or closed socket ends the link it feeds; the end then travels through that link's
    // toxics (a slow_close still delays it) before the connection closes.
    const upstreamLink = this.links.upstream;
    const downstreamLink = this.links.downstream;
    client.on('error', upstreamLink.endInput);
    client.on('close', upstreamLink.endInput);
    upstream.on('error', downstreamLink.endInput);
    upstream.on('close', downstreamLink.endInput);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  start(): void {
    this.links.upstream.start();
    this.links.downstream.start();
  }

  close(reset = false): void {
    if (this.closed) return;
    this.closed = true;
    this.links.upstream.close();
    this.links.downstream.close();
    const abort = reset || this.resetOnClose ? resetSocket : closeSocket;
    abort(this.client);
    abort(this.upstream);
    this.onClosed(this);
  }
}
