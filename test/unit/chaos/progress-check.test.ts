// The progress line's figures come from a child process that runs the checkers over the run folder
// as written so far: the same ops count and definite overlaps the full check reports, and a clear
// error when the folder cannot be checked.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { checkRun } from '../../../checkers/check-run.ts';
import { progressFigures } from '../../../chaos/progress-check.ts';
import { HarnessError } from '../../../core/errors.ts';
import { cleanRun, overlappingRun, writeRunDir } from '../checkers/fixtures.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a clean run and an overlapping one: the ops and definite overlaps the full check counts', async () => {
  for (const run of [cleanRun(), overlappingRun()]) {
    const dir = writeRunDir(run);
    dirs.push(dir);
    const full = await checkRun(dir, { fencing: false });
    const ov = full.checkers.overlap;
    assert.ok('views' in ov);
    const figures = await progressFigures(dir, false, 60_000);
    assert.deepEqual(figures, { ops: full.run.ops, definitePairs: ov.views.resource.definitePairs + ov.views.believed.definitePairs });
  }
  const overlapping = writeRunDir(overlappingRun());
  dirs.push(overlapping);
  assert.ok((await progressFigures(overlapping, false, 60_000)).definitePairs > 0, 'the overlapping run has a definite overlap');
});

test('a folder that cannot be checked is an error that names it', async () => {
  const missing = join(tmpdir(), 'lockbench-no-such-run-for-progress');
  await assert.rejects(progressFigures(missing, false, 60_000), (err: unknown) => err instanceof HarnessError && err.message.includes(missing));
});
