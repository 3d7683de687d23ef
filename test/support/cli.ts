// Runs lockbench's CLI as a user would, in a child process, and collects what it printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  /** The signal that ended it, when one did (npm re-raises the SIGINT it got once its child exits). */
  readonly signal?: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not finish within ${timeoutMs} ms; stderr so far:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function runCli(args: readonly string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return collect(spawnCli(args, opts.env), opts.timeoutMs ?? 60_000);
}

/**
 * `npm run -s <args>` as a shell starts a foreground job: in a process group of its own, so that
 * interruptGroup can send what a terminal sends on Ctrl-C (SIGINT to every process in the group:
 * npm, the shell npm starts, node, and every worker those forked).
 */
export function spawnNpmJob(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const [script, ...rest] = args;
  if (script === undefined) throw new Error('spawnNpmJob needs a script name');
  return spawn('npm', ['run', '-s', script, ...(rest.length > 0 ? ['--', ...rest] : [])], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/**
 * The exit status a shell reports for a job: 128 + the signal's number when a signal ended it.
 * npm, sent SIGINT itself, waits for its child to finish and then ends itself by the same signal.
 */
export function shellStatus(r: CliResult): number | null {
  if (r.signal === 'SIGINT') return 130;
  if (r.signal === 'SIGTERM') return 143;
  return r.code;
}

/** One Ctrl-C on the terminal: SIGINT to the job's whole process group. */
export function interruptGroup(child: ChildProcess): void {
  if (child.pid === undefined) throw new Error('the job has no pid (it did not start)');
  process.kill(-child.pid, 'SIGINT');
}
