// The runner's side of the client workers: one chaos/worker-main.ts process per client (through
// core/worker-process.ts), driven over IPC; it knows which of them holds a lock right now (so a
// client pause can be aimed at a holder), pauses and resumes them with real signals, and makes
// sure none outlives the run.
import { createWriteStream, type WriteStream } from 'node:fs';
import { monoMs } from '../core/clock.ts';
import { HarnessError } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { withDeadline } from '../core/wait.ts';
import { WorkerProcess, type PickAnswer, type WorkerExit } from '../core/worker-process.ts';
import { parseFromWorker, type FromWorker, type ToWorker, type WorkerCounts, type WorkerInit } from './worker-protocol.ts';
import { crashText, type ClientCrash } from './result.ts';

const log = logger('chaos');
const entry = new URL('./worker-main.ts', import.meta.url);
/** How long a worker has to exit when asked before it is killed. */
const EXIT_MS = 10_000;

interface Handle {
  readonly clientId: number;
  readonly proc: WorkerProcess<ToWorker, FromWorker>;
  holding: string | null;
}

/** Rejects `p`, unless it is the worker's own death (then resolves undefined): that is recorded as a crash. */
async function unlessCrashed<T>(h: Handle, p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (h.proc.diedOnItsOwn) return undefined;
    throw err;
  }
}

/** Takes the message of type `type`; a `failed` report fails the wait with what the worker said. */
function answer<K extends FromWorker['type']>(clientId: number, type: K): PickAnswer<FromWorker, Extract<FromWorker, { type: K }>> {
  return (m) => {
    if (m.type === 'failed') throw new HarnessError('INTERNAL', `worker ${clientId} failed: ${m.error}`);
    return m.type === type ? (m as Extract<FromWorker, { type: K }>) : undefined;
  };
}

export class WorkerPool implements AsyncDisposable {
  private readonly handles: Handle[] = [];
  private readonly holdWaiters = new Set<(clientId: number, atMs: number) => void>();
  private readonly logStream: WriteStream;
  private readonly crashList: ClientCrash[] = [];
  /** Crashes being recorded (their last output still draining); close() waits for them. */
  private readonly recording = new Set<Promise<void>>();
  private running = false;

  /** `onCrash` is told at once when a client dies on its own (the runner writes the history's crash line). */
  constructor(
    logPath: string,
    private readonly onCrash: (clientId: number) => void = () => undefined,
  ) {
    this.logStream = createWriteStream(logPath, { flags: 'a' });
    // A log that cannot be written must not take the run down with it.
    this.logStream.on('error', (err) => log.warn(`${logPath}: ${err.message}`));
  }

  get size(): number {
    return this.handles.length;
  }

  private handle(clientId: number): Handle {
    const h = this.handles.find((x) => x.clientId === clientId);
    if (!h) throw new HarnessError('INTERNAL', `no worker for client ${clientId}`);
    return h;
  }

  /** Forks one worker per init and waits until each has its lock client and resource connection. */
  async start(inits: readonly WorkerInit[], timeoutMs: number): Promise<void> {
    const ready: Promise<unknown>[] = [];
    for (const init of inits) {
      const proc = new WorkerProcess<ToWorker, FromWorker>({
        name: `chaos worker ${init.clientId}`,
        module: entry,
        validate: parseFromWorker,
        exitRequest: { type: 'exit' },
        log: this.logStream,
        stopTimeoutMs: EXIT_MS,
      });
      const h: Handle = { clientId: init.clientId, proc, holding: null };
      proc.onMessage((m) => {
        if (m.type !== 'holding') return;
        h.holding = m.key;
        if (m.key !== null) for (const w of [...this.holdWaiters]) w(h.clientId, m.atMs);
      });
      this.handles.push(h);
      void proc.exited.then((e) => this.exitedOnItsOwn(h, e));
      ready.push(proc.request(init, 'its lock client to connect', timeoutMs, answer(init.clientId, 'ready')));
    }
    await Promise.all(ready);
  }

  run(maxAcquiresPerClient: number): void {
    this.running = true;
    for (const h of this.live()) h.proc.send({ type: 'run', maxAcquires: maxAcquiresPerClient });
  }

  /** The lock clients that died during the run, in the order they did. */
  get crashes(): readonly ClientCrash[] {
    return [...this.crashList];
  }

  /** Whether every client has crashed (nothing is left to run or check for liveness). */
  get allCrashed(): boolean {
    return this.handles.length > 0 && this.handles.every((h) => h.proc.diedOnItsOwn);
  }

  /** Stops every live workload loop (resuming paused workers first); a client that crashed meanwhile has no counts. */
  async stop(timeoutMs: number): Promise<WorkerCounts[]> {
    this.resumeAll();
    const msgs = await Promise.all(this.live().map((h) => unlessCrashed(h, h.proc.request({ type: 'stop' }, 'its workload to stop', timeoutMs, answer(h.clientId, 'stopped')))));
    return msgs.filter((m) => m !== undefined).map((m) => m.counts);
  }

  /** Every live client acquires and releases once, with `waitMs` to do it; crashed clients are in `crashes`, not here. */
  async liveness(waitMs: number): Promise<{ clientId: number; ok: boolean; detail: string }[]> {
    const live = this.live();
    const msgs = await Promise.allSettled(live.map((h) => unlessCrashed(h, h.proc.request({ type: 'liveness', waitMs }, 'its liveness check', waitMs + 30_000, answer(h.clientId, 'liveness')))));
    return msgs.flatMap((r, i) => {
      const clientId = live[i]?.clientId ?? i;
      if (r.status === 'rejected') return [{ clientId, ok: false, detail: String(r.reason) }];
      return r.value === undefined ? [] : [{ clientId, ok: r.value.ok, detail: r.value.detail }];
    });
  }

  /** Which clients hold a lock right now. */
  holders(): number[] {
    return this.live()
      .filter((h) => h.holding !== null && !h.proc.paused)
      .map((h) => h.clientId);
  }

  private live(): Handle[] {
    return this.handles.filter((h) => !h.proc.hasExited);
  }

  /** An exit nobody asked for, once the workload runs, is a client crash; before that, start() reports it. */
  private exitedOnItsOwn(h: Handle, e: WorkerExit): void {
    if (h.proc.stopRequested || !this.running) return;
    const atMs = monoMs();
    this.onCrash(h.clientId);
    const holding = h.holding;
    h.holding = null;
    // The assertion a native abort prints is still in the pipe when the exit event fires.
    const recorded = h.proc.drained().then(() => {
      const crash: ClientCrash = { clientId: h.clientId, atMs, code: e.code, signal: e.signal, holding, lastOutput: h.proc.lastOutput };
      this.crashList.push(crash);
      log.warn(`lock client ${h.clientId} crashed (${crashText(crash)})${holding === null ? '' : ` holding ${holding}`}; the run goes on with the others${crash.lastOutput.length > 0 ? `; its last output: ${crash.lastOutput.at(-1) ?? ''}` : ''}`);
    });
    this.recording.add(recorded);
    void recorded.finally(() => this.recording.delete(recorded));
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
    return this.handle(clientId).proc.pid;
  }

  pause(clientId: number): void {
    this.handle(clientId).proc.pause();
  }

  resume(clientId: number): void {
    this.handle(clientId).proc.resume();
  }

  resumeAll(): void {
    for (const h of this.handles) if (h.proc.paused) h.proc.resume();
  }

  /** Stops every worker (asked, then SIGKILL after 10 s), then closes the log they wrote to. */
  async close(): Promise<void> {
    this.running = false;
    await Promise.all(this.handles.map((h) => h.proc.stop()));
    await Promise.all([...this.recording]);
    if (!this.logStream.writableEnded) await new Promise<void>((resolve) => this.logStream.end(resolve));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
