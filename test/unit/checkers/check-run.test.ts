// Running every checker over a run, in memory and from a run directory, and the summary.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditEntry, Op } from '../../../core/history.ts';
import { checkRun, renderSummary, runCheckers } from '../../../checkers/check-run.ts';
import { ambiguousRun, cleanRun, overlappingRun, writeRunDir } from './fixtures.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('runCheckers', () => {
  test('a clean run is valid in every checker', () => {
    const { history, audit } = cleanRun();
    const r = runCheckers(history, audit);
    assert.equal(r.verdict, 'valid');
    for (const c of Object.values(r.checkers) as { verdict: string }[]) assert.equal(c.verdict, 'valid');
    assert.equal(r.faults.length, 1);
    assert.equal(r.run.ops, history.length);
  });

  test('an overlap makes the run invalid; one that needs an unknown acquire to have taken effect does not', () => {
    const bad = overlappingRun();
    assert.equal(runCheckers(bad.history, bad.audit).verdict, 'invalid');
    const maybe = ambiguousRun();
    const r = runCheckers(maybe.history, maybe.audit);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.checkers.overlap.verdict, 'valid');
    assert.ok('views' in r.checkers.overlap && r.checkers.overlap.views.believed.possiblePairs === 1);
  });

  test('a checker that throws makes only itself unknown', () => {
    const { history, audit = [] } = cleanRun();
    // A numeric token (the format says decimal string) trips the fencing checker.
    const broken = [...audit, { timeMs: 999, event: 'write', key: 'k', client: 1, value: 5, token: 5 } as unknown as AuditEntry];
    const r = runCheckers(history, broken);
    assert.equal(r.checkers.fencing.verdict, 'unknown');
    assert.ok('error' in r.checkers.fencing);
    assert.equal(r.checkers.overlap.verdict, 'valid');
    // The stray write is also an increment no client made, so the merged verdict is invalid.
    assert.equal(r.verdict, 'invalid');
  });

  test('a history that cannot even be paired makes every checker unknown', () => {
    const r = runCheckers([null as unknown as Op], undefined);
    assert.equal(r.verdict, 'unknown');
    assert.ok('error' in r.checkers.availability);
  });
});

describe('checkRun', () => {
  test('reads history and audit from a run directory', async () => {
    const dir = writeRunDir(cleanRun());
    dirs.push(dir);
    const r = await checkRun(dir);
    assert.equal(r.verdict, 'valid');
    assert.equal(r.run.dir, dir);
    assert.equal(r.run.auditEntries, 16);
  });

  test('without audit.jsonl the resource view is skipped and lost updates are unknown', async () => {
    const { history } = cleanRun();
    const dir = writeRunDir({ history });
    dirs.push(dir);
    const r = await checkRun(dir);
    assert.equal(r.verdict, 'unknown');
    assert.equal(r.run.auditEntries, null);
    assert.ok('views' in r.checkers.overlap);
    assert.equal(r.checkers.overlap.views.resource.skipped, true);
    assert.equal(r.checkers['lost-updates'].verdict, 'unknown');
    assert.equal(r.checkers.fencing.verdict, 'unknown');
  });

  test('a torn last line (writer killed mid-write) is tolerated', async () => {
    const run = cleanRun();
    const dir = writeRunDir(run);
    dirs.push(dir);
    writeFileSync(join(dir, 'history.jsonl'), run.history.map((o) => JSON.stringify(o)).join('\n') + '\n{"type":"invo');
    assert.equal((await checkRun(dir)).verdict, 'valid');
  });

  test('a missing history is an error for the caller', async () => {
    await assert.rejects(checkRun('/nonexistent/lockbench-run'), /ENOENT/);
  });
});

describe('renderSummary', () => {
  test('names the verdict, every checker and the first overlaps with their faults', () => {
    const bad = overlappingRun();
    const text = renderSummary(runCheckers(bad.history, bad.audit));
    assert.match(text, /^run: INVALID/);
    for (const name of ['overlap', 'lost-updates', 'fencing', 'availability']) assert.match(text, new RegExp(`\\n  ${name} `));
    assert.match(text, /definite \[believed\] key k: process 1 and 3 from 30\.0 to 40\.0 \(10\.0 ms\), no fault active/);
    assert.match(text, /faults: partition ×1/);
  });
});
