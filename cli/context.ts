// State shared between the command handlers and main: the exit code a handler chose, and the
// AbortSignal that fires on Ctrl-C so long commands can stop, heal and write what they have.
import { InterruptedError } from '../core/errors.ts';

export const runContext: { exitCode: number | undefined } = { exitCode: undefined };

let controller: AbortController | undefined;

/**
 * An AbortSignal that fires on the first SIGINT/SIGTERM. A second signal exits at once (code 130),
 * for the user who really wants out.
 */
export function interruptSignal(): AbortSignal {
  if (controller) return controller.signal;
  const c = new AbortController();
  controller = c;
  let count = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    count += 1;
    if (count > 1) {
      process.stderr.write(`lockbench: second ${signal}, exiting without cleanup\n`);
      process.exit(130);
    }
    process.stderr.write(`lockbench: ${signal} received, cleaning up (press Ctrl-C again to force)\n`);
    c.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return c.signal;
}
