// The real process entry, toxiproxy-compat/main.ts, run as a child process: it takes
// toxiproxy-server's single-dash flags, serves /version, logs events to stderr, exits 0 on SIGTERM
// and 254 on a bad flag.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { withDeadline } from './helpers.ts';

const entry = fileURLToPath(new URL('../main.ts', import.meta.url));
// tsx compiles on start; two busy cores can make that slow.
const START_DEADLINE_MS = 30_000;

interface Child {
  readonly process: ChildProcess;
  stderr: string;
  readonly exited: Promise<number | null>;
}

function run(args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOCKBENCH_QUIET: '', LOCKBENCH_DEBUG: '' },
  });
  const result: Child = {
    process: child,
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stderr.on('data', (data: Buffer) => (result.stderr += data.toString('utf8')));
  child.stdout.resume();
  return result;
}

async function waitForUrl(child: Child): Promise<string> {
  return withDeadline(
    new Promise<string>((resolve, reject) => {
      const check = (): void => {
        const match = /API listening on (http:\/\/\S+)/.exec(child.stderr);
        if (match?.[1] !== undefined) resolve(match[1]);
      };
      child.process.stderr?.on('data', check);
      void child.exited.then((code) => reject(new Error(`exited with ${code}: ${child.stderr}`)));
      check();
    }),
    START_DEADLINE_MS,
    'the API to listen',
  );
}

describe('toxiproxy-compat process entry', () => {
  test('-host/-port (Go spelling), /version through the client, SIGTERM → exit 0', async (t) => {
    const child = run(['-host=127.0.0.1', '-port=0']);
    t.after(() => {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
    });
    const url = await waitForUrl(child);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const toxiproxy = new Toxiproxy(url);
    assert.equal(await toxiproxy.getVersion(), '{"version": "2.12.0"}\n');
    const proxy = await toxiproxy.createProxy({ name: 'cli', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    await withDeadline(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (child.stderr.includes('proxy cli created')) resolve();
        };
        child.process.stderr?.on('data', check);
        check();
      }),
      5000,
      'the proxy-created log line',
    );
    assert.equal(proxy.enabled, true);
    child.process.kill('SIGTERM');
    assert.equal(await withDeadline(child.exited, 10_000, 'exit after SIGTERM'), 0);
  });

  test('a bad flag → message on stderr and exit 254', async (t) => {
    const child = run(['--bogus']);
    t.after(() => {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
    });
    assert.equal(await withDeadline(child.exited, START_DEADLINE_MS, 'exit on a bad flag'), 254);
    assert.match(child.stderr, /bogus/);
  });
});
