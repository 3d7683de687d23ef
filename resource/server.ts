// The resource: a small TCP service that lock holders use inside the critical section. It trusts
// nobody's clock but its own: every event is stamped with its monoMs() and appended to audit.jsonl
// with a synchronous write before the reply leaves, so whatever a client saw acknowledged is in the
// file even if the harness or this process dies right after. It does not enforce mutual exclusion;
// it records what happened so the checkers can tell. With fencing on it refuses stale writes.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import type { AuditEntry, AuditEvent } from '../core/history.ts';
import { withDeadline } from '../core/wait.ts';
import { openAudit } from './audit.ts';
import { MAX_LINE_CHARS, isParseError, parseRequest, type KeyRequest, type ResourceReply } from './protocol.ts';

export interface ResourceOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Only loopback is ever a target; the option exists so the address is explicit at call sites. */
  readonly host?: '127.0.0.1';
  readonly auditPath: string;
  /** Reject writes whose token is missing or not above the highest accepted token of the key. */
  readonly fencing: boolean;
  /**
   * fsync after every event: survives a machine crash, not only a process crash, at a large cost
   * in throughput. Default false (a written line survives the death of any process).
   */
  readonly fsync?: boolean;
  /** How long close() waits for the listener to shut down. Default 5000. */
  readonly closeTimeoutMs?: number;
}

export interface Resource extends AsyncDisposable {
  readonly port: number;
  /** Entries replayed from an existing audit file at start. */
  readonly recoveredEntries: number;
  close(): Promise<void>;
}

export async function startResource(options: ResourceOptions): Promise<Resource> {
  const host = options.host ?? '127.0.0.1';
  const audit = openAudit(options.auditPath);
  const state = audit.state;
  const sockets = new Set<Socket>();
  let closed = false;

  const handle = (req: KeyRequest): ResourceReply => {
    const timeMs = monoMs();
    // Field order is the documented line format: time, event, who, then what.
    const record = (event: AuditEvent, value?: number, reason?: string): AuditEntry => ({
      timeMs,
      event,
      key: req.key,
      client: req.client,
      ...(req.token !== undefined && { token: req.token }),
      ...(value !== undefined && { value }),
      ...(reason !== undefined && { reason }),
    });
    let entry: AuditEntry;
    let reply: ResourceReply;
    switch (req.op) {
      case 'enter':
      case 'exit':
        entry = record(req.op);
        reply = { id: req.id, ok: true };
        break;
      case 'read': {
        const value = state.value(req.key);
        entry = record('read', value);
        reply = { id: req.id, ok: true, value };
        break;
      }
      case 'write': {
        const value = req.value ?? 0;
        const rejection = options.fencing ? state.judgeWrite(req.key, req.token) : undefined;
        if (rejection === undefined) {
          entry = record('write', value);
          reply = { id: req.id, ok: true, value };
        } else {
          entry = record('reject', value, rejection.reason);
          reply = { id: req.id, ok: false, rejected: rejection.reason, ...(rejection.highestToken !== undefined && { highestToken: rejection.highestToken }) };
        }
        break;
      }
    }
    try {
      audit.writer.append(entry);
      if (options.fsync === true) audit.writer.sync();
    } catch (err) {
      // Not recorded means not applied: the state must never run ahead of the audit log.
      return { id: req.id, ok: false, error: `audit-write-failed: ${errorMessage(err)}` };
    }
    state.apply(entry);
    return reply;
  };

  const handleLine = (line: string): ResourceReply => {
    const req = parseRequest(line);
    if (isParseError(req)) return { id: req.id, ok: false, error: req.error };
    if (closed) return { id: req.id, ok: false, error: 'closing' };
    if (req.op === 'ping') return { id: req.id, ok: true };
    return handle(req);
  };

  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      // Answer everything that arrived together with one socket write: pipelined clients and
      // many concurrent ones then cost one syscall per chunk, not one per request.
      let out = '';
      let start = 0;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n', start)) {
        const line = buffered.slice(start, nl);
        start = nl + 1;
        if (line.trim() !== '') out += JSON.stringify(handleLine(line)) + '\n';
      }
      buffered = buffered.slice(start);
      if (out !== '') socket.write(out);
      if (buffered.length > MAX_LINE_CHARS) {
        socket.end(JSON.stringify({ id: null, ok: false, error: `line-too-long: over ${MAX_LINE_CHARS} chars` }) + '\n');
        socket.destroySoon();
      }
    });
    // A client that vanishes is normal in chaos runs (SIGKILLed workers); nothing to report.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    audit.writer.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      try {
        await withDeadline(stopped, `resource on port ${port} to stop listening`, options.closeTimeoutMs ?? 5000);
      } finally {
        audit.writer.close();
      }
    })();
    return closing;
  };

  return { port, recoveredEntries: audit.recoveredEntries, close, [Symbol.asyncDispose]: close };
}
