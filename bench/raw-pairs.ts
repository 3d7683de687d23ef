// The raw primitives a lock cycle cannot do without, driven the way the locks are driven (closed
// loop, N connections, each with its own key, one pair in flight per connection). What a pair is
// belongs to each system's driver (its FloorOps.pairs: for Redis SET NX PX + compare-and-delete,
// for ZooKeeper create + delete). Run inside the worker processes, so the floor and the locks share
// the same driver and the comparison measures the lock, not the harness.
import { driverFor } from '../clusters/systems/registry.ts';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { latencyHistogram, recordMs, type LatencyHistogram } from '../core/stats.ts';

export interface RawPairsResult {
  readonly pairs: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly histogram: LatencyHistogram;
  readonly lastError?: string;
}

export interface RawPairsOptions {
  readonly durationMs: number;
  /** Warm-up before the timed part (connections, scripts, JIT): at least this many pairs per connection… */
  readonly warmupPairs?: number;
  /** …and for at least this long. Default: a quarter of the duration, at most 500 ms. */
  readonly warmupMs?: number;
  readonly signal?: AbortSignal;
}

/** Runs `pair(i, n)` back to back on every connection until the deadline; counts and times each. */
async function drive(connections: number, o: RawPairsOptions, pair: (i: number, n: number) => Promise<void>): Promise<RawPairsResult> {
  const histogram = latencyHistogram();
  let errors = 0;
  let lastError: string | undefined;
  const warmup = o.warmupPairs ?? 20;
  const warmupUntil = monoMs() + (o.warmupMs ?? Math.min(500, o.durationMs / 4));
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      for (let n = 0; n < 100_000 && (n < warmup || monoMs() < warmupUntil) && o.signal?.aborted !== true; n++) await pair(i, -1 - n).catch(() => undefined);
    }),
  );
  const started = monoMs();
  const deadline = started + o.durationMs;
  const counts = await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      let done = 0;
      // Bounded in count too: 10 million pairs per connection is far beyond any duration we allow.
      for (let n = 0; n < 10_000_000 && monoMs() < deadline && o.signal?.aborted !== true; n++) {
        const t = monoMs();
        try {
          await pair(i, n);
          recordMs(histogram, monoMs() - t);
          done++;
        } catch (err) {
          errors++;
          lastError = errorMessage(err);
        }
      }
      return done;
    }),
  );
  return { pairs: counts.reduce((a, b) => a + b, 0), errors, elapsedMs: monoMs() - started, histogram, ...(lastError === undefined ? {} : { lastError }) };
}

/** Raw pairs of `system`, one connection per target, each on its own key under `scope`. */
export async function rawPairs(system: string, targets: readonly (number | string)[], scope: string, o: RawPairsOptions): Promise<RawPairsResult> {
  const floor = await driverFor(system).floor.ops();
  const opened = await floor.pairs(targets, scope);
  try {
    return await drive(targets.length, { ...o, warmupPairs: o.warmupPairs ?? opened.warmupPairs }, opened.ops);
  } finally {
    await opened.close();
  }
}
