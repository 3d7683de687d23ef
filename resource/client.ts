// A client of the resource over one TCP connection. Calls may overlap (replies are matched by id);
// each has its own deadline. A call that times out may still have been applied by the resource:
// callers record such an op as `info`, never `fail`.
import { connect, type Socket } from 'node:net';
import { WaitTimeoutError } from '../core/errors.ts';
import type { KeyOpName, OkReply, RejectReason, RejectedReply, RequestId, ResourceReply, ResourceRequest } from './protocol.ts';

/** Why a call failed, as a short tag suitable for an op's `error` field. */
export type ResourceErrorTag = 'conn-refused' | 'conn-closed' | 'error-reply';

export class ResourceError extends Error {
  override readonly name = 'ResourceError';
  constructor(
    readonly tag: ResourceErrorTag,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ResourceClientOptions {
  /** Default deadline of each call, ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Deadline of the TCP connect, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
}

export interface CallOptions {
  /** Fencing token, decimal. Only writes are judged by it; other calls just record it. */
  readonly token?: string;
  readonly timeoutMs?: number;
}

export type WriteOutcome =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: RejectReason; readonly highestToken?: string };

interface Pending {
  settle(reply: ResourceReply): void;
  fail(err: Error): void;
}

const HOST = '127.0.0.1';

export class ResourceClient implements AsyncDisposable {
  private readonly pending = new Map<RequestId, Pending>();
  private nextId = 1;
  private broken: Error | undefined;
  private buffered = '';

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(new ResourceError('conn-closed', `resource connection on port ${port} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.failAll(new ResourceError('conn-closed', `resource connection on port ${port} closed`)));
  }

  static async connect(port: number, options: ResourceClientOptions = {}): Promise<ResourceClient> {
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    const socket = connect({ port, host: HOST, noDelay: true });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new WaitTimeoutError(`TCP connect to the resource on ${HOST}:${port}`, connectTimeoutMs)), connectTimeoutMs);
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (err) => {
          clearTimeout(timer);
          reject(new ResourceError('conn-refused', `cannot connect to the resource on ${HOST}:${port}: ${err.message}`, { cause: err }));
        });
      });
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return new ResourceClient(socket, port, options.timeoutMs ?? 5000);
  }

  async enter(key: string, client: number, options: CallOptions = {}): Promise<void> {
    await this.keyCall('enter', key, client, undefined, options);
  }

  /** The key's current value (0 if never written). */
  async read(key: string, client: number, options: CallOptions = {}): Promise<number> {
    const reply = await this.keyCall('read', key, client, undefined, options);
    if (!reply.ok || reply.value === undefined) throw new ResourceError('error-reply', `resource read of ${key} returned no value`);
    return reply.value;
  }

  /** A rejection under fencing is an outcome, not an error: it definitely did not happen. */
  async write(key: string, client: number, value: number, options: CallOptions = {}): Promise<WriteOutcome> {
    const reply = await this.keyCall('write', key, client, value, options);
    if (reply.ok) return { accepted: true };
    return { accepted: false, reason: reply.rejected, ...(reply.highestToken !== undefined && { highestToken: reply.highestToken }) };
  }

  async exit(key: string, client: number, options: CallOptions = {}): Promise<void> {
    await this.keyCall('exit', key, client, undefined, options);
  }

  async ping(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const id = this.nextId++;
    await this.call({ id, op: 'ping' }, options.timeoutMs);
  }

  /** Closes the connection; outstanding calls fail with conn-closed. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.socket.destroy();
    await closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async keyCall(op: KeyOpName, key: string, client: number, value: number | undefined, options: CallOptions): Promise<OkReply | RejectedReply> {
    const id = this.nextId++;
    const request: ResourceRequest = {
      id,
      op,
      key,
      client,
      ...(options.token !== undefined && { token: options.token }),
      ...(value !== undefined && { value }),
    };
    const reply = await this.call(request, options.timeoutMs);
    if (!reply.ok && op !== 'write' && 'rejected' in reply) {
      throw new ResourceError('error-reply', `resource rejected ${op} on ${key}: ${reply.rejected}`);
    }
    // call() rejects error replies, so only ok and rejected replies reach here.
    return reply as OkReply | RejectedReply;
  }

  private call(request: ResourceRequest, timeoutMs = this.timeoutMs): Promise<ResourceReply> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<ResourceReply>((resolve, reject) => {
      const what = request.op === 'ping' ? 'ping' : `${request.op} ${request.key}`;
      const timer = setTimeout(() => {
        // A late reply is then dropped: the caller has already decided the outcome is unknown.
        this.pending.delete(request.id);
        reject(new WaitTimeoutError(`resource reply to ${what} (request ${request.id}, port ${this.port})`, timeoutMs));
      }, timeoutMs);
      this.pending.set(request.id, {
        settle: (reply) => {
          clearTimeout(timer);
          if (!reply.ok && 'error' in reply) reject(new ResourceError('error-reply', `resource refused ${what}: ${reply.error}`));
          else resolve(reply);
        },
        fail: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.socket.write(JSON.stringify(request) + '\n');
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let start = 0;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n', start)) {
      const line = this.buffered.slice(start, nl);
      start = nl + 1;
      if (line.trim() === '') continue;
      let reply: ResourceReply;
      try {
        reply = JSON.parse(line) as ResourceReply;
      } catch {
        this.socket.destroy(new Error(`resource sent a line that is not JSON: ${line.slice(0, 200)}`));
        return;
      }
      if (reply.id === null) continue;
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      pending?.settle(reply);
    }
    this.buffered = this.buffered.slice(start);
  }

  private failAll(err: Error): void {
    this.broken ??= err;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.fail(this.broken);
  }
}
