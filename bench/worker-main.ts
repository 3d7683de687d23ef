// A bench worker process, started by bench/worker-pool.ts: it hosts lock clients and runs one job at
// a time on request (bench/worker-jobs.ts), answering over IPC with the result and what the job
// cost it in CPU. It exits when told to, or when its parent goes away (IPC disconnect), so a
// worker never outlives the benchmark that started it.
import { errorMessage } from '../core/errors.ts';
import { ParentChannel } from '../core/worker-process.ts';
import { WorkerJobs, withUsage } from './worker-jobs.ts';
import { parseToWorker, type FromWorker, type ToWorker } from './worker-protocol.ts';

let parent: ParentChannel<FromWorker, ToWorker>;
try {
  parent = new ParentChannel<FromWorker, ToWorker>(`bench worker (pid ${process.pid})`, parseToWorker);
} catch (err) {
  process.stderr.write(`bench worker: ${errorMessage(err)}\n`);
  process.exit(254);
}
const send = (m: FromWorker): void => parent.send(m);

let jobs: WorkerJobs | undefined;
let current: AbortController | undefined;
let queue: Promise<void> = Promise.resolve();

async function shutdown(code: number): Promise<void> {
  current?.abort();
  const deadline = setTimeout(() => process.exit(code), 5000);
  deadline.unref();
  await jobs?.dispose().catch(() => undefined);
  process.exit(code);
}

function handle(m: ToWorker): void {
  switch (m.type) {
    case 'init':
      jobs = new WorkerJobs(m.plan);
      send({ type: 'ready', pid: process.pid });
      return;
    case 'abort':
      current?.abort();
      return;
    case 'exit':
      void shutdown(0);
      return;
    case 'job':
      // One job at a time: a job that arrives early waits for the previous one.
      queue = queue.then(async () => {
        if (!jobs) {
          send({ type: 'error', id: m.id, message: 'worker not initialised' });
          return;
        }
        const w = jobs;
        current = new AbortController();
        const signal = current.signal;
        try {
          const { value, usage } = await withUsage(() => w.run(m.job, signal));
          send({ type: 'result', id: m.id, result: value, usage });
        } catch (err) {
          send({ type: 'error', id: m.id, message: errorMessage(err) });
        } finally {
          current = undefined;
        }
      });
      return;
  }
}

parent.onMessage(handle, (err, raw) => {
  // A job the worker cannot read still gets an answer, so the driver's wait ends with the reason.
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : -1;
  send({ type: 'error', id, message: err.message });
  process.stderr.write(`${err.message}\n`);
});

process.on('disconnect', () => void shutdown(0));
// Ctrl-C reaches the whole process group; the parent decides when workers stop.
process.on('SIGINT', () => undefined);
