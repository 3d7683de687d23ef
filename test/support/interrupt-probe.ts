// A process that takes Ctrl-C as lockbench's commands do (cli/context.ts), for the interrupt tests:
// it marks a fault in force, prints "ready", and on the interrupt "cleans up" for CLEANUP_MS (long
// enough for a deliberate second press to arrive) before it releases the fault and exits 130.
import { interruptSignal } from '../../cli/context.ts';
import { markInForce } from '../../core/in-force.ts';

const CLEANUP_MS = Number(process.env['PROBE_CLEANUP_MS'] ?? 3000);
const signal = interruptSignal();
const fault = markInForce('partition #1 {"sides":"redis-1 | redis-2"}');
process.stdout.write('ready\n');
const idle = setTimeout(() => process.exit(3), 60_000); // bounded: no test waits longer
signal.addEventListener('abort', () => {
  clearTimeout(idle);
  process.stdout.write('cleaning\n');
  setTimeout(() => {
    fault.release();
    process.stdout.write('cleaned\n');
    process.exit(130);
  }, CLEANUP_MS);
});
