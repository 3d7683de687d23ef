// --max-rate: the load lockbench may offer an external target, in lock cycles (acquire + release;
// for the floor, one raw pair) per second across all clients of a case. A closed loop keeps its
// shape under the cap: each client starts its cycles at least clients/rate seconds apart, so the
// case offers at most the rate and a lock slower than the cap is measured as it is.
import type { CycleSettings } from './worker-protocol.ts';

/** Settings for `clients` concurrent clients under the total cap of settings.maxRatePerSec (absent: no cap). */
export function paced(settings: CycleSettings, clients: number): CycleSettings {
  const cap = settings.maxRatePerSec;
  if (cap === undefined || clients <= 0) return settings;
  return { ...settings, paceMs: (clients * 1000) / cap };
}

/** An open loop's offered rate under the cap. */
export function cappedRate(ratePerSec: number, maxRatePerSec: number | undefined): number {
  return maxRatePerSec === undefined ? ratePerSec : Math.min(ratePerSec, maxRatePerSec);
}

/**
 * Spaces the starts of operations that share one budget, whoever starts them: each call waits
 * until 1000/rate ms after the previous start (absent rate: no wait).
 */
export function spacedStarts(
  ratePerSec: number | undefined,
  clock: { readonly now: () => number; readonly wait: (ms: number) => Promise<void> } = { now: () => performance.now(), wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
): () => Promise<void> {
  if (ratePerSec === undefined) return () => Promise.resolve();
  const gapMs = 1000 / ratePerSec;
  let nextMs = clock.now();
  return async () => {
    const t = clock.now();
    const at = Math.max(t, nextMs);
    nextMs = at + gapMs;
    if (at > t) await clock.wait(at - t);
  };
}
