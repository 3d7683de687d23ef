// One worker process, seen from the process that started it: fork a module (its compiled entry when
// this process runs from the CLI bundle, the .ts under tsx otherwise: core/runnable.ts), talk
// to it in typed messages (every message received goes through the protocol's validator first), wait
// for answers with deadlines, pause and resume it with real signals (a client-pause fault stops a
// lock client while it holds a lock), and stop it — ask, wait, then SIGKILL — so that nothing it
// started outlives its owner. chaos/workers.ts and bench/worker-pool.ts are the two users; the
// child's half is ParentChannel below.
import { fork, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { HarnessError, WaitTimeoutError, errorMessage } from './errors.ts';
import { logger } from './log.ts';
import { excerpt } from './message-shape.ts';
import { runnable } from './runnable.ts';
import { withDeadline } from './wait.ts';

const log = logger('worker');

/** How long a SIGKILLed child may take to be reaped, and its pipes to drain after it exits. */
const REAP_MS = 5000;
/** Lines of the child's output kept in memory, for saying why it died (a native assertion, say). */
const TAIL_LINES = 20;

export interface WorkerProcessOptions<Out, In> {
  /** How errors and log lines name this process, e.g. "chaos worker 3". */
  readonly name: string;
  /** The module to run, as a file URL (resolved by the feature relative to its own module) or path: its source; core/runnable.ts says what runs. */
  readonly module: URL | string;
  /** Applied to every message received: returns it typed, or throws saying what does not fit. */
  readonly validate: (raw: unknown) => In;
  /** The message that asks the child to exit; without one, stop() sends SIGTERM. */
  readonly exitRequest?: Out;
  /** Where the child's stdout and stderr go, line by line after `[name] `; default process.stderr. */
  readonly log?: Writable;
  /** Extra node flags for the child (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
  readonly cwd?: string;
  /** `advanced` lets typed arrays cross the channel as they are, instead of as JSON text. */
  readonly serialization?: 'json' | 'advanced';
  /** How long stop() waits for the child to exit after asking, before SIGKILL (default 10 s). */
  readonly stopTimeoutMs?: number;
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Picks the awaited message out of what arrives: returns the value to resolve with, undefined to
 * let the message pass (to a later waiter), or throws to fail the wait (e.g. the child reported an
 * error instead of answering).
 */
export type PickAnswer<In, T> = (message: In) => T | undefined;

interface Waiter<In> {
  readonly what: string;
  readonly pick: PickAnswer<In, unknown>;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

const exitText = (e: WorkerExit): string => (e.signal !== null ? `signal ${e.signal}` : `code ${e.code ?? '?'}`);

export class WorkerProcess<Out, In> implements AsyncDisposable {
  readonly name: string;
  /** Resolves when the child has exited (never rejects). */
  readonly exited: Promise<WorkerExit>;
  private readonly child: ChildProcess;
  private readonly o: WorkerProcessOptions<Out, In>;
  private readonly waiters = new Set<Waiter<In>>();
  private readonly listeners = new Set<(m: In) => void>();
  /** Set once the child exits or breaks its protocol: every later wait fails with it. */
  private broken: HarnessError | undefined;
  private exit: WorkerExit | undefined;
  private readonly pipesDrained: Promise<unknown>;
  private stopping: Promise<WorkerExit> | undefined;
  private isPaused = false;
  private readonly tail: string[] = [];

  constructor(o: WorkerProcessOptions<Out, In>) {
    this.o = o;
    this.name = o.name;
    const run = runnable(o.module);
    this.child = fork(run.path, [], {
      execArgv: [...run.nodeFlags, ...(o.nodeFlags ?? [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: o.serialization ?? 'json',
      ...(o.cwd === undefined ? {} : { cwd: o.cwd }),
    });
    const sink = o.log ?? process.stderr;
    const keep = (line: string): void => {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    };
    this.pipesDrained = Promise.all([pipeLines(this.child.stdout, sink, `[${o.name}] `, keep), pipeLines(this.child.stderr, sink, `[${o.name}] `, keep)]);
    this.exited = new Promise((resolve) => {
      const done = (e: WorkerExit): void => {
        if (this.exit) return;
        this.exit = e;
        this.fail(new HarnessError('WORKER_EXITED', `${this.name} (pid ${this.child.pid ?? '?'}) exited (${exitText(e)})`));
        resolve(e);
      };
      this.child.once('exit', (code, signal) => done({ code, signal }));
      // A fork that could not start emits `error` and maybe never `exit`.
      this.child.once('error', (err) => {
        log.warn(`${this.name}: ${err.message}`);
        if (this.child.pid === undefined) done({ code: null, signal: null });
      });
    });
    this.child.on('message', (raw: unknown) => this.receive(raw));
  }

  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new HarnessError('WORKER_EXITED', `${this.name} has no pid (it did not start)`);
    return pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** The child's last lines of output (stdout and stderr as they arrived), oldest first. */
  get lastOutput(): readonly string[] {
    return [...this.tail];
  }

  /** Whether stop() was called: an exit after it was asked for, one before it was not. */
  get stopRequested(): boolean {
    return this.stopping !== undefined;
  }

  /** It exited without being asked to (a crash, a kill from outside). */
  get diedOnItsOwn(): boolean {
    return this.hasExited && !this.stopRequested;
  }

  /** Resolves once the child's output has reached the log (or after REAP_MS); never rejects. */
  drained(): Promise<void> {
    return withDeadline(this.pipesDrained, `${this.name}'s output to drain`, REAP_MS).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Sends `msg` if the child can still receive it; returns whether it was sent. */
  send(msg: Out): boolean {
    if (this.exit || !this.child.connected) return false;
    this.child.send(msg as object, (err) => {
      // The child went away between the check and the write: its exit is reported on its own.
      if (err) log.debug(`${this.name}: send failed: ${err.message}`);
    });
    return true;
  }

  /** Calls `listener` with every valid message; returns the function that removes it. */
  onMessage(listener: (m: In) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits for the next message `pick` takes; `what` names it in the errors ("its workload to stop"). */
  next<T>(what: string, timeoutMs: number, pick: PickAnswer<In, T>): Promise<T> {
    if (this.broken) return Promise.reject(new HarnessError(this.broken.code, `${this.broken.message}; cannot wait for ${what}`, { cause: this.broken }));
    let waiter: Waiter<In> | undefined;
    const answer = new Promise<T>((resolve, reject) => {
      waiter = { what, pick, resolve: resolve, reject };
      this.waiters.add(waiter);
    });
    return withDeadline(answer, `${this.name}: ${what}`, timeoutMs).finally(() => {
      if (waiter) this.waiters.delete(waiter);
    });
  }

  /** Sends `msg` and waits for its answer; the wait is in place before the message leaves. */
  request<T>(msg: Out, what: string, timeoutMs: number, pick: PickAnswer<In, T>): Promise<T> {
    const answer = this.next(what, timeoutMs, pick);
    if (!this.send(msg)) log.debug(`${this.name}: could not send the request for ${what}`);
    return answer;
  }

  /** SIGSTOP: the child stops where it is, holding whatever it holds. */
  pause(): void {
    if (this.exit) return;
    this.child.kill('SIGSTOP');
    this.isPaused = true;
  }

  /** SIGCONT. */
  resume(): void {
    if (this.exit) return;
    this.child.kill('SIGCONT');
    this.isPaused = false;
  }

  /**
   * Asks the child to exit (its exit request, else SIGTERM), waits up to `timeoutMs`, then
   * SIGKILLs it. Resolves once it has exited and its output reached the log; never rejects.
   */
  stop(timeoutMs = this.o.stopTimeoutMs ?? 10_000): Promise<WorkerExit> {
    this.stopping ??= this.stopNow(timeoutMs);
    return this.stopping;
  }

  private async stopNow(timeoutMs: number): Promise<WorkerExit> {
    if (!this.exit) {
      // A stopped process cannot read the request, nor act on SIGTERM.
      if (this.isPaused) this.resume();
      const asked = this.o.exitRequest !== undefined && this.send(this.o.exitRequest);
      if (!asked) this.child.kill('SIGTERM');
      try {
        await withDeadline(this.exited, `${this.name} to exit when asked`, timeoutMs);
      } catch (err) {
        if (!(err instanceof WaitTimeoutError)) throw err;
        log.warn(`${this.name} did not exit within ${timeoutMs} ms of being asked; killing it`);
        this.child.kill('SIGKILL');
        await withDeadline(this.exited, `${this.name} to die after SIGKILL`, REAP_MS).catch((e: unknown) => log.error(errorMessage(e)));
      }
    }
    // Its last lines are still in the pipes when it exits; the owner may close the log next.
    await withDeadline(this.pipesDrained, `${this.name}'s output to drain`, REAP_MS).catch((e: unknown) => log.warn(errorMessage(e)));
    return this.exit ?? { code: null, signal: null };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private receive(raw: unknown): void {
    let m: In;
    try {
      m = this.o.validate(raw);
    } catch (err) {
      const e = new HarnessError('WORKER_PROTOCOL', `${this.name} sent a malformed message (${errorMessage(err)}): ${excerpt(raw)}`, { cause: err });
      log.error(e.message);
      this.fail(e);
      return;
    }
    for (const l of [...this.listeners]) {
      try {
        l(m);
      } catch (err) {
        log.error(`${this.name}: a message listener failed: ${errorMessage(err)}`);
      }
    }
    // A message answers at most one wait: the oldest that takes it.
    for (const w of [...this.waiters]) {
      let value: unknown;
      try {
        value = w.pick(m);
      } catch (err) {
        this.waiters.delete(w);
        w.reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (value !== undefined) {
        this.waiters.delete(w);
        w.resolve(value);
        return;
      }
    }
  }

  private fail(err: HarnessError): void {
    this.broken ??= err;
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      w.reject(new HarnessError(err.code, `${err.message} while waiting for ${w.what}`, { cause: err }));
    }
  }
}

/** Copies `from` to `to` a line at a time with `prefix` (and hands each line to `onLine`); resolves when `from` ends or fails. */
function pipeLines(from: Readable | null, to: Writable, prefix: string, onLine: (line: string) => void): Promise<void> {
  if (!from) return Promise.resolve();
  return new Promise((resolve) => {
    let partial = '';
    const write = (text: string): void => {
      if (!to.writableEnded && !to.destroyed) to.write(text);
    };
    from.setEncoding('utf8');
    from.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine(l);
      if (lines.length > 0) write(lines.map((l) => `${prefix}${l}\n`).join(''));
    });
    const end = (): void => {
      if (partial !== '') {
        onLine(partial);
        write(`${prefix}${partial}\n`);
      }
      partial = '';
      resolve();
    };
    from.once('end', end);
    from.once('error', end);
  });
}

/**
 * The child's half: receives the parent's messages through the same kind of validator (a malformed
 * one goes to `onMalformed`, which answers it, instead of crashing the worker) and sends typed ones.
 */
export class ParentChannel<Out, In> {
  constructor(
    private readonly name: string,
    private readonly validate: (raw: unknown) => In,
  ) {
    if (!process.send) throw new HarnessError('USAGE', `${name} must be started by its pool (child_process.fork), not by hand`);
  }

  get connected(): boolean {
    return process.connected;
  }

  send(msg: Out): void {
    if (process.connected) process.send?.(msg);
  }

  onMessage(handler: (m: In) => void, onMalformed: (err: HarnessError, raw: unknown) => void): void {
    process.on('message', (raw: unknown) => {
      let m: In;
      try {
        m = this.validate(raw);
      } catch (err) {
        onMalformed(new HarnessError('WORKER_PROTOCOL', `${this.name} received a malformed message (${errorMessage(err)}): ${excerpt(raw)}`, { cause: err }), raw);
        return;
      }
      handler(m);
    });
  }
}
