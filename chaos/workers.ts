// The runner's side of the client workers: fork them, drive them over IPC, know which of them
// holds a lock right now (so a client pause can be aimed at a holder), pause and resume them with
// real signals, and make sure none outlives the run.
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { monoMs } from '../core/clock.ts';
import { HarnessError } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { withDeadline } from '../core/wait.ts';
import type { FromWorker, ToWorker, WorkerCounts, WorkerInit } from './worker-protocol.ts';

const log = logger('chaos');
const entry = fileURLToPath(new URL('../cli/chaos-worker.ts', import.meta.url));

interface Handle {
  readonly clientId: number;
  readonly child: ChildProcess;
  holding: string | null;
  paused: boolean;
  readonly waiters: Set<(msg: FromWorker) => boolean>;
}

export class WorkerPool implements AsyncDisposable {
  private readonly handles: Handle[] = [];
  private readonly holdWaiters = new Set<(clientId: number, atMs: number) => void>();
  private readonly logStream: WriteStream;

  constructor(logPath: string) {
    this.logStream = createWriteStream(logPath, { flags: 'a' });
  }

  get size(): number {
    return this.handles.length;
  }

  private handle(clientId: number): Handle {
    const h = this.handles.find((x) => x.clientId === clientId);
    if (!h) throw new HarnessError('INTERNAL', `no worker for client ${clientId}`);
    return h;
  }

  /** Waits for the next message from `h` that `accept` takes. */
  private next(h: Handle, what: string, timeoutMs: number, accept: (m: FromWorker) => boolean): Promise<FromWorker> {
    let cleanup: () => void = () => undefined;
    const p = new Promise<FromWorker>((resolve, reject) => {
      const waiter = (m: FromWorker): boolean => {
        if (m.type === 'failed') {
          reject(new HarnessError('INTERNAL', `worker ${h.clientId} failed: ${m.error}`));
          return true;
        }
        if (!accept(m)) return false;
        resolve(m);
        return true;
      };
      const onExit = (code: number | null): void => reject(new HarnessError('INTERNAL', `worker ${h.clientId} exited (${code ?? 'signal'}) while the runner waited for ${what}`));
      h.waiters.add(waiter);
      h.child.once('exit', onExit);
      cleanup = () => {
        h.waiters.delete(waiter);
        h.child.off('exit', onExit);
      };
    });
    return withDeadline(p, `worker ${h.clientId}: ${what}`, timeoutMs).finally(cleanup);
  }

  private send(h: Handle, msg: ToWorker): void {
    if (h.child.connected) h.child.send(msg);
  }

  /** Forks one worker per init and waits until each has its lock client and resource connection. */
  async start(inits: readonly WorkerInit[], timeoutMs: number): Promise<void> {
    for (const init of inits) {
      const child = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      child.stdout?.pipe(this.logStream, { end: false });
      child.stderr?.pipe(this.logStream, { end: false });
      const h: Handle = { clientId: init.clientId, child, holding: null, paused: false, waiters: new Set() };
      child.on('message', (m: FromWorker) => {
        if (m.type === 'holding') {
          h.holding = m.key;
          if (m.key !== null) for (const w of [...this.holdWaiters]) w(h.clientId, m.atMs);
        }
        for (const w of [...h.waiters]) if (w(m)) break;
      });
      this.handles.push(h);
      this.send(h, init);
    }
    await Promise.all(this.handles.map((h) => this.next(h, 'its lock client to connect', timeoutMs, (m) => m.type === 'ready')));
  }

  run(maxAcquiresPerClient: number): void {
    for (const h of this.handles) this.send(h, { type: 'run', maxAcquires: maxAcquiresPerClient });
  }

  /** Stops every workload loop; resumes paused workers first. */
  async stop(timeoutMs: number): Promise<WorkerCounts[]> {
    this.resumeAll();
    const replies = this.handles.map((h) => this.next(h, 'its workload to stop', timeoutMs, (m) => m.type === 'stopped'));
    for (const h of this.handles) this.send(h, { type: 'stop' });
    const msgs = await Promise.all(replies);
    return msgs.map((m) => (m.type === 'stopped' ? m.counts : { acquires: 0, acquired: 0, increments: 0 }));
  }

  /** Every client acquires and releases once, with `waitMs` to do it. */
  async liveness(waitMs: number): Promise<{ clientId: number; ok: boolean; detail: string }[]> {
    const replies = this.handles.map((h) => this.next(h, 'its liveness check', waitMs + 30_000, (m) => m.type === 'liveness'));
    for (const h of this.handles) this.send(h, { type: 'liveness', waitMs });
    const msgs = await Promise.allSettled(replies);
    return msgs.map((r, i) => {
      const clientId = this.handles[i]?.clientId ?? i;
      if (r.status === 'rejected') return { clientId, ok: false, detail: String(r.reason) };
      const m = r.value;
      return m.type === 'liveness' ? { clientId, ok: m.ok, detail: m.detail } : { clientId, ok: false, detail: 'no answer' };
    });
  }

  /** Which clients hold a lock right now. */
  holders(): number[] {
    return this.handles.filter((h) => h.holding !== null && !h.paused).map((h) => h.clientId);
  }

  /**
   * Resolves with the first of `clients` that takes a lock from now on, as soon as the runner hears
   * of it: a grant older than `maxAgeMs` when its message arrives (the runner was busy) is skipped,
   * so a fault aimed at the holder strikes inside the hold, not as the holder releases.
   */
  async waitForHolder(clients: readonly number[], timeoutMs: number, maxAgeMs: number): Promise<number> {
    const since = monoMs();
    let wake: (clientId: number, atMs: number) => void = () => undefined;
    const found = new Promise<number>((resolve) => {
      wake = (clientId, atMs) => {
        if (clients.includes(clientId) && atMs >= since && monoMs() - atMs <= maxAgeMs) resolve(clientId);
      };
      this.holdWaiters.add(wake);
    });
    try {
      return await withDeadline(found, `one of clients ${clients.join(', ')} to take a lock`, timeoutMs);
    } finally {
      this.holdWaiters.delete(wake);
    }
  }

  pid(clientId: number): number {
    const pid = this.handle(clientId).child.pid;
    if (pid === undefined) throw new HarnessError('INTERNAL', `worker ${clientId} has no pid`);
    return pid;
  }

  pause(clientId: number): void {
    const h = this.handle(clientId);
    h.child.kill('SIGSTOP');
    h.paused = true;
  }

  resume(clientId: number): void {
    const h = this.handle(clientId);
    h.child.kill('SIGCONT');
    h.paused = false;
  }

  resumeAll(): void {
    for (const h of this.handles) if (h.paused) this.resume(h.clientId);
  }

  async close(): Promise<void> {
    this.resumeAll();
    await Promise.all(
      this.handles.map(async (h) => {
        if (h.child.exitCode !== null || h.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => h.child.once('exit', () => resolve()));
        this.send(h, { type: 'exit' });
        try {
          await withDeadline(exited, `worker ${h.clientId} to exit`, 10_000);
        } catch {
          log.warn(`worker ${h.clientId} did not exit; killing it`);
          h.child.kill('SIGKILL');
          await exited;
        }
      }),
    );
    await new Promise<void>((resolve) => this.logStream.end(resolve));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
