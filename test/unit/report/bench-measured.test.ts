// The report pieces for bench.json's issue-12 fields, from hand-written fixtures: a bench.json with
// path, bottleneck, durability, machine, scalability, setup, anchors and floor errors
// (bench-measured-fixture), and one from before them (bench-fixture), which must still render.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from '../../../bench/results.ts';
import { benchReport } from '../../../report/bench-report.ts';
import { scalabilityAndSetupRows, scalabilityText, setupText, speedConditions } from '../../../report/evidence-bench-rows.ts';
import { renderEvidence, renderRunReport } from '../../../report/index.ts';
import { normalizeBench } from '../../../report/load-run.ts';
import { specToSvg } from '../../../report/render.ts';
import { scalabilityCharts } from '../../../report/specs/bench-scalability.ts';
import { throughputChart, throughputRows } from '../../../report/specs/bench-throughput.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/report/', import.meta.url));
const NEW_RUN = 'bench-20261201-120000Z-m3as';
const OLD_RUN = 'bench-20261126-120000Z-f1x7';

const load = (fixture: string, id: string): BenchResult => normalizeBench(JSON.parse(readFileSync(join(FIXTURES, fixture, 'bench.json'), 'utf8')) as Partial<BenchResult>, id);
const measured = load('bench-measured-fixture', NEW_RUN);
const old = load('bench-fixture', OLD_RUN);

function sectionHeadings(b: BenchResult): string[] {
  return benchReport({ kind: 'bench', dir: '/nowhere', id: b.runId, bench: b }).page.sections.map((s) => s.heading);
}

test('throughput is drawn on a log y axis, and a case with no cycle stays out of the chart (log has no zero)', () => {
  const rows = throughputRows(old);
  const first = rows[0];
  assert.ok(first);
  const chart = throughputChart([...rows, { ...first, cyclesPerSec: 0, id: 'sweep/zero' }]);
  assert.ok(chart);
  const spec = chart.spec as unknown as { spec: { encoding: { y: { scale?: { type?: string } } } }; data: { values: { id: string }[] } };
  assert.equal(spec.spec.encoding.y.scale?.type, 'log');
  assert.ok(!spec.data.values.some((r) => r.id === 'sweep/zero'));
  assert.equal(throughputChart(rows.map((r) => ({ ...r, cyclesPerSec: 0 }))), undefined);
});

test('scalability charts: one per measured kind, none without the section, and each compiles to SVG', async () => {
  assert.deepEqual(scalabilityCharts(old.scalability), []);
  const charts = scalabilityCharts(measured.scalability);
  assert.deepEqual(charts.map((c) => c.name), ['bench-scale-held', 'bench-scale-waiters', 'bench-scale-cluster-size']);
  for (const c of charts) {
    const svg = await specToSvg(c.spec);
    assert.match(svg, /<svg/);
  }
  const onlyWaiters = scalabilityCharts({ held: [], waiters: measured.scalability?.waiters ?? [], clusterSize: [] });
  assert.deepEqual(onlyWaiters.map((c) => c.name), ['bench-scale-waiters']);
});

test('the bench report: path and bottleneck per case, run facts, floor errors, anchors and setup when present', () => {
  const parts = benchReport({ kind: 'bench', dir: '/nowhere', id: NEW_RUN, bench: measured });
  const headings = parts.page.sections.map((s) => s.heading);
  for (const h of ['Scalability: locks held at once', 'Scalability: waiters on one lock', 'Scalability: cluster size', 'Ease of setup', 'Anchors: the harness against the systems’ own tools']) assert.ok(headings.includes(h), h);
  const every = parts.page.sections.find((s) => s.heading === 'Every case')?.side ?? '';
  assert.match(every, /<th>path<\/th>/);
  assert.match(every, /<th>bottleneck<\/th>/);
  assert.match(every, /server: zk-1 at 97% of a core/);
  assert.match(every, /<td>direct<\/td>/);
  assert.match(every, /<td>proxy<\/td>/);
  assert.match(parts.page.intro, /durability profile <b>memory<\/b>/);
  assert.match(parts.page.intro, /speed cases on <b>direct<\/b> links/);
  assert.match(parts.page.intro, /machine: 2 cores/);
  assert.match(parts.page.intro, /floor errors/);
  assert.match(parts.page.intro, /efficiency 1\.37/);
  const setup = parts.page.sections.find((s) => s.heading === 'Ease of setup')?.side ?? '';
  assert.match(setup, /<td title="one node[^"]*">cannot<\/td>/);
  assert.match(setup, /3 MiB/);
  assert.match(setup, /1\.8 s/);
  assert.match(setup, /title="the recorded ready times are of an earlier cluster, not the running one">—</, 'an unmeasured ready time is "—" with its reason');
  const anchors = parts.page.sections.find((s) => s.heading.startsWith('Anchors'))?.side ?? '';
  assert.match(anchors, /redis-benchmark/);
  assert.match(anchors, /0\.44/);
  const tput = parts.page.sections.find((s) => s.heading === 'Throughput vs clients')?.side ?? '';
  assert.match(tput, /latency-bound: nothing saturated/);
});

test('a bench.json from before these fields renders without them: "—" cells and no new sections', () => {
  const headings = sectionHeadings(old);
  assert.ok(!headings.some((h) => h.startsWith('Scalability') || h === 'Ease of setup' || h.startsWith('Anchors')));
  const parts = benchReport({ kind: 'bench', dir: '/nowhere', id: OLD_RUN, bench: old });
  const every = parts.page.sections.find((s) => s.heading === 'Every case')?.side ?? '';
  assert.match(every, /<th>bottleneck<\/th>/);
  assert.match(every, /<td>—<\/td>/);
  assert.match(parts.page.intro, /durability profile not recorded/);
  assert.doesNotMatch(parts.page.intro, /floor errors/);
});

test('evidence rows: scalability and ease of setup per lock, "not measured" without the sections', () => {
  assert.equal(scalabilityText(measured, 'redis'), '800 grants/s at 256 waiters; 384 Redis commands per grant (1.5 at 1); 9,000 → 6,000 cycles/s from 1 to 10,000 locks held, 98 server bytes per held lock');
  assert.match(scalabilityText(measured, 'zookeeper') ?? '', /300 grants\/s at 256 waiters; 6 ZooKeeper requests per grant \(6 at 1\).*450 → 380 cycles\/s on 3 → 5 nodes/);
  assert.equal(scalabilityText(old, 'redis'), undefined);
  const [redis, , zk] = measured.setup ?? [];
  assert.ok(redis && zk);
  assert.equal(setupText(redis), 'does not survive a node failure (one node); 1 container, 3 MiB at rest, ready in 1.8 s; 172 lines');
  assert.equal(setupText(zk), '3 nodes to survive one failure; 3 containers, memory at rest not measured, ready time not measured; 228 lines');
  const rows = scalabilityAndSetupRows(old, ['redis', 'zookeeper'], 'x/bench.json');
  assert.deepEqual(rows.map((r) => [r[0], r[2].map((c) => c.text)]), [
    ['scalability', ['not measured', 'not measured']],
    ['ease of setup', ['not measured', 'not measured']],
  ]);
  const withRows = scalabilityAndSetupRows(measured, ['redis', 'node-redlock'], 'x/bench.json');
  const setupCells = withRows.find((r) => r[0] === 'ease of setup')?.[2] ?? [];
  assert.deepEqual(setupCells.map((c) => [c.text.slice(0, 12), c.href]), [
    ['does not sur', 'x/bench.json'],
    ['not measured', undefined],
  ], 'a lock the run did not set up is not measured');
});

test('speed rows say the path of their cases and the durability profile', () => {
  const direct = measured.cases.find((c) => c.id === 'sweep/redis/c16/kmany/l0');
  const wan = measured.cases.find((c) => c.latencyMs > 0);
  assert.equal(speedConditions(measured, [direct]), 'direct links, durability memory');
  assert.equal(speedConditions(measured, [wan, undefined]), 'proxy links, durability memory');
  assert.equal(speedConditions(old, [old.cases[0]]), 'path not recorded, durability not recorded');
});

test('renderRunReport and renderEvidence over the measured fixture: scalability charts on disk, the new evidence rows', async () => {
  const results = mkdtempSync(join(tmpdir(), 'lockbench-report-measured-'));
  try {
    const dir = join(results, NEW_RUN);
    cpSync(join(FIXTURES, 'bench-measured-fixture'), dir, { recursive: true });
    await renderRunReport(dir);
    const charts = readdirSync(join(dir, 'charts')).filter((n) => n.endsWith('.png')).sort();
    assert.deepEqual(charts, ['bench-fairness.png', 'bench-latency.png', 'bench-scale-cluster-size.png', 'bench-scale-held.png', 'bench-scale-waiters.png', 'bench-throughput.png', 'bench-wan.png']);
    const out = await renderEvidence(results);
    const md = readFileSync(out.md, 'utf8');
    assert.match(md, /\| speed \| throughput, 16 clients, key per client \(direct links, durability memory\) \| \[/);
    assert.match(md, /\| speed \| cycle latency p50 with 5 ms injected per link, 1 client \(proxy links, durability memory\) \|/);
    assert.match(md, /\| scalability \| [^|]+\| \[800 grants\/s at 256 waiters; 384 Redis commands per grant/);
    assert.match(md, /\| ease of setup \| [^|]+\| \[does not survive a node failure \(one node\); 1 container, 3 MiB at rest, ready in 1\.8 s; 172 lines\]/);
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
