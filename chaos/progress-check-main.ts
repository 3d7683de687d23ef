// The chaos run's progress check, in a process of its own: it reads the whole history and audit
// log so far (hundreds of MB by the end of a half-hour soak) and runs every checker over them. In
// the harness's own process each such check left its high-water mark behind — the soak's RSS grew
// 126 → 494 → 675 MiB with the JS heap flat at 42 → 44 MiB — so the memory now comes and goes with
// this process. Arguments: the run folder and `on`/`off` for fencing; prints one JSON line
// (chaos/progress-check.ts reads it) and exits 0, or exits 1 with the reason on stderr.
import { checkRun } from '../checkers/check-run.ts';
import { errorMessage } from '../core/errors.ts';
import type { ProgressFigures } from './progress-check.ts';

const [dir, fencing] = process.argv.slice(2);

async function main(): Promise<void> {
  if (dir === undefined || (fencing !== 'on' && fencing !== 'off')) throw new Error('usage: progress-check-main <run folder> on|off');
  const c = await checkRun(dir, { fencing: fencing === 'on' });
  const ov = c.checkers.overlap;
  const figures: ProgressFigures = { ops: c.run.ops, definitePairs: 'views' in ov ? ov.views.resource.definitePairs + ov.views.believed.definitePairs : 0 };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().then(
  () => (process.exitCode = 0),
  (err: unknown) => {
    process.stderr.write(`progress check: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
