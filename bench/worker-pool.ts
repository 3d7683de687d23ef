// The driver side of the worker processes: forks N bench workers (cli/bench-worker.ts under tsx),
// hands them jobs and waits for answers, each with a deadline. Lock clients live in the workers so
// that 64 clients are not limited by one event loop and so each worker's CPU can be reported.
// close() always stops every worker: `exit` over IPC, then SIGKILL if one does not go in time.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClusterPlan } from '../clusters/topology.ts';
import { HarnessError } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';
import type { FromWorker, JobResult, ToWorker, WorkerJob, WorkerUsage } from './worker-protocol.ts';

const entry = fileURLToPath(new URL('../cli/bench-worker.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface JobAnswer<R extends JobResult = JobResult> {
  readonly worker: number;
  readonly result: R;
  readonly usage: WorkerUsage;
}

interface Pending {
  resolve(a: { result: JobResult; usage: WorkerUsage }): void;
  reject(err: Error): void;
}

class Worker {
  readonly pending = new Map<number, Pending>();
  exited = false;
  readonly exitedP: Promise<void>;
  ready: Promise<number>;

  constructor(
    readonly index: number,
    readonly child: ChildProcess,
  ) {
    this.exitedP = new Promise((resolve) =>
      child.once('exit', (code, sig) => {
        this.exited = true;
        const err = new HarnessError('INTERNAL', `bench worker ${index} (pid ${child.pid ?? '?'}) exited (${sig ?? code ?? '?'})`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        resolve();
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      child.once('error', reject);
      const onMessage = (raw: unknown): void => {
        const m = raw as FromWorker;
        if (m.type === 'ready') resolve(m.pid);
      };
      child.on('message', onMessage);
      void this.exitedP.then(() => reject(new HarnessError('INTERNAL', `bench worker ${index} exited before it was ready`)));
    });
    child.on('message', (raw: unknown) => {
      const m = raw as FromWorker;
      if (m.type === 'ready') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'result') p.resolve({ result: m.result, usage: m.usage });
      else p.reject(new HarnessError('INTERNAL', `bench worker ${index}: ${m.message}`));
    });
  }

  send(m: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(m);
  }
}

export interface PoolOptions {
  /** Deadline for all workers to start and answer `ready` (tsx compiles on start). */
  readonly startTimeoutMs?: number;
  /** Extra node flags for the workers, e.g. --cpu-prof (LOCKBENCH_BENCH_NODE_FLAGS). */
  readonly nodeFlags?: readonly string[];
}

export class WorkerPool implements AsyncDisposable {
  private nextId = 1;

  private constructor(private readonly workers: readonly Worker[]) {}

  get size(): number {
    return this.workers.length;
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid ?? -1);
  }

  static async start(n: number, plan: ClusterPlan, o: PoolOptions = {}): Promise<WorkerPool> {
    const workers: Worker[] = [];
    const pool = new WorkerPool(workers);
    try {
      for (let i = 0; i < n; i++) {
        const child = fork(entry, [], {
          cwd: repoRoot,
          execArgv: ['--import', 'tsx', ...(o.nodeFlags ?? [])],
          serialization: 'advanced',
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        workers.push(new Worker(i, child));
      }
      for (const w of workers) w.send({ type: 'init', plan });
      await withDeadline(Promise.all(workers.map((w) => w.ready)), `${n} bench workers to start`, o.startTimeoutMs ?? 60_000);
      return pool;
    } catch (err) {
      await pool.close();
      throw err;
    }
  }

  /** Runs `job` on worker `index`; rejects if it does not answer within `timeoutMs`. */
  async run<R extends JobResult = JobResult>(index: number, job: WorkerJob, timeoutMs: number): Promise<JobAnswer<R>> {
    const w = this.workers[index];
    if (!w) throw new HarnessError('INTERNAL', `no bench worker ${index}`);
    if (w.exited) throw new HarnessError('INTERNAL', `bench worker ${index} has exited`);
    const id = this.nextId++;
    const answer = new Promise<{ result: JobResult; usage: WorkerUsage }>((resolve, reject) => w.pending.set(id, { resolve, reject }));
    w.send({ type: 'job', id, job });
    try {
      const a = await withDeadline(answer, `bench worker ${index} to finish a ${job.kind} job`, timeoutMs);
      return { worker: index, result: a.result as R, usage: a.usage };
    } catch (err) {
      // Cut the late job short so it does not hold up the worker's next one.
      w.send({ type: 'abort' });
      throw err;
    } finally {
      w.pending.delete(id);
    }
  }

  /** Asks every worker to cut its current job short; they answer with what they measured. */
  abortAll(): void {
    for (const w of this.workers) w.send({ type: 'abort' });
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.send({ type: 'exit' });
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.exited) return;
        try {
          await withDeadline(w.exitedP, `bench worker ${w.index} to exit`, 8000);
        } catch {
          w.child.kill('SIGKILL');
          await withDeadline(w.exitedP, `bench worker ${w.index} to die`, 5000).catch(() => undefined);
        }
      }),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
