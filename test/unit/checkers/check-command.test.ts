// `lockbench check <run>` end to end: a real CLI process per case, asserting exit codes and output.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ambiguousRun, cleanRun, overlappingRun, writeRunDir } from './fixtures.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lockbench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, LOCKBENCH_QUIET: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runDir(run: Parameters<typeof writeRunDir>[0]): string {
  const dir = writeRunDir(run);
  dirs.push(dir);
  return dir;
}

describe('lockbench check', () => {
  test('a valid run exits 0 and prints the summary', () => {
    const r = lockbench('check', runDir(cleanRun()));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /: VALID\n/);
    assert.match(r.stdout, /overlap +valid/);
  });

  test('an invalid run exits 1', () => {
    const r = lockbench('check', runDir(overlappingRun()));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /INVALID/);
    assert.match(r.stdout, /definite \[believed\]/);
  });

  test('an ambiguous run exits 2', () => {
    const r = lockbench('check', runDir(ambiguousRun()));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stdout, /UNKNOWN/);
  });

  test('--json prints the full result, with the same verdict', () => {
    const r = lockbench('check', runDir(overlappingRun()), '--json');
    assert.equal(r.status, 1, r.stderr);
    const parsed = JSON.parse(r.stdout) as { verdict: string; checkers: { overlap: { views: { believed: { definitePairs: number } } } } };
    assert.equal(parsed.verdict, 'invalid');
    assert.equal(parsed.checkers.overlap.views.believed.definitePairs, 1);
  });

  test('a missing run directory is a usage error (254) that says what to pass', () => {
    const r = lockbench('check', join(tmpdir(), 'lockbench-no-such-run'));
    assert.equal(r.status, 254);
    assert.match(r.stderr, /no run directory at .*results\/<run-id>/);
    assert.equal(r.stdout, '');
  });

  test('a directory without history.jsonl, or with a corrupt one, is a usage error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lockbench-empty-'));
    dirs.push(empty);
    const r = lockbench('check', empty);
    assert.equal(r.status, 254);
    assert.match(r.stderr, /has no history\.jsonl/);

    const corrupt = runDir(cleanRun());
    writeFileSync(join(corrupt, 'history.jsonl'), '{"type":"invoke"\n{"type":"ok"}\n');
    const c = lockbench('check', corrupt);
    assert.equal(c.status, 254);
    assert.match(c.stderr, /cannot read the run/);
  });

  test('no run argument is a usage error', () => {
    assert.equal(lockbench('check').status, 254);
  });
});
