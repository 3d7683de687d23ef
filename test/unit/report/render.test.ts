// Every chart family renders, from the small fixture runs, to a non-empty SVG with the expected
// marks and labels and to a valid PNG, with text in the bundled font.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chaosModel } from '../../../report/chaos-data.ts';
import { loadRun, type BenchRun, type ChaosRun, type MatrixRun } from '../../../report/load-run.ts';
import { specToSvg, svgToPng } from '../../../report/render.ts';
import { fairnessCases, fairnessChart } from '../../../report/specs/bench-fairness.ts';
import { focusClients, latencyChart, latencyRows } from '../../../report/specs/bench-latency.ts';
import { throughputChart, throughputRows } from '../../../report/specs/bench-throughput.ts';
import { wanChart, wanRows } from '../../../report/specs/bench-wan.ts';
import { acquireLatencyChart } from '../../../report/specs/chaos-latency.ts';
import { timelineChart } from '../../../report/specs/chaos-timeline.ts';
import type { ChartSpec } from '../../../report/specs/common.ts';
import { matrixHeatmap } from '../../../report/specs/matrix-heatmap.ts';
import { FONT_FAMILY, textWidthPx } from '../../../report/text-metrics.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/report/${name}`, import.meta.url));

/** Width × height from a PNG's IHDR, after checking the signature. */
export function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Text of every <text> element (multi-line ones as <tspan>s, one per line), entities decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) =>
    (m[1] ?? '').replace(/<[^>]+>/g, '\n').replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>'),
  );
}

async function render(chart: ChartSpec | undefined, expected: readonly string[]): Promise<string> {
  assert.ok(chart, 'the fixture yields this chart');
  const svg = await specToSvg(chart.spec);
  assert.match(svg, /^<svg/);
  assert.doesNotMatch(svg, /NaN/);
  assert.ok(svg.includes(`font-family="${FONT_FAMILY}`), 'text is set in the bundled font');
  const all = texts(svg).join('\n');
  for (const label of expected) assert.ok(all.includes(label), `SVG of ${chart.name} shows "${label}"; it shows:\n${all.slice(0, 1500)}`);
  const png = svgToPng(svg);
  const size = pngSize(png);
  assert.ok(size.width > 400 && size.height > 200, `PNG of ${chart.name} is ${size.width}×${size.height}`);
  assert.ok(png.length > 10_000, `PNG of ${chart.name} has content (${png.length} bytes)`);
  return svg;
}

const bench = async (): Promise<BenchRun> => (await loadRun(fixture('bench-fixture'))) as BenchRun;
const chaos = async (): Promise<ChaosRun> => (await loadRun(fixture('chaos-fixture'))) as ChaosRun;

test('text metrics measure with the DejaVu font, not vega\'s 0.8 em estimate', () => {
  const w = textWidthPx({ fontSize: 11 }, 'redis-single');
  assert.ok(Math.abs(w - 63.4) < 1, `width ${w}`);
  assert.ok(textWidthPx({ fontSize: 12, fontWeight: 'bold' }, 'implementation') > textWidthPx({ fontSize: 12 }, 'implementation'));
  assert.equal(textWidthPx({ fontSize: 11, limit: 20 }, 'a long label that is cut'), 20);
});

test('throughput vs clients: a line per lock, one panel per key mode', async () => {
  const b = await bench();
  const svg = await render(throughputChart(throughputRows(b.bench)), ['Throughput vs clients', 'concurrent clients', 'cycles/s', '1 key (contended)', 'key per client', 'redis', 'redlock', 'zookeeper', '16']);
  assert.ok((svg.match(/class="mark-line/g) ?? []).length >= 2, 'line marks in both panels');
});

test('latency percentiles on a nines axis', async () => {
  const b = await bench();
  const fc = focusClients(b.bench) ?? 0;
  assert.equal(fc, 16);
  await render(latencyChart(latencyRows(b.bench, fc), fc), ['Cycle latency percentiles', 'latency (ms)', 'percentile', '50%', '99.9%', 'max', 'zookeeper']);
});

test('effect of injected WAN latency', async () => {
  const b = await bench();
  const w = wanRows(b.bench);
  assert.ok(w);
  await render(wanChart(w), ['Effect of injected WAN latency', 'injected one-way latency per link (ms)', 'cycle latency p50 (ms)', 'cycles/s', 'redlock']);
});

test('fairness: shares per client and the Jain index per lock', async () => {
  const b = await bench();
  const svg = await render(fairnessChart(fairnessCases(b.bench)), ['Fairness under contention', 'share of grants', 'client', 'zookeeper: Jain 1.00', 'redis: Jain 0.73']);
  assert.match(svg, /class="mark-rect/);
  assert.match(svg, /stroke-dasharray="4,3"/, 'the even-share rule');
});

test('chaos timeline: holds per client, the overlaps in red, the fault window as a labelled band', async () => {
  const m = chaosModel(await chaos());
  assert.equal(m.timelines.length, 1);
  const t = m.timelines[0];
  assert.ok(t);
  assert.equal(t.capNote, undefined, 'a tiny run is drawn whole');
  assert.ok(t.holds.some((h) => h.state === 'overlapping hold (violation)'));
  assert.ok(t.overlaps.length >= 1);
  assert.deepEqual(m.faults.map((f) => f.fault), ['client-pause']);
  const svg = await render(timelineChart(m, t), ['Lock ownership timeline — redis under client-pause, key "key-0"', 'time since run start (s)', 'client 0', 'client 1', 'client 2', 'fault: client-pause', 'overlapping hold (violation)', 'possible hold (outcome unknown)']);
  assert.match(svg, /fill="#d62728"/, 'red overlap marks');
  assert.match(svg, /fill="#ffaa26"/, 'the unknown-outcome hold');
});

test('chaos timeline of a long run is capped around the proof of the violation and says so', async () => {
  const run = await chaos();
  // Stretch the fixture: 600 extra short holds by client 1 after the run, so the key exceeds the cap.
  const extra = Array.from({ length: 600 }, (_, i) => {
    const t = 1_020_000 + i * 20;
    return [
      { type: 'invoke' as const, f: 'acquire', process: 1, timeMs: t, key: 'key-0' },
      { type: 'ok' as const, f: 'acquire', process: 1, timeMs: t + 1, key: 'key-0', lease: { owner: `x${i}` } },
      { type: 'invoke' as const, f: 'release', process: 1, timeMs: t + 5, key: 'key-0' },
      { type: 'ok' as const, f: 'release', process: 1, timeMs: t + 6, key: 'key-0' },
    ];
  }).flat();
  const m = chaosModel({ ...run, history: [...run.history, ...extra] });
  const t = m.timelines[0];
  assert.ok(t?.capNote !== undefined, 'capped');
  assert.match(t.capNote, /of 61\d holds, around the smallest window proving the violation/);
  assert.ok(t.witness !== undefined, 'the key has a witness');
  assert.ok(t.fromS <= t.witness.startS && t.toS >= t.witness.endS, `window ${t.fromS}–${t.toS} covers the proof ${t.witness.startS}–${t.witness.endS}`);
  assert.ok(t.fromS <= 2.6 && t.toS > 4.6, `window ${t.fromS}–${t.toS} covers the overlaps`);
  await render(timelineChart(m, t), ['Showing 4', 'around the smallest window', 'proof of violation', 'Dashed box: the smallest window that proves the violation']);
});

test('chaos timeline: moments a fault recorded inside its window are drawn as lines, and clients are named by the side of a split they were on', async () => {
  const run = await chaos();
  const faults = (run.result?.faults ?? []).map((f) => (f.id === 1 ? { ...f, targets: { ...f.targets, moments: [{ atMs: 1_002_000, label: 'rs-3 promoted' }], clientSides: { '0': 'side of rs-1 (old primary)' } } } : f));
  assert.ok(faults.length > 0 && run.result, 'the fixture has an applied fault');
  const m = chaosModel({ ...run, result: { ...run.result, faults } });
  assert.deepEqual(m.faults[0]?.moments.map((x) => x.label), ['rs-3 promoted']);
  assert.equal(m.clientSides['0'], 'side of rs-1 (old primary)');
  const t = m.timelines[0];
  assert.ok(t);
  await render(timelineChart(m, t), ['rs-3 promoted', 'client 0 · side of rs-1 (old primary)', 'Vertical lines: moments inside a fault (rs-3 promoted).']);
  // A fault that recorded none draws none.
  const plain = chaosModel(run);
  assert.deepEqual(plain.faults[0]?.moments, []);
  assert.deepEqual(plain.clientSides, {});
});

test('acquire latency over time with fault bands and outcomes', async () => {
  const m = chaosModel(await chaos());
  await render(acquireLatencyChart(m), ['Acquire latency over time — redis under client-pause', 'acquire latency (ms)', 'time since run start (s)', 'fault window', 'client-pause', 'ok', 'fail (not granted)', 'info (outcome unknown)']);
});

test('matrix heatmap: a cell per lock × fault with verdict, overlaps and lost updates', async () => {
  const run = (await loadRun(fixture('matrix-fixture'))) as MatrixRun;
  assert.equal(run.kind, 'matrix');
  assert.deepEqual(run.scenarios, ['redis-client-pause']);
  const svg = await render(matrixHeatmap(run.matrix.cells, run.matrix.faults, run.matrix.locks), ['Lock × fault verdicts', 'none', 'client-pause', 'clock-skew', 'redis', 'redlock', 'zookeeper', 'INVALID', 'VALID', 'not run', '40 overlaps · 5 lost', 'UNKNOWN ⚠ unexpected']);
  assert.match(svg, /fill="#de2d26"/, 'invalid cells are red');
});
