// The esbuild bundle behind `npm run check` (scripts/cli-bundle.mjs, scripts/cli.mjs): rebuilt
// exactly when an input changed, faithful to import.meta, and printing what tsx would print.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBundle, currentBundle, ensureBundle } from '../../../scripts/cli-bundle.mjs';
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
