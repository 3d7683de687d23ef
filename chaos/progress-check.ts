// The progress line's figures (ops so far, definite overlaps so far), checked in a child process
// (chaos/progress-check-main.ts says why) with a deadline; the harness keeps only the two numbers.
import { HarnessError } from '../core/errors.ts';
import { run } from '../core/exec.ts';
import { runnable } from '../core/runnable.ts';

export interface ProgressFigures {
  readonly ops: number;
  /** Definite overlaps in the resource's and the clients' own views. */
  readonly definitePairs: number;
}

const isFigures = (x: unknown): x is ProgressFigures =>
  typeof x === 'object' && x !== null && typeof (x as ProgressFigures).ops === 'number' && typeof (x as ProgressFigures).definitePairs === 'number';

export async function progressFigures(dir: string, fencing: boolean, timeoutMs: number, signal?: AbortSignal): Promise<ProgressFigures> {
  const entry = runnable(new URL('./progress-check-main.ts', import.meta.url));
  const r = await run(process.execPath, [...entry.nodeFlags, entry.path, dir, fencing ? 'on' : 'off'], { timeoutMs, ...(signal ? { signal } : {}) });
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stdout.trim());
  } catch {
    parsed = undefined;
  }
  if (r.code !== 0 || !isFigures(parsed)) throw new HarnessError('INTERNAL', `the progress check of ${dir} failed (exit ${r.code ?? 'on timeout'}): ${r.stderr.trim().slice(-500)}`);
  return parsed;
}
