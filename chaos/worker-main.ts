// A chaos client worker: one lock client in its own OS process, so the nemesis can really pause it
// (SIGSTOP) while it holds a lock. Started by chaos/workers.ts and driven over IPC
// (chaos/worker-protocol.ts); all it records goes to the shared history.jsonl. It exits when told
// to, or when the runner is gone.
import { ResourceClient } from '../resource/client.ts';
import { livenessCheck, runMutexClient } from './workloads/mutex.ts';
import { parseToWorker, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.ts';
import { planCluster } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { HistoryRecorder } from '../core/history-recorder.ts';
import { seededRandom } from '../core/rng.ts';
import { ParentChannel } from '../core/worker-process.ts';
import { lockClientContext } from '../locks/context.ts';
import type { LockClient, LockClientFactory } from '../locks/lock-client.ts';
import { isLockName, lockClients } from '../locks/registry.ts';
import { loadLockModule } from '../locks/user-module.ts';

interface Worker {
  readonly init: WorkerInit;
  readonly lock: LockClient;
  readonly resource: ResourceClient;
  readonly history: HistoryRecorder;
  running?: { readonly stop: AbortController; readonly done: Promise<void> };
}

let worker: Worker | undefined;

const parent = new ParentChannel<FromWorker, ToWorker>(`chaos worker (pid ${process.pid})`, parseToWorker);
const send = (msg: FromWorker): void => parent.send(msg);

async function factoryFor(init: WorkerInit): Promise<LockClientFactory> {
  if (init.modulePath !== undefined) return loadLockModule(init.modulePath);
  if (!isLockName(init.lock)) throw new Error(`unknown lock ${init.lock}`);
  return lockClients[init.lock];
}

async function start(init: WorkerInit): Promise<void> {
  const factory = await factoryFor(init);
  const lock = await factory(lockClientContext(init.plan ?? planCluster(init.cluster), init.clientId, init.tuning));
  const resource = await ResourceClient.connect(init.resourcePort, { timeoutMs: 30_000 });
  worker = { init, lock, resource, history: new HistoryRecorder(init.historyPath) };
}

async function shutdown(code: number): Promise<never> {
  const w = worker;
  if (w) {
    w.running?.stop.abort();
    await w.lock.close().catch(() => undefined);
    await w.resource.close().catch(() => undefined);
    w.history.close();
  }
  process.exit(code);
}

process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// Ctrl-C reaches the whole process group, this client too: left to its default it would die in
// the middle of an op and read as a crash. The run stops its clients itself, after healing.
process.on('SIGINT', () => undefined);

parent.onMessage(handle, (err) => send({ type: 'failed', error: err.message }));

function handle(raw: ToWorker): void {
  void (async () => {
    try {
      switch (raw.type) {
        case 'init':
          await start(raw);
          send({ type: 'ready' });
          return;
        case 'run': {
          const w = worker;
          if (!w) throw new Error('run before init');
          const stop = new AbortController();
          const random = seededRandom(w.init.seed * 1009 + w.init.clientId);
          const done = runMutexClient(w.init.clientId, w.lock, w.resource, w.history, {
            keys: w.init.keys,
            ttlMs: w.init.ttlMs,
            waitMs: w.init.waitMs,
            holdMs: w.init.holdMs,
            fencing: w.init.fencing,
            checkLease: w.init.checkLease,
            maxAcquires: raw.maxAcquires,
            deadlineMs: Number.POSITIVE_INFINITY,
            signal: stop.signal,
            random,
            onHolding: (key) => send({ type: 'holding', key: key ?? null, atMs: monoMs() }),
          }).then((counts) => send({ type: 'stopped', counts }));
          w.running = { stop, done };
          return;
        }
        case 'stop':
          worker?.running?.stop.abort();
          if (!worker?.running) send({ type: 'stopped', counts: { acquires: 0, acquired: 0, increments: 0 } });
          return;
        case 'liveness': {
          const w = worker;
          if (!w) throw new Error('liveness before init');
          await w.running?.done;
          const key = w.init.keys[0] ?? 'k';
          const r = await livenessCheck(w.init.clientId, w.lock, w.history, key, { ttlMs: w.init.ttlMs, waitMs: raw.waitMs });
          send({ type: 'liveness', ...r });
          return;
        }
        case 'exit':
          await shutdown(0);
      }
    } catch (err) {
      send({ type: 'failed', error: errorMessage(err) });
    }
  })();
}
