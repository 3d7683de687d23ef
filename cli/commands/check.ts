// `lockbench check <run>`: re-runs every checker on a stored run and prints the same verdict the
// chaos run printed. Exit code 0 valid, 1 invalid, 2 unknown; 254 when the run cannot be read.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { checkRun, HISTORY_FILE, renderSummary } from '../../checkers/check-run.ts';
import type { RunCheckResult } from '../../checkers/check-run.ts';
import { ExitCode, UsageError, errorMessage } from '../../core/errors.ts';
import { runContext } from '../context.ts';
import { locateRunDir } from '../run-dir.ts';

interface CheckArgs {
  readonly run: string;
  readonly json: boolean;
  readonly fencing: string | undefined;
}

/** The run directory: the path as given, or else results/<run> for a bare run id. */
async function findRunDir(run: string): Promise<string> {
  const dir = await locateRunDir(run);
  if (dir !== undefined) return dir;
  throw new UsageError(`no run directory at ${resolve(run)}. Pass the directory of a stored run, e.g. results/<run-id> (ls results/ lists them).`);
}

function writeOut(text: string): Promise<void> {
  // Wait for the write: main exits soon after the handler returns, and a large --json would be cut.
  return new Promise((done) => process.stdout.write(text, () => done()));
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <run>',
  describe: 'Re-run every checker on a stored run (exit 0 valid, 1 invalid, 2 unknown)',
  builder: (y: Argv) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'run directory (results/<run-id>) or run id' })
      .option('json', { type: 'boolean', default: false, describe: 'print the full result as JSON instead of the summary' })
      .option('fencing', { type: 'string', choices: ['on', 'off'], describe: "judge fencing as on / off (default: the run's own option, from manifest.json or results.json)" }),
  handler: async (argv) => {
    // yargs reports a missing positional through main's fail hook but still calls the handler.
    const run = argv.run as string | undefined;
    if (run === undefined || run === '') throw new UsageError('name the run to check: lockbench check results/<run-id>');
    const dir = await findRunDir(run);
    if (!existsSync(join(dir, HISTORY_FILE))) {
      throw new UsageError(`${dir} has no ${HISTORY_FILE}. Pass the directory of a chaos run (results/<run-id>), which holds its history.jsonl.`);
    }
    let result: RunCheckResult;
    try {
      result = await checkRun(dir, argv.fencing === undefined ? {} : { fencing: argv.fencing === 'on' });
    } catch (err) {
      throw new UsageError(`cannot read the run in ${dir}: ${errorMessage(err)}. Check that history.jsonl (and audit.jsonl, if present) are readable JSON Lines written by lockbench chaos.`);
    }
    if (result.run.ops === 0 && result.run.skippedLines.history > 0) {
      throw new UsageError(`none of the ${result.run.skippedLines.history} lines of ${join(dir, HISTORY_FILE)} is an op. Pass the directory of a chaos run (results/<run-id>); results/README.md documents the format.`);
    }
    await writeOut(argv.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderSummary(result)}\n`);
    runContext.exitCode = ExitCode[result.verdict];
  },
};
