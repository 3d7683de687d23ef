// The raw primitives a lock cycle cannot do without, driven the way the locks are driven (closed
// loop, N connections, each with its own key, one pair in flight per connection):
//   Redis      SET key owner NX PX + compare-and-delete (EVAL): the least a single-Redis cycle does;
//   ZooKeeper  create + delete of a node: the two quorum writes of the recipe.
// Run inside the worker processes, so the floor and the locks share the same driver and the
// comparison measures the lock, not the harness.
import { Redis } from 'ioredis';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { latencyHistogram, recordMs, type LatencyHistogram } from '../core/stats.ts';
import { RELEASE_LUA } from '../locks/redis-connection.ts';
import { ZK_EPHEMERAL, ensureZkPath, openZkSession } from './zk-session.ts';

const HOST = '127.0.0.1';

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

export async function rawRedisPairs(ports: readonly number[], keyPrefix: string, o: RawPairsOptions): Promise<RawPairsResult> {
  const connections = ports.length;
  const clients = ports.map(
    (port) => new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: false, connectTimeout: 5000, commandTimeout: 5000 }),
  );
  try {
    await Promise.all(clients.map((c) => c.connect()));
    return await drive(connections, o, async (i, n) => {
      const c = clients[i];
      if (!c) return;
      const key = `${keyPrefix}:${i}`;
      const owner = `o${n}`;
      await c.set(key, owner, 'PX', 10_000, 'NX');
      await c.eval(RELEASE_LUA, 1, key, owner);
    });
  } finally {
    for (const c of clients) c.disconnect();
  }
}

export async function rawZkPairs(connects: readonly string[], dir: string, o: RawPairsOptions): Promise<RawPairsResult> {
  const sessions = connects.length;
  const opened = await Promise.all(connects.map((connect) => openZkSession(connect)));
  try {
    const first = opened[0];
    if (first) await ensureZkPath(first.zk, dir);
    return await drive(sessions, { ...o, warmupPairs: o.warmupPairs ?? 5 }, async (i) => {
      const s = opened[i];
      if (!s) return;
      const path = `${dir}/p${i}`;
      await s.zk.create(path, '', ZK_EPHEMERAL);
      await s.zk.delete_(path, -1);
    });
  } finally {
    await Promise.all(opened.map((s) => s.close()));
  }
}
