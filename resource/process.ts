// Runs the resource as its own OS process (resource/main.ts), so that pausing or killing the harness
// or a worker cannot stop it, and killing it is a real crash. The child prints one JSON line
// {"port":N,"pid":P} on stdout when it listens; it exits when its stdin closes, so it does not
// outlive a harness that died without stopping it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HarnessError, WaitTimeoutError } from '../core/errors.ts';
import { runnable } from '../core/runnable.ts';
import { withDeadline } from '../core/wait.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const STDERR_TAIL_CHARS = 4096;

export interface SpawnResourceOptions {
  readonly auditPath: string;
  readonly fencing: boolean;
  /** fsync every audit line (see ResourceOptions.fsync). Default false. */
  readonly fsync?: boolean;
  /** Deadline for the child to print its port; tsx compiles on start. Default 20000. */
  readonly startTimeoutMs?: number;
  /** Deadline for exit after SIGTERM, then again after SIGKILL. Default 5000. */
  readonly stopTimeoutMs?: number;
}

export interface ResourceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ResourceProcess extends AsyncDisposable {
  readonly port: number;
  readonly pid: number;
  /** Settles when the process has exited, however that happened. */
  readonly exited: Promise<ResourceExit>;
  /** The last few KiB the process wrote to stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, wait for exit; SIGKILL if it does not exit within the deadline. */
  stop(): Promise<ResourceExit>;
}

export async function spawnResource(options: SpawnResourceOptions): Promise<ResourceProcess> {
  // From the CLI bundle, its compiled entry; under tsx, the .ts (core/runnable.ts).
  const run = runnable(new URL('./main.ts', import.meta.url));
  const args = [...run.nodeFlags, run.path, '--audit', options.auditPath, '--port', '0', '--exit-with-parent'];
  if (options.fencing) args.push('--fencing');
  if (options.fsync === true) args.push('--fsync');
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_TAIL_CHARS);
  });
  // 'close', not 'exit': by then stderr has been read to the end, so error messages are complete.
  const exited = new Promise<ResourceExit>((resolve) => child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })));
  // Writes to a dead child's stdin fail with EPIPE; we never write, but the stream still reports it.
  child.stdin.on('error', () => undefined);

  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const waitingFor = `the resource process (pid ${child.pid}) to print its port`;
  let ready: { port: number; pid: number };
  try {
    ready = await withDeadline(firstLine(child, exited, () => stderr), waitingFor, startTimeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (err instanceof WaitTimeoutError) throw new WaitTimeoutError(`${waitingFor} (stderr: ${stderr.trim() || 'empty'})`, startTimeoutMs);
    throw err;
  }
  // Keep draining stdout so the child can never block on a full pipe.
  child.stdout.resume();

  const stopTimeoutMs = options.stopTimeoutMs ?? 5000;
  let stopping: Promise<ResourceExit> | undefined;
  const stop = (): Promise<ResourceExit> => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      try {
        return await withDeadline(exited, `the resource process (pid ${ready.pid}) to exit after SIGTERM`, stopTimeoutMs);
      } catch {
        child.kill('SIGKILL');
        return withDeadline(exited, `the resource process (pid ${ready.pid}) to exit after SIGKILL`, stopTimeoutMs);
      }
    })();
    return stopping;
  };

  return {
    port: ready.port,
    pid: ready.pid,
    exited,
    stderrTail: () => stderr,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

/** The child's ready line, or an error carrying its stderr if it exits first. */
function firstLine(child: ChildProcess, exited: Promise<ResourceExit>, stderr: () => string): Promise<{ port: number; pid: number }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.stdout?.off('data', onData);
      try {
        const parsed = JSON.parse(out.slice(0, nl)) as { port?: unknown; pid?: unknown };
        if (typeof parsed.port !== 'number' || typeof parsed.pid !== 'number') throw new Error('no port or pid');
        resolve({ port: parsed.port, pid: parsed.pid });
      } catch {
        reject(new HarnessError('INTERNAL', `the resource process printed ${JSON.stringify(out.slice(0, nl))} instead of {"port":N,"pid":P}`));
      }
    };
    child.stdout?.on('data', onData);
    child.once('error', (err) => reject(new HarnessError('INTERNAL', `cannot start the resource process: ${err.message}`, { cause: err })));
    void exited.then(({ code, signal }) => {
      const why = signal === null ? `code ${code}` : `signal ${signal}`;
      reject(new HarnessError(code === 254 ? 'USAGE' : 'INTERNAL', `the resource process exited (${why}) before it was ready: ${stderr().trim() || 'no stderr'}`));
    });
  });
}
