// Polling with a deadline. Every wait in lockbench goes through here so that each one has a limit
// and, when it runs out, an error that names what it waited for and the last thing it saw.
import { WaitTimeoutError, errorMessage } from './errors.ts';
import { monoMs, sleep } from './clock.ts';

export interface WaitOptions {
  /** What we are waiting for, as it should read in an error ("redis-2 to answer PING"). */
  readonly what: string;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns a value other than undefined/false, or throws WaitTimeoutError.
 * Exceptions from the probe count as "not yet"; the last one is quoted in the timeout error.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, opts: WaitOptions): Promise<T> {
  const deadline = monoMs() + opts.timeoutMs;
  let last = 'no attempt finished';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = 'condition not met yet';
    } catch (err) {
      last = errorMessage(err);
    }
    if (opts.signal?.aborted) throw opts.signal.reason as Error;
    if (monoMs() >= deadline) {
      throw new WaitTimeoutError(`${opts.what} (last: ${last})`, opts.timeoutMs);
    }
    await sleep(Math.min(opts.intervalMs ?? 200, Math.max(1, deadline - monoMs())), opts.signal);
  }
}

/** Rejects with WaitTimeoutError if `promise` has not settled within `timeoutMs`. */
export async function withDeadline<T>(promise: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(what, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
