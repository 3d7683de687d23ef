// The driver side of the worker processes: N bench/worker-main.ts processes (through
// core/worker-process.ts), handed jobs and awaited, each with a deadline. Lock clients live in the
// workers so that 64 clients are not limited by one event loop and so each worker's CPU can be
// reported. close() always stops every worker: `exit` over IPC, then SIGKILL if one does not go in time.
import { fileURLToPath } from 'node:url';
import type { ClusterPlan } from '../clusters/topology.ts';
import { HarnessError } from '../core/errors.ts';
import { WorkerProcess } from '../core/worker-process.ts';
import { parseFromWorker, type FromWorker, type JobResult, type ToWorker, type WorkerJob, type WorkerUsage } from './worker-protocol.ts';

const entry = new URL('./worker-main.ts', import.meta.url);
// tsx is resolved from the working directory: the repository's, wherever the driver was started.
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** How long a worker has to exit when asked before it is killed. */
const EXIT_MS = 8000;

export interface JobAnswer<R extends JobResult = JobResult> {
  readonly worker: number;
  readonly result: R;
  readonly usage: WorkerUsage;
}

export interface PoolOptions {
  /** Deadline for all workers to start and answer `ready` (tsx compiles on start). */
  readonly startTimeoutMs?: number;
  /** Extra node flags for the workers, e.g. --cpu-prof (LOCKBENCH_BENCH_NODE_FLAGS). */
  readonly nodeFlags?: readonly string[];
}

type BenchWorker = WorkerProcess<ToWorker, FromWorker>;

export class WorkerPool implements AsyncDisposable {
  private nextId = 1;

  private constructor(private readonly workers: readonly BenchWorker[]) {}

  get size(): number {
    return this.workers.length;
  }

  get pids(): number[] {
    return this.workers.map((w) => (w.hasExited ? -1 : w.pid));
  }

  static async start(n: number, plan: ClusterPlan, o: PoolOptions = {}): Promise<WorkerPool> {
    const workers: BenchWorker[] = [];
    const pool = new WorkerPool(workers);
    try {
      for (let i = 0; i < n; i++) {
        workers.push(
          new WorkerProcess<ToWorker, FromWorker>({
            name: `bench worker ${i}`,
            module: entry,
            validate: parseFromWorker,
            exitRequest: { type: 'exit' },
            cwd: repoRoot,
            serialization: 'advanced',
            stopTimeoutMs: EXIT_MS,
            ...(o.nodeFlags ? { nodeFlags: o.nodeFlags } : {}),
          }),
        );
      }
      const timeoutMs = o.startTimeoutMs ?? 60_000;
      await Promise.all(workers.map((w) => w.request({ type: 'init', plan }, 'to start and answer ready', timeoutMs, (m) => (m.type === 'ready' ? m.pid : undefined))));
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
    if (w.hasExited) throw new HarnessError('WORKER_EXITED', `${w.name} has exited`);
    const id = this.nextId++;
    try {
      const a = await w.request({ type: 'job', id, job }, `to finish a ${job.kind} job`, timeoutMs, (m) => {
        if (m.type === 'ready' || m.id !== id) return undefined;
        if (m.type === 'error') throw new HarnessError('INTERNAL', `${w.name}: ${m.message}`);
        return m;
      });
      // The protocol cannot say which result kind answers which job; drive.ts asks for the one its job gives.
      return { worker: index, result: a.result as R, usage: a.usage };
    } catch (err) {
      // Cut the late job short so it does not hold up the worker's next one.
      w.send({ type: 'abort' });
      throw err;
    }
  }

  /** Asks every worker to cut its current job short; they answer with what they measured. */
  abortAll(): void {
    for (const w of this.workers) w.send({ type: 'abort' });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
