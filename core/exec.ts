// Running host commands (apt-get, debootstrap, docker CLI) with a deadline and captured output, so
// a failure can quote what the command said.
import { spawn } from 'node:child_process';
import { HarnessError, type ErrorCode } from './errors.ts';

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecOptions {
  readonly timeoutMs: number;
  readonly input?: string | Buffer;
  readonly env?: NodeJS.ProcessEnv;
  /** Stream the command's stderr through to ours (for long installs the user should see). */
  readonly passStderr?: boolean;
  readonly signal?: AbortSignal;
}

/** Runs a command to completion (or kills it at the deadline). Never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.passStderr) process.stderr.write(b);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code: timedOut ? null : code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: timedOut ? `${stderr}\n(killed after ${opts.timeoutMs} ms)` : stderr,
      });
    });
    // A command that exits without reading its input makes the write fail with EPIPE; that is not
    // an error of ours, and the exit code tells the rest.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command and throws a HarnessError with its output if it fails. */
export async function runChecked(
  cmd: string,
  args: readonly string[],
  opts: ExecOptions & { readonly errorCode: ErrorCode; readonly what: string },
): Promise<ExecResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-15).join('\n');
    throw new HarnessError(opts.errorCode, `${opts.what} failed (${cmd} ${args.join(' ')} exited ${r.code ?? 'on timeout'}):\n${tail}`);
  }
  return r;
}

/** True if `cmd` is on PATH. */
export async function hasCommand(cmd: string): Promise<boolean> {
  const r = await run('sh', ['-c', `command -v ${cmd}`], { timeoutMs: 5000 });
  return r.code === 0;
}
