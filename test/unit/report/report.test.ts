// renderRunReport over the fixture runs (copied to a temp folder): charts and a self-contained
// report.html per run folder, a report per matrix scenario; renderEvidence; and the CLI's usage
// errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEvidence, renderRunReport } from '../../../report/index.ts';
import { runCli } from '../../support/cli.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/report/', import.meta.url));

/** A fresh copy of the fixtures as a results folder; removed by the caller. */
function resultsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-report-'));
  cpSync(join(FIXTURES, 'bench-fixture'), join(dir, 'bench-20261126-120000Z-f1x7'), { recursive: true });
  cpSync(join(FIXTURES, 'chaos-fixture'), join(dir, 'chaos-redis-client-pause-20261126-120000Z-fx01'), { recursive: true });
  cpSync(join(FIXTURES, 'matrix-fixture'), join(dir, 'matrix-20261126-120500Z-fx02'), { recursive: true });
  return dir;
}

/** Fails on anything in the page that would fetch from the network. */
function assertSelfContained(html: string): void {
  assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external scripts');
  assert.doesNotMatch(html, /<link[^>]+href=["']https?:/i, 'no external stylesheets');
  assert.doesNotMatch(html, /@import|url\(\s*["']?https?:/i, 'no CSS fetches');
  assert.doesNotMatch(html, /<(img|iframe)[^>]+src=["']https?:/i, 'no remote images');
}

test('a bench run gets its four charts and an offline report.html', async () => {
  const results = resultsCopy();
  try {
    const dir = join(results, 'bench-20261126-120000Z-f1x7');
    const out = await renderRunReport(dir);
    const names = out.charts.map((p) => basename(p)).sort();
    assert.deepEqual(names, ['bench-fairness.png', 'bench-fairness.svg', 'bench-latency.png', 'bench-latency.svg', 'bench-throughput.png', 'bench-throughput.svg', 'bench-wan.png', 'bench-wan.svg']);
    for (const p of out.charts) assert.ok(existsSync(p));
    assert.equal(out.html, join(dir, 'report.html'));
    const html = readFileSync(out.html, 'utf8');
    assertSelfContained(html);
    assert.ok(html.length > 700_000, 'vega, vega-lite and vega-embed are inlined');
    assert.match(html, /editor: false/, 'no "open in Vega editor" action (it posts to the web)');
    for (const id of ['bench-throughput', 'bench-latency', 'bench-wan', 'bench-fairness']) assert.ok(html.includes(`id="chart-${id}"`), id);
    assert.match(html, /<th>Jain index<\/th>/, 'tables beside the charts');
    // The headline figures open the page, before any chart; the 42-case table folds away.
    const summary = html.indexOf('id="summary"');
    assert.ok(summary > 0 && summary < html.indexOf('class="chart"'), 'the summary comes before the first chart');
    assert.match(html, /Throughput, 16 clients, a key per client \(6\.2× apart\): best <b>redis<\/b> 8,889 cycles\/s — bottleneck not recorded; path not recorded/);
    assert.match(html, /<details class="long"><summary>the table, 42 rows<\/summary><table>/, 'every case, collapsible and folded');
    assert.ok(out.ms > 0);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});

test('a chaos run gets a timeline per key and acquire latency; a rerender replaces stale charts', async () => {
  const results = resultsCopy();
  try {
    const dir = join(results, 'chaos-redis-client-pause-20261126-120000Z-fx01');
    cpSync(join(FIXTURES, 'chaos-fixture', 'results.json'), join(dir, 'charts-placeholder.json'));
    const first = await renderRunReport(dir);
    assert.deepEqual(first.charts.map((p) => basename(p)).sort(), ['chaos-acquire-latency.png', 'chaos-acquire-latency.svg', 'chaos-timeline-key-0.png', 'chaos-timeline-key-0.svg']);
    cpSync(join(dir, 'charts', 'chaos-timeline-key-0.svg'), join(dir, 'charts', 'chaos-timeline-old-key.svg'));
    await renderRunReport(dir);
    assert.ok(!existsSync(join(dir, 'charts', 'chaos-timeline-old-key.svg')), 'stale chart removed');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assertSelfContained(html);
    assert.match(html, /INVALID/);
    assert.match(html, /definite overlapping pairs on key-0/);
    assert.match(html, /<section class="summary" id="summary"[^>]*><p><span class="verdict invalid">INVALID<\/span> redis under client-pause:<\/p><ul><li>two clients held one key at once: /, 'the verdict first, with what it rests on');
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});

test('a chaos run cut short (no results.json) is reported from what it recorded', async () => {
  const results = resultsCopy();
  try {
    const dir = join(results, 'chaos-redis-client-pause-20261126-120000Z-fx01');
    rmSync(join(dir, 'results.json'));
    const out = await renderRunReport(dir);
    assert.equal(out.charts.length, 4);
    assert.match(readFileSync(out.html, 'utf8'), /has no results\.json/);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});

test('a matrix folder gets the heatmap, links to each scenario, and each scenario its own report', async () => {
  const results = resultsCopy();
  try {
    const dir = join(results, 'matrix-20261126-120500Z-fx02');
    const out = await renderRunReport(dir);
    const names = out.charts.map((p) => basename(p));
    assert.ok(names.includes('matrix-heatmap.svg') && names.includes('matrix-heatmap.png'));
    assert.ok(names.includes('chaos-timeline-key-0.svg'), 'the scenario\'s charts too');
    assert.ok(existsSync(join(dir, 'redis-client-pause', 'report.html')));
    const html = readFileSync(out.html, 'utf8');
    assertSelfContained(html);
    assert.match(html, /href="redis-client-pause\/report\.html"/);
    assert.match(html, /link c0-zk-1 did not pass traffic again/, 'a scenario that did not run says why');
    const summary = /<section class="summary".*?<\/section>/s.exec(html)?.[0] ?? '';
    assert.match(summary, /^<section class="summary" id="summary"[^>]*><p><span class="verdict invalid">4 invalid · 1 unknown · 3 valid<\/span> of 8 scenarios that ran, 1 not run\.<\/p><ul><li>Two holders at once: redis under client-pause, redis under clock-skew, /);
    assert.match(summary, /No overlap found: redis without faults, /);
    assert.match(summary, /Did not run: zookeeper under clock-skew/);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});

test('the evidence table: measured cells link to their runs, unsupported cells say "no run"', async () => {
  const results = resultsCopy();
  try {
    await renderRunReport(join(results, 'chaos-redis-client-pause-20261126-120000Z-fx01'));
    const out = await renderEvidence(results);
    assert.deepEqual([basename(out.md), basename(out.html)], ['evidence.md', 'evidence.html']);
    const md = readFileSync(out.md, 'utf8');
    assert.match(md, /\| speed \| throughput, 16 clients, key per client \(path not recorded, durability not recorded\) \| \[\d,\d{3} cycles\/s\]\(bench-20261126-120000Z-f1x7\/bench\.json\)/);
    // The standalone run and the matrix scenario are trials of one scenario (same options that matter).
    assert.match(md, /\| behaviour under failure \| under client-pause \| \[invalid in 2 of 2 trials, 34–100%; 0 lost per trial[^\]]*\]\(evidence-trials\/redis-client-pause\.html\)/, 'both redis × client-pause runs combined, linked to their list');
    const list = readFileSync(join(results, 'evidence-trials', 'redis-client-pause.md'), 'utf8');
    assert.match(list, /\]\(\.\.\/matrix-20261126-120500Z-fx02\/redis-client-pause\/[a-z.]+\)/);
    assert.match(list, /\]\(\.\.\/chaos-redis-client-pause-20261126-120000Z-fx01\/[a-z.]+\)/);
    assert.match(md, /\| auto-release \| [^|]+\| \[yes: another client got the key 2\.\d\d s after its holder froze \(TTL 2000 ms\)\]/);
    assert.match(md, /Jain 0\.73/);
    assert.match(md, /\| behaviour under failure \| under partition \| no run \| no run \| no run \| no run \|/);
    assert.match(md, /no run with --fencing/);
    assert.match(md, /\| scalability \| [^|]+\| not measured \| not measured \| not measured \| not measured \|/, 'a bench.json without the section says so');
    assert.match(md, /\| ease of setup \| [^|]+\| not measured \| not measured \| not measured \| not measured \|/);
    const html = readFileSync(out.html, 'utf8');
    assertSelfContained(html);
    assert.match(html, /<a href="bench-20261126-120000Z-f1x7\/bench\.json">/);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});

test('lockbench report: a missing or non-run folder is a usage error (254) saying what to pass', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'lockbench-report-empty-'));
  try {
    const missing = await runCli(['report', join(empty, 'nope')]);
    assert.equal(missing.code, 254, missing.stderr);
    assert.match(missing.stderr, /no run folder at .*Pass a run folder such as results\/<run-id>/);
    const notRun = await runCli(['report', empty]);
    assert.equal(notRun.code, 254, notRun.stderr);
    assert.match(notRun.stderr, /is not a run folder: it holds no bench\.json, history\.jsonl, matrix\.json, trials\.json or sweep\.json/);
    const none = await runCli(['report']);
    assert.equal(none.code, 254, none.stderr);
    assert.match(none.stderr, /name the run to report/);
    assert.deepEqual(readdirSync(empty), []);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('lockbench report renders a run folder and --evidence a results folder', async () => {
  const results = resultsCopy();
  try {
    const run = await runCli(['report', join(results, 'chaos-redis-client-pause-20261126-120000Z-fx01')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /report\.html \(4 chart files/);
    const ev = await runCli(['report', '--evidence', results]);
    assert.equal(ev.code, 0, ev.stderr);
    assert.ok(existsSync(join(results, 'evidence.md')) && existsSync(join(results, 'evidence.html')));
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
