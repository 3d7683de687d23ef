// Reports of folders that hold several runs: a trials folder (its page, each trial's own report), a
// sweep (the violation-rate chart against the parameter) and a matrix whose scenarios ran trials
// (rates in the heatmap). Built from the chaos fixture, copied into the trials layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellFromTrials } from '../../../chaos/matrix.ts';
import type { ChaosResult } from '../../../chaos/runner.ts';
import type { SweepFile } from '../../../chaos/sweep.ts';
import { aggregateTrials, trialOutcome, type TrialsFile } from '../../../chaos/trials.ts';
import { renderRunReport } from '../../../report/index.ts';
import { specToSvg } from '../../../report/render.ts';
import { sweepRateChart } from '../../../report/specs/sweep-rate.ts';

const CHAOS = fileURLToPath(new URL('../../fixtures/report/chaos-fixture/', import.meta.url));

/** A trials folder of `n` copies of the chaos fixture; returns its trials.json. */
function trialsFolder(dir: string, n: number, verdicts: readonly ('valid' | 'invalid')[] = []): TrialsFile {
  const results: ChaosResult[] = [];
  for (let i = 1; i <= n; i++) {
    const t = join(dir, `trial-${i}`);
    cpSync(CHAOS, t, { recursive: true });
    const r = JSON.parse(readFileSync(join(t, 'results.json'), 'utf8')) as ChaosResult;
    const v = verdicts[i - 1] ?? r.verdict;
    results.push({ ...r, verdict: v, options: { ...r.options, seed: r.options.seed + i - 1 } });
  }
  const outcomes = results.map((r, i) => trialOutcome(r, i + 1, `trial-${i + 1}`));
  const file: TrialsFile = { kind: 'trials', version: 1, id: basename(dir), lock: 'redis', fault: 'client-pause', options: results[0]?.options as ChaosResult['options'], planned: n, interrupted: false, stats: aggregateTrials(n, outcomes), trials: outcomes, wallMs: 9000 };
  writeFileSync(join(dir, 'trials.json'), JSON.stringify(file));
  return file;
}

test('a trials folder gets its page with the rate, and every trial its own report', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lockbench-trials-report-'));
  try {
    const dir = join(root, 'trials-redis-client-pause-20261201-100000Z-aa01');
    mkdirSync(dir);
    trialsFolder(dir, 2);
    const out = await renderRunReport(dir);
    assert.ok(existsSync(join(dir, 'trial-1', 'report.html')) && existsSync(join(dir, 'trial-2', 'report.html')));
    assert.ok(out.charts.some((c) => c.includes('trial-2')), 'the trials\' charts are listed');
    const html = readFileSync(out.html, 'utf8');
    assert.match(html, /invalid in 2 of 2 trials, 34–100%/);
    assert.match(html, /href="trial-1\/report\.html"/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a sweep gets the violation rate against its parameter, with intervals and the lease line', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lockbench-sweep-report-'));
  try {
    const dir = join(root, 'sweep-redis-client-pause-pause-multiple-20261201-100000Z-aa01');
    const points = [];
    for (const [value, verdicts] of [[0.5, ['valid', 'valid']], [2, ['invalid', 'valid']], [4, ['invalid', 'invalid']]] as const) {
      const p = join(dir, `pause-multiple=${value}`);
      mkdirSync(p, { recursive: true });
      const t = trialsFolder(p, 2, verdicts);
      points.push({ value, dir: `pause-multiple=${value}`, options: { ...t.options, pauseMultiple: value }, stats: t.stats });
    }
    const sweep: SweepFile = { kind: 'sweep', version: 1, id: basename(dir), lock: 'redis', fault: 'client-pause', param: 'pause-multiple', field: 'pauseMultiple', unit: '× lease', values: [0.5, 2, 4], trialsPerValue: 2, seed: 42, interrupted: false, points, wallMs: 1 };
    writeFileSync(join(dir, 'sweep.json'), JSON.stringify(sweep));
    const chart = sweepRateChart(sweep);
    assert.ok(chart);
    const svg = await specToSvg(chart.spec);
    assert.doesNotMatch(svg, /NaN/);
    for (const label of ['0/2', '1/2', '2/2', 'pause = lease', 'violation rate against pause-multiple']) assert.ok(svg.includes(label), label);
    const out = await renderRunReport(dir);
    assert.ok(out.charts.some((c) => basename(c) === 'sweep-rate.svg') && out.charts.some((c) => basename(c) === 'sweep-rate.png'));
    assert.ok(existsSync(join(dir, 'pause-multiple=2', 'report.html')) && existsSync(join(dir, 'pause-multiple=2', 'trial-1', 'report.html')));
    assert.match(readFileSync(out.html, 'utf8'), /href="pause-multiple=4\/report\.html"/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a matrix whose scenarios ran trials shows rates in the heatmap and links each trials folder', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lockbench-matrix-trials-'));
  try {
    const dir = join(root, 'matrix-20261201-100000Z-aa01');
    const sc = join(dir, 'redis-client-pause');
    mkdirSync(sc, { recursive: true });
    const t = trialsFolder(sc, 2, ['invalid', 'valid']);
    const results = t.trials.map((x) => ({ ...(JSON.parse(readFileSync(join(sc, x.dir ?? '', 'results.json'), 'utf8')) as ChaosResult), verdict: x.verdict as ChaosResult['verdict'] }));
    const cell = cellFromTrials('redis', 'client-pause', { dir: sc, file: t, results, markdown: '' }, 20_000);
    writeFileSync(join(dir, 'matrix.json'), JSON.stringify({ matrixId: basename(dir), locks: ['redis'], faults: ['client-pause'], trials: 2, cells: [cell], wallMs: 20_000 }));
    const out = await renderRunReport(dir);
    const svg = readFileSync(join(dir, 'charts', 'matrix-heatmap.svg'), 'utf8');
    assert.ok(svg.includes('invalid in 1 of 2') && svg.includes('9–91%'), 'the cell shows the rate');
    const html = readFileSync(out.html, 'utf8');
    assert.match(html, /href="redis-client-pause\/report\.html"/);
    assert.match(html, /invalid in 1 of 2 trials, 9–91%/);
    assert.ok(existsSync(join(sc, 'report.html')) && existsSync(join(sc, 'trial-2', 'report.html')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
