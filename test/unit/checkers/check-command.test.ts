// `lockbench check <run>` end to end: a real CLI process per case, asserting exit codes and output.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ambiguousRun, cleanRun, overlappingRun, writeRunDir } from './fixtures.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function lockbench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return lockbenchWith({}, ...args);
}

function lockbenchWith(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, LOCKBENCH_QUIET: '1', ...env } });
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

  test('a bare run id is looked up in LOCKBENCH_RESULTS, by check and by report', () => {
    const dir = runDir(cleanRun());
    const env = { LOCKBENCH_RESULTS: dirname(dir) };
    const checked = lockbenchWith(env, 'check', basename(dir));
    assert.equal(checked.status, 0, checked.stderr);
    assert.match(checked.stdout, /: VALID\n/);
    const reported = lockbenchWith(env, 'report', basename(dir));
    assert.equal(reported.status, 0, reported.stderr);
    assert.ok(existsSync(join(dir, 'report.html')), 'report.html written into the run folder');
    // Without it the same id means results/<id>, which does not exist.
    assert.equal(lockbenchWith({ LOCKBENCH_RESULTS: '' }, 'check', basename(dir)).status, 254);
  });

  test('an invalid run exits 1', () => {
    const r = lockbench('check', runDir(overlappingRun()));
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /INVALID/);
    assert.match(r.stdout, /definite \[believed\]/);
  });

  test('an overlap that needs an unknown acquire to have taken effect is valid (exit 0), and shown as possible', () => {
    const r = lockbench('check', runDir(ambiguousRun()));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /: VALID\n/);
    assert.match(r.stdout, /possible \[believed\]/);
  });

  test('a run the evidence cannot decide exits 2', () => {
    // Increments but no audit log: whether they all landed cannot be told.
    const { history } = cleanRun();
    const r = lockbench('check', runDir({ history }));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stdout, /UNKNOWN/);
  });

  test('defect: a malformed line in the middle of the files is skipped, counted and reported', () => {
    const dir = runDir(cleanRun());
    const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').split('\n');
    lines.splice(3, 0, '{"type":"ok","f":"acq');
    writeFileSync(join(dir, 'history.jsonl'), lines.join('\n'));
    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n');
    audit.splice(5, 0, 'garbage', '{"timeMs":1}');
    writeFileSync(join(dir, 'audit.jsonl'), audit.join('\n'));
    const r = lockbench('check', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /: VALID \(3 malformed lines skipped\)/);
    assert.match(r.stdout, /1 in history\.jsonl \(line 4\); 2 in audit\.jsonl \(line 6, 7\)/);
    const json = JSON.parse(lockbench('check', dir, '--json').stdout) as { run: { skippedLines: { history: number; audit: number } } };
    assert.deepEqual([json.run.skippedLines.history, json.run.skippedLines.audit], [1, 2]);
  });

  test('--fencing on|off overrides what the run recorded', () => {
    const { history, audit = [] } = cleanRun();
    // A stale token accepted after the last section: a violation only if fencing was on.
    const stale = [...audit, { timeMs: 500, event: 'write' as const, key: 'k', client: 1, value: 5, token: '1' }];
    const dir = runDir({ history, audit: stale });
    assert.equal(lockbench('check', dir, '--fencing', 'on').status, 1);
    const off = lockbench('check', dir, '--fencing', 'off');
    assert.match(off.stdout, /fencing +valid +not judged: fencing was off/);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ options: { fencing: true } }));
    assert.match(lockbench('check', dir).stdout, /fencing +invalid/);
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
    assert.match(c.stderr, /none of the 2 lines of .*history\.jsonl is an op/);
  });

  test('no run argument is a usage error', () => {
    assert.equal(lockbench('check').status, 254);
  });
});
