// Entry point of the resource process (resource/process.ts spawns it). Prints one JSON line
// {"port":N,"pid":P} on stdout once it listens; SIGTERM closes it cleanly (exit 0).
//   node --import tsx resource/main.ts --audit PATH [--port 0] [--fencing] [--fsync] [--exit-with-parent]
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { startResource, type Resource } from './server.ts';

const USAGE = 'usage: node --import tsx resource/main.ts --audit PATH [--port N] [--fencing] [--fsync] [--exit-with-parent]';
const log = logger('resource');

interface Args {
  readonly audit: string;
  readonly port: number;
  readonly fencing: boolean;
  readonly fsync: boolean;
  readonly exitWithParent: boolean;
}

function parse(argv: string[]): Args {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        audit: { type: 'string' },
        port: { type: 'string', default: '0' },
        fencing: { type: 'boolean', default: false },
        fsync: { type: 'boolean', default: false },
        'exit-with-parent': { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  if (values.audit === undefined || values.audit === '') throw new UsageError('--audit PATH is required (the audit.jsonl to append to)');
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, not ${JSON.stringify(values.port)}`);
  return { audit: values.audit, port, fencing: values.fencing, fsync: values.fsync, exitWithParent: values['exit-with-parent'] };
}

async function main(argv: string[]): Promise<void> {
  let args: Args;
  try {
    args = parse(argv);
  } catch (err) {
    process.stderr.write(`resource: ${errorMessage(err)}\n${USAGE}\n`);
    process.exit(ExitCode.usage);
  }

  let resource: Resource;
  try {
    resource = await startResource({ port: args.port, auditPath: args.audit, fencing: args.fencing, fsync: args.fsync });
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    process.stderr.write(`resource: cannot start: ${errorMessage(err)}\n`);
    process.exit(inUse ? ExitCode.usage : ExitCode.crash);
  }

  let exiting = false;
  const shutdown = (why: string, code: number): void => {
    if (exiting) return;
    exiting = true;
    log.debug(`${why}: closing`);
    resource.close().then(
      () => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`resource: close failed: ${errorMessage(err)}\n`);
        process.exit(ExitCode.crash);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM', ExitCode.valid));
  if (args.exitWithParent) {
    // Ctrl-C reaches the whole process group, this process too; the chaos run that started it
    // still needs it while it heals and stops its clients, and stops it itself.
    process.on('SIGINT', () => undefined);
    // The parent holds the other end of our stdin; EOF means it is gone.
    process.stdin.on('end', () => shutdown('parent gone (stdin closed)', ExitCode.valid));
    process.stdin.on('error', () => shutdown('parent gone (stdin error)', ExitCode.valid));
    process.stdin.resume();
  } else {
    process.on('SIGINT', () => shutdown('SIGINT', ExitCode.interrupted));
  }

  process.stdout.write(JSON.stringify({ port: resource.port, pid: process.pid }) + '\n');
  log.debug(`listening on 127.0.0.1:${resource.port}, audit ${args.audit}, fencing ${args.fencing ? 'on' : 'off'}, recovered ${resource.recoveredEntries} entries`);
}

await main(process.argv.slice(2));
