// State shared between the command handlers and main: the exit code a handler chose, and the
// AbortSignal that fires on Ctrl-C so long commands can stop, heal and write what they have.
import { InterruptedError } from '../core/errors.ts';
import { inForceNow } from '../core/in-force.ts';

export const runContext: { exitCode: number | undefined } = { exitCode: undefined };

/**
 * Signals this soon after the first are the same key press. A terminal sends SIGINT to the whole
 * foreground process group, and npm (and tsx, where it runs) relays it once more to its child, so
 * one Ctrl-C reaches us two or three times within milliseconds; a person pressing again to force
 * the exit takes far longer than this.
 */
export const SAME_PRESS_MS = 1000;

/** How a forced exit reads: what it leaves in force, and how to undo that. */
export function forcedExitMessage(signal: string, leftInForce: readonly string[]): string {
  if (leftInForce.length === 0) return `lockbench: second ${signal}, exiting without cleanup (nothing was left in force)\n`;
  return (
    `lockbench: second ${signal}, exiting without cleanup. Still in force:\n` +
    leftInForce.map((what) => `  - ${what}\n`).join('') +
    'Undo it with `npm run down` (removes the cluster and every fault with it) or `npm run up` (repairs and resets the running cluster).\n'
  );
}

/**
 * Decides what each signal means: the first interrupts, repeats within SAME_PRESS_MS of it are the
 * same key press relayed again, and a later one forces the exit. `nowMs` is injected for tests.
 */
export function signalCounter(nowMs: () => number = () => performance.now()): (signal: string) => 'interrupt' | 'repeat' | 'force' {
  let firstMs: number | undefined;
  return () => {
    const now = nowMs();
    if (firstMs === undefined) {
      firstMs = now;
      return 'interrupt';
    }
    return now - firstMs < SAME_PRESS_MS ? 'repeat' : 'force';
  };
}

let controller: AbortController | undefined;

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM. A second one, pressed deliberately, exits
 * at once (code 130) after saying which faults it leaves in force.
 */
export function interruptSignal(): AbortSignal {
  if (controller) return controller.signal;
  const c = new AbortController();
  controller = c;
  const classify = signalCounter();
  const onSignal = (signal: NodeJS.Signals): void => {
    const meaning = classify(signal);
    if (meaning === 'repeat') return;
    if (meaning === 'force') {
      process.stderr.write(forcedExitMessage(signal, inForceNow()));
      process.exit(130);
    }
    process.stderr.write(`lockbench: ${signal} received, cleaning up (press Ctrl-C again to force)\n`);
    c.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return c.signal;
}
