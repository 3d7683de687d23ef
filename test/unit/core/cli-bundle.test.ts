// The esbuild bundle every command runs from (scripts/cli-bundle.mjs, scripts/cli.mjs, the `bin`
// behind `npx lockbench`): rebuilt exactly when an input changed, faithful to import.meta, printing
// what tsx would print; its worker entries run with plain node and still load a user's .ts module.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FromWorker, ToWorker } from '../../../chaos/worker-protocol.ts';
import { parseFromWorker } from '../../../chaos/worker-protocol.ts';
import { commandNames } from '../../../cli/commands/index.ts';
import { HarnessError } from '../../../core/errors.ts';
import { runnableIn } from '../../../core/runnable.ts';
import { WorkerProcess } from '../../../core/worker-process.ts';
import { buildBundle, currentBundle, ensureBundle } from '../../../scripts/cli-bundle.mjs';
import { alive } from '../../support/process-alive.ts';
import { workerInit } from '../../support/worker-init.ts';
import { ambiguousRun, cleanRun, overlappingRun, writeRunDir } from '../checkers/fixtures.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A two-file project whose main prints its library's word and its own import.meta.url. */
function tinyProject(): string {
  const dir = tempDir('lockbench-bundle-');
  mkdirSync(join(dir, 'cli'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
  writeFileSync(join(dir, 'cli', 'main.ts'), "import { word } from './lib.ts';\nconst n: number = 1;\nprocess.stdout.write(`${word} ${n} ${import.meta.url}`);\n");
  writeFileSync(join(dir, 'cli', 'lib.ts'), "export const word: string = 'first';\n");
  return dir;
}

const runNode = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, LOCKBENCH_QUIET: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('CLI bundle cache', () => {
  test('a build is current until an input changes; touching a file without changing it keeps it', async () => {
    const dir = tinyProject();
    assert.equal(currentBundle(dir), undefined, 'nothing built yet');
    const first = await buildBundle(dir);
    assert.equal(currentBundle(dir), first);
    assert.equal(runNode(first).stdout, `first 1 ${pathToFileURL(join(dir, 'cli', 'main.ts')).href}`, 'import.meta is the source file\'s');

    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'cli', 'lib.ts'), later, later);
    assert.equal(currentBundle(dir), first, 'same content, same bundle');

    writeFileSync(join(dir, 'cli', 'lib.ts'), "export const word: string = 'second';\n");
    assert.equal(currentBundle(dir), undefined, 'an edited source makes the bundle stale');
    const second = await ensureBundle(dir);
    assert.ok(second !== undefined && second !== first);
    assert.match(runNode(second).stdout, /^second 1 /);
  });

  test('a source esbuild cannot compile gives no bundle (the launcher then runs tsx)', async () => {
    const dir = tinyProject();
    writeFileSync(join(dir, 'cli', 'lib.ts'), 'export const word = ;\n');
    assert.equal(await ensureBundle(dir), undefined);
  });
});

describe('npm run check through the bundle', () => {
  test('prints the same and exits the same as through tsx', () => {
    const runs = [cleanRun(), overlappingRun(), ambiguousRun()].map((r) => {
      const d = writeRunDir(r);
      dirs.push(d);
      return d;
    });
    const cases = [...runs.map((d) => ['check', d]), ['check', runs[1] ?? '', '--json'], ['check', join(tmpdir(), 'lockbench-no-such-run')], ['check']];
    for (const args of cases) {
      const viaBundle = runNode('scripts/cli.mjs', ...args);
      const viaTsx = runNode('--import', 'tsx', 'cli/main.ts', ...args);
      assert.deepEqual(viaBundle, viaTsx, args.join(' '));
    }
  });
});

describe('worker entries of a bundle', () => {
  test('a forked module is an entry beside main, sees the bundle it runs from, and a stale one rebuilds', async () => {
    const dir = tinyProject();
    mkdirSync(join(dir, 'chaos'));
    // The builder takes the worker entries that exist; this one prints what core/runnable.ts reads.
    writeFileSync(join(dir, 'chaos', 'worker-main.ts'), 'const m = import.meta as ImportMeta & { lockbenchBundle?: string };\nprocess.stdout.write(JSON.stringify({ url: m.url, bundle: m.lockbenchBundle }));\n');
    const entry = await buildBundle(dir);
    const worker = join(dirname(entry), 'chaos.worker-main.mjs');
    const seen = JSON.parse(runNode(worker).stdout) as { url: string; bundle: string };
    assert.equal(seen.url, pathToFileURL(join(dir, 'chaos', 'worker-main.ts')).href, 'import.meta.url is the source\'s');
    assert.equal(fileURLToPath(seen.bundle), `${dirname(entry)}/`, 'lockbenchBundle is the directory the build runs from');

    writeFileSync(join(dir, 'chaos', 'worker-main.ts'), 'process.stdout.write("edited");\n');
    assert.equal(currentBundle(dir), undefined, 'an edited worker source makes the whole bundle stale');
    const rebuilt = await ensureBundle(dir);
    assert.ok(rebuilt !== undefined && rebuilt !== entry);
    assert.equal(runNode(join(dirname(rebuilt), 'chaos.worker-main.mjs')).stdout, 'edited');
  });

  test('every module lockbench forks maps to its compiled entry in the bundle, the .ts under tsx', async () => {
    const entry = await ensureBundle(root);
    assert.ok(entry !== undefined, 'the project bundles');
    const bundle = dirname(entry);
    for (const rel of ['chaos/worker-main.ts', 'bench/worker-main.ts', 'resource/main.ts']) {
      const source = pathToFileURL(join(root, rel));
      const compiled = runnableIn(bundle, source, root);
      assert.equal(dirname(compiled.path), bundle, rel);
      assert.ok(existsSync(compiled.path), `${rel} is built as ${compiled.path}`);
      assert.ok(!compiled.nodeFlags.includes('tsx'), `${rel} starts without tsx from the bundle`);
      assert.deepEqual(runnableIn(undefined, source, root), { path: join(root, rel), nodeFlags: ['--import', 'tsx'] }, `${rel} under tsx`);
    }
    // Never the .ts beside a bundle: it may be newer than the build its parent runs.
    assert.throws(() => runnableIn(bundle, pathToFileURL(join(root, 'test/support/echo-worker.ts')), root), (err: unknown) => err instanceof HarnessError && err.code === 'INTERNAL' && /not an entry of the CLI bundle/.test(err.message));
  });

  test("the compiled chaos worker, forked without tsx, loads a user's TypeScript lock module (and its .ts import) against the compiled resource", async () => {
    const entry = await ensureBundle(root);
    assert.ok(entry !== undefined);
    const bundle = dirname(entry);
    const work = tempDir('lockbench-bundle-worker-');
    const seenPath = join(work, 'seen.json');
    // Type annotations and a relative .ts import: neither loads without a TypeScript loader.
    writeFileSync(join(work, 'helper.ts'), 'export const label: string = "stub-lock";\n');
    writeFileSync(
      join(work, 'lock.ts'),
      [
        "import { writeFileSync } from 'node:fs';",
        "import { label } from './helper.ts';",
        "export const system: string = 'redis';",
        "export const lease: 'ttl' | 'session' = 'ttl';",
        'export function createLockClient(): object {',
        `  writeFileSync(${JSON.stringify(seenPath)}, JSON.stringify({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS ?? '' }));`,
        '  return { name: label, acquire: async () => ({ acquired: false, reason: "busy" }), release: async () => undefined, close: async () => undefined };',
        '}',
        '',
      ].join('\n'),
    );

    const resource = spawn(process.execPath, [join(bundle, 'resource.main.mjs'), '--audit', join(work, 'audit.jsonl'), '--port', '0', '--exit-with-parent'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const first = (await createInterface({ input: resource.stdout })[Symbol.asyncIterator]().next()) as IteratorResult<string, undefined>;
      const { port } = JSON.parse(first.value ?? '{}') as { port?: number };
      assert.ok(port !== undefined && port > 0, 'the compiled resource listens and says where');

      await using worker = new WorkerProcess<ToWorker, FromWorker>({
        name: 'compiled chaos worker',
        module: runnableIn(bundle, pathToFileURL(join(root, 'chaos/worker-main.ts')), root).path,
        validate: parseFromWorker,
        exitRequest: { type: 'exit' },
        cwd: root,
      });
      const init = workerInit({ lock: 'module', modulePath: join(work, 'lock.ts'), resourcePort: port, historyPath: join(work, 'history.jsonl'), keys: ['k0'] });
      const answer = await worker.request(init, 'ready', 60_000, (m) => (m.type === 'ready' || m.type === 'failed' ? m : undefined));
      assert.deepEqual(answer, { type: 'ready' });
      const seen = JSON.parse(readFileSync(seenPath, 'utf8')) as { execArgv: string[]; nodeOptions: string };
      assert.ok(!`${seen.execArgv.join(' ')} ${seen.nodeOptions}`.includes('tsx'), `the worker started without tsx: ${JSON.stringify(seen)}`);
      const pid = worker.pid;
      const exit = await worker.stop();
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.equal(alive(pid), false);
    } finally {
      resource.kill('SIGTERM');
    }
  });
});

describe('the lockbench command', () => {
  test('package.json names scripts/cli.mjs as the bin, an executable node script', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string>; scripts?: Record<string, string> };
    assert.deepEqual(pkg.bin, { lockbench: 'scripts/cli.mjs' });
    const bin = join(root, 'scripts/cli.mjs');
    accessSync(bin, constants.X_OK);
    assert.equal(readFileSync(bin, 'utf8').split('\n')[0], '#!/usr/bin/env node');
    // The npm scripts start node on the launcher directly: no tsx process relaying signals.
    for (const name of ['lockbench', 'setup', 'up', 'down', 'status', 'bench', 'chaos', 'check', 'report']) {
      assert.match(pkg.scripts?.[name] ?? '', /^node scripts\/cli\.mjs\b/, `npm run ${name}`);
    }
  });

  test('the command list comes from commands.json and prints what loading every command prints', async () => {
    const entry = await ensureBundle(root);
    assert.ok(entry !== undefined);
    const listed = (JSON.parse(readFileSync(join(dirname(entry), 'commands.json'), 'utf8')) as { command: string }[]).map((c) => c.command.split(' ')[0]);
    assert.deepEqual(listed, commandNames);
    // --help, no command, a mistyped one (suggested): exit code, stdout and stderr.
    for (const args of [['--help'], [], ['stats']]) {
      assert.deepEqual(runNode('scripts/cli.mjs', ...args), runNode('--import', 'tsx', 'cli/main.ts', ...args), args.join(' ') || '(no arguments)');
    }
  });

  test('`npx lockbench --help` works from the project', () => {
    const r = spawnSync('npx', ['--no-install', 'lockbench', '--help'], { cwd: root, encoding: 'utf8', env: { ...process.env, LOCKBENCH_QUIET: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, runNode('--import', 'tsx', 'cli/main.ts', '--help').stdout);
  });
});
