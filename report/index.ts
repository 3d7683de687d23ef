// The report entry points: renderRunReport (re)renders one run folder's charts and report.html,
// called at the end of every bench and chaos run and by `lockbench report`; renderEvidence writes
// the Redis-vs-ZooKeeper evidence table from the latest runs under results/.
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { benchReport, type RunReportParts } from './bench-report.ts';
import { chaosReport } from './chaos-report.ts';
import { renderPage } from './html.ts';
import { loadRun } from './load-run.ts';
import { matrixReport } from './matrix-report.ts';
import { renderChart } from './render.ts';
import { sweepReport } from './sweep-report.ts';
import { trialsReport } from './trials-report.ts';

export { renderEvidence } from './evidence.ts';

/** Chart files this module writes; anything else in charts/ is left alone. */
const OWN_CHART = /^(bench|chaos|matrix|sweep)-[A-Za-z0-9-]+\.(svg|png)$/;

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Removes charts left by an earlier render, so a chart that no longer applies does not linger. */
async function clearCharts(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => OWN_CHART.test(n)).map((n) => rm(join(dir, n), { force: true })));
}

async function renderParts(dir: string, parts: RunReportParts): Promise<{ charts: string[]; html: string }> {
  const chartDir = join(dir, 'charts');
  await mkdir(chartDir, { recursive: true });
  await clearCharts(chartDir);
  const charts: string[] = [];
  // One at a time: vega views are CPU-bound, and parallel renders only raise peak memory.
  for (const c of parts.charts) {
    const r = await renderChart(c.spec, chartDir, c.name);
    charts.push(r.svgPath, r.pngPath);
  }
  const html = join(dir, 'report.html');
  await writeAtomic(html, renderPage(parts.page));
  return { charts, html };
}

/**
 * Renders `<dir>/charts/*.svg|png` and `<dir>/report.html` for a bench, chaos, matrix, trials or
 * sweep folder; a folder of several runs also renders each one's own report first (a matrix its
 * scenarios, trials each trial-N/, a sweep each value). `charts` lists every file written.
 */
export async function renderRunReport(dirIn: string): Promise<{ charts: string[]; html: string; ms: number }> {
  const started = performance.now();
  const dir = resolve(dirIn);
  const run = await loadRun(dir);
  const charts: string[] = [];
  let parts: RunReportParts;
  switch (run.kind) {
    case 'bench':
      parts = benchReport(run);
      break;
    case 'chaos':
      parts = chaosReport(run);
      break;
    case 'matrix':
      for (const s of run.scenarios) charts.push(...(await renderRunReport(join(dir, s))).charts);
      parts = matrixReport(run);
      break;
    case 'trials':
      for (const t of run.trials.trials) if (t.dir !== null) charts.push(...(await renderRunReport(join(dir, t.dir))).charts);
      parts = trialsReport(run);
      break;
    case 'sweep':
      for (const p of run.sweep.points) charts.push(...(await renderRunReport(join(dir, p.dir))).charts);
      parts = sweepReport(run);
      break;
  }
  const out = await renderParts(dir, parts);
  return { charts: [...out.charts, ...charts], html: out.html, ms: performance.now() - started };
}
