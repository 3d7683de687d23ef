// lockbench's command line: the only place that reads argv and the only place that exits.
// Each command lives in cli/commands/<name>.ts and exports a yargs CommandModule built with
// `defineCommand`; its handler returns an exit code or throws a HarnessError.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, HarnessError, UsageError, errorMessage } from '../core/errors.ts';
import { commandSummaries } from './command-summaries.ts';
import { isCommandName, loadCommands } from './commands/index.ts';
import type { AnyCommand } from './commands/index.ts';
import { runContext } from './context.ts';
import { notANumber } from './raw-numbers.ts';

/**
 * The commands to register: only the one named on the command line when there is one (no global
 * option takes a value, so it is the first word that is not an option), else all of them, so
 * `--help`, a missing command and a mistyped one get the full list as before — from the bundle's
 * list of names and descriptions when it has one, which prints the same without loading them.
 */
async function commandsFor(argv: readonly string[]): Promise<AnyCommand[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first !== undefined && isCommandName(first)) return loadCommands([first]);
  return commandSummaries(argv) ?? loadCommands();
}

async function main(argv: string[]): Promise<number> {
  let commands: AnyCommand[];
  try {
    commands = await commandsFor(argv);
  } catch (err) {
    return report(err);
  }
  const parser = yargs(argv)
    .scriptName('lockbench')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'Name a command: setup, up, status, down (see --help).')
    .recommendCommands()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    // Before any command reads its options: a number option given text echoes the text.
    .middleware((parsed) => {
      const bad = notANumber(parsed, argv);
      if (bad) throw bad;
    }, true)
    .fail((msg, err: Error | undefined) => {
      // yargs passes an error for exceptions thrown by handlers, and only a message for usage errors.
      // Either must throw: a fail handler that returns lets yargs go on and run the command's
      // handler (`status --bogus` printed the status, then the usage error).
      if (err !== undefined) throw err;
      throw new UsageError(`${msg}\nRun with --help for the options.`);
    });
  for (const command of commands) parser.command(command);

  try {
    await parser.parseAsync();
  } catch (err) {
    return report(err);
  }
  return runContext.exitCode ?? ExitCode.valid;
}

function report(err: unknown): number {
  if (err instanceof HarnessError) {
    process.stderr.write(`lockbench: ${err.message}\n`);
    if (process.env['LOCKBENCH_DEBUG'] && err.stack) process.stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  process.stderr.write(`lockbench: internal error: ${errorMessage(err)}\n`);
  if (err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return ExitCode.crash;
}

const code = await main(hideBin(process.argv));
// Let pending stderr/stdout writes drain before leaving.
process.exitCode = code;
setTimeout(() => process.exit(code), 50).unref();
