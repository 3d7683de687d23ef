// The raw primitives a lock cycle cannot do without, driven by the very loop that drives the locks
// (cycle-loop.ts: the same closed loop, warm-up, window, counting and attempt log, in the same
// worker processes, one connection per client), so a lock can only beat its floor by doing less
// work than the primitives, never by being driven differently. What a pair is belongs to each
// system's driver (its FloorOps.pairs: for Redis SET NX PX + compare-and-delete, for ZooKeeper
// create + delete); here a pair is wrapped as a "lock" whose acquire runs the whole pair and whose
// release is free, so one cycle is one pair.
import { driverFor } from '../clusters/systems/registry.ts';
import { systemClock } from '../core/clock.ts';
import type { LatencyHistogram } from '../core/stats.ts';
import type { LockClient } from '../locks/lock-client.ts';
import { runClosedLoop, type BenchClient } from './cycle-loop.ts';
import type { CycleSettings } from './worker-protocol.ts';

export interface RawPairsResult {
  readonly pairs: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly histogram: LatencyHistogram;
}

// A lease nobody can lose: the raw pair has already removed what it wrote when acquire returns.
const never = new AbortController().signal;

function pairAsLock(connection: number, pair: (connection: number, n: number) => Promise<void>): LockClient {
  let n = 0;
  return {
    name: 'raw',
    async acquire(key) {
      await pair(connection, n++);
      return { acquired: true, lease: { key, owner: '', acquiredAtMs: 0, validUntilMs: undefined, token: undefined, lost: never } };
    },
    release: () => Promise.resolve('released'),
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
}

/** Raw pairs of `system`, one connection per target, each on its own key under `scope`, closed loop. */
export async function rawPairs(system: string, targets: readonly (number | string)[], scope: string, settings: CycleSettings, signal?: AbortSignal): Promise<RawPairsResult> {
  const floor = await driverFor(system).floor.ops();
  const opened = await floor.pairs(targets, scope);
  try {
    const clients: BenchClient[] = targets.map((_, i) => ({ id: i, lock: pairAsLock(i, opened.ops), key: `${scope}:${i}` }));
    const r = await runClosedLoop(clients, { ...settings, clock: systemClock, ...(signal ? { signal } : {}) });
    const e = r.errors;
    return { pairs: r.cycles, errors: e.busy + e.unavailable + e.unknown + e.releaseUnknown, elapsedMs: r.measuredMs, histogram: r.histograms.cycle };
  } finally {
    await opened.close();
  }
}
