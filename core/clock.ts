// One clock for everything that is compared: the host's monotonic clock. CLOCK_MONOTONIC is shared
// by every process on the host, so worker processes, the resource and the harness agree on it.
// Wall-clock time (Date.now) is only ever used for labels such as run ids.

/** Monotonic time in nanoseconds. */
export function monoNs(): bigint {
  return process.hrtime.bigint();
}

/** Monotonic time in milliseconds, as a float (µs resolution is kept). */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** A clock that can be replaced in tests; everything time-dependent takes one. */
export interface Clock {
  nowMs(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  nowMs: monoMs,
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => systemClock.sleep(ms, signal);
