// The physical floor for Redis-based locks, measured on the same cluster and paths as the locks:
// PING round trips (latency on one connection, and round trips per second over many connections,
// as redis-benchmark does), direct and through Toxiproxy, and raw SET NX PX + compare-and-delete
// pairs per second: the least work a single-Redis lock cycle can do.
import { Redis } from 'ioredis';
import { monoMs } from '../core/clock.ts';
import { latencyHistogram, mergeHistograms, recordMs, summarize, type LatencySummaryMs } from '../core/stats.ts';

const HOST = '127.0.0.1';
/** Compare-and-delete, as a lock release does it. */
const RELEASE_LUA = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface RedisFloorPath {
  /** direct = the node's published port; proxied = through its Toxiproxy link. */
  readonly path: 'direct' | 'proxied';
  readonly address: string;
  /** Sequential PINGs on one connection. */
  readonly rttMs: LatencySummaryMs;
  /** PINGs per second, `connections` connections each sending one at a time. */
  readonly roundTripsPerSec: number;
  /** SET NX PX + compare-and-delete pairs per second at the same concurrency. */
  readonly lockPairsPerSec: number;
  readonly connections: number;
}

export interface FloorOptions {
  readonly durationMs: number;
  readonly connections: number;
  readonly signal?: AbortSignal;
}

function connectTo(port: number): Redis {
  return new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 1, enableAutoPipelining: false, connectTimeout: 5000 });
}

async function withClients<T>(port: number, n: number, fn: (clients: Redis[]) => Promise<T>): Promise<T> {
  const clients = Array.from({ length: n }, () => connectTo(port));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    return await fn(clients);
  } finally {
    for (const c of clients) c.disconnect();
  }
}

/** Runs `step` back to back on every client until the deadline; returns completed steps per second. */
async function closedLoop(clients: readonly Redis[], durationMs: number, step: (c: Redis, i: number, n: number) => Promise<unknown>, signal?: AbortSignal): Promise<number> {
  const started = monoMs();
  const deadline = started + durationMs;
  const counts = await Promise.all(
    clients.map(async (c, i) => {
      let n = 0;
      while (monoMs() < deadline && !signal?.aborted) {
        await step(c, i, n);
        n++;
      }
      return n;
    }),
  );
  const elapsedS = (monoMs() - started) / 1000;
  return Math.round(counts.reduce((a, b) => a + b, 0) / elapsedS);
}

export async function measureRedisPath(path: 'direct' | 'proxied', port: number, opts: FloorOptions): Promise<RedisFloorPath> {
  const rttMs = await withClients(port, 1, async ([c]) => {
    if (!c) throw new Error('no client');
    const h = latencyHistogram();
    for (let i = 0; i < 200; i++) await c.ping(); // warm-up
    const deadline = monoMs() + opts.durationMs;
    for (let i = 0; i < 200_000 && monoMs() < deadline && !opts.signal?.aborted; i++) {
      const t = monoMs();
      await c.ping();
      recordMs(h, monoMs() - t);
    }
    return summarize(mergeHistograms([h]));
  });
  const roundTripsPerSec = await withClients(port, opts.connections, (cs) => closedLoop(cs, opts.durationMs, (c) => c.ping(), opts.signal));
  const lockPairsPerSec = await withClients(port, opts.connections, (cs) =>
    closedLoop(
      cs,
      opts.durationMs,
      async (c, i, n) => {
        // Distinct keys per connection: the floor is the uncontended cost of one cycle.
        const key = `floor:${path}:${i}`;
        const owner = `o${n}`;
        await c.set(key, owner, 'PX', 10_000, 'NX');
        await c.eval(RELEASE_LUA, 1, key, owner);
      },
      opts.signal,
    ),
  );
  return { path, address: `${HOST}:${port}`, rttMs, roundTripsPerSec, lockPairsPerSec, connections: opts.connections };
}
