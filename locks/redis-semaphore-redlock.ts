// `redis-semaphore-redlock`: the npm `redis-semaphore` package's `RedlockMutex` on the 5
// independent masters, as its README shows it — `new RedlockMutex([clients…], key, options)`,
// `acquire()`, `release()` — WITHOUT fixing its behaviour (as node-redlock.ts). The client wrapper,
// settings and `onLockLost` mapping are the Mutex's (redis-semaphore-mutex.ts).
//
// What it does differently from the Mutex (node_modules/redis-semaphore/lib/redlockMutex/*.js):
//   - an attempt sends SET NX PX to every master and waits for ALL of them (Promise.all), then
//     counts the OKs against the quorum round((n+1)/2) = 3 of 5; below it, it runs
//     compare-and-delete on every master and waits `retryInterval` (10 ms) before the next;
//   - it never checks how long the attempt took: no validity = TTL − elapsed − drift as the
//     Redlock algorithm requires, so a grant that took longer than the TTL still counts;
//   - every command error is swallowed (`.catch(() => 0)`): a master that timed out is a vote
//     against, and an acquire whose SETs timed out ends in TimeoutError like a busy key;
//     release swallows them too and discards the answers, so it always resolves;
//   - refresh (every 0.8 × lockTimeout) extends on the masters that still hold our key and, if a
//     majority did, re-SETs NX on the others; below a majority it deletes ours everywhere and
//     calls onLockLost. Errors there are swallowed too (no crash, unlike the single Mutex).
//
// To keep "not acquired" definite, each connection is handed to the package behind an observer
// that records the errors its commands reject with (the package sees the same promises, results
// and errors; nothing is changed). With calls in flight at once a call may see another's errors,
// which can only make its answer less definite.
//
// Mapping:
//   acquire resolves → a lease with no deadline, `lost` on onLockLost (as the Mutex)
//   TimeoutError and no command errors → busy; only errors that had no effect (never sent,
//     refused by Redis) → unavailable; an error that may have had effect (timeout, dropped
//     mid-command) → unknown: a SET may have landed
//   release → not-held when the package had already seen the loss; unknown when errors hit a
//     majority of the masters (our key may remain on enough of them); released otherwise
import type { Redis } from 'ioredis';
import { RedlockMutex } from 'redis-semaphore';
import { tuning, type LockClient, type LockClientContext } from './lock-client.ts';
import { installedPackage } from './package-version.ts';
import { SemaphoreMutexClient } from './redis-semaphore-mutex.ts';
import { connectQuietly, lockRedis } from './redis-connection.ts';
import type { LockSpec } from './spec.ts';

const OBSERVED = new Set<PropertyKey>(['set', 'eval', 'evalsha']);
const isNoScript = (err: unknown): boolean => err instanceof Error && err.message.includes('NOSCRIPT');

/**
 * `redis` as the package sees it, except that the rejections of its set/eval/evalsha commands are
 * also reported to `onError` — all but NOSCRIPT, which the package answers itself by sending the
 * script with EVAL (utils/createEval.js). Every other property is the connection's own.
 */
export function observedRedis(redis: Redis, onError: (err: unknown) => void): Redis {
  return new Proxy(redis, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      const fn = v as (...args: unknown[]) => unknown;
      if (!OBSERVED.has(prop)) return fn.bind(target);
      return (...args: unknown[]): unknown => {
        const out = fn.apply(target, args);
        if (out instanceof Promise) out.catch((err: unknown) => (isNoScript(err) ? undefined : onError(err)));
        return out;
      };
    },
  });
}

export async function createRedisSemaphoreRedlock(ctx: LockClientContext): Promise<LockClient> {
  const connections = ctx.redis.map((e) => lockRedis(e, { commandTimeoutMs: tuning(ctx, 'nodeTimeoutMs', 1000) }));
  await Promise.all(connections.map((c) => connectQuietly(c, 2000)));
  const collectors = new Set<unknown[]>();
  const observed = connections.map((c) => observedRedis(c, (err) => {
    for (const col of collectors) col.push(err);
  }));
  const quorum = Math.round((connections.length + 1) / 2);
  return new SemaphoreMutexClient(
    'redis-semaphore-redlock',
    connections,
    (key, options) => new RedlockMutex(observed, key, options),
    async (fn) => {
      const errors: unknown[] = [];
      collectors.add(errors);
      try {
        return { result: { status: 'fulfilled', value: await fn() }, errors };
      } catch (reason) {
        return { result: { status: 'rejected', reason }, errors };
      } finally {
        collectors.delete(errors);
      }
    },
    quorum,
  );
}

// SET NX on every master, then compare-and-delete on every master: 2 round trips at the
// majority's pace (it waits for all, so the floor at the fastest majority is a bound it cannot
// quite reach); a waiter is granted at best one round trip after a release.
export const redisSemaphoreRedlockSpec: LockSpec = {
  name: 'redis-semaphore-redlock',
  model: { system: 'redis', lease: 'ttl', family: 'fan-out', nodes: 'all', partitionSide: 'client', fencingTokens: false },
  floor: { roundTrips: 2, writes: 0, over: 'quorum', handoff: { roundTrips: 1, writes: 0 } },
  colour: '#bcbd22',
  sources: ['locks/redis-semaphore-redlock.ts', 'locks/redis-semaphore-mutex.ts', 'locks/redis-connection.ts'],
  package: installedPackage('redis-semaphore'),
  create: createRedisSemaphoreRedlock,
};
