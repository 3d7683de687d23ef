// report.html in a real browser: headless Chromium (Debian's `chromium` package) opens it from
// file:// and must make no network request, log no error, and draw every chart; at a desktop
// width and at a phone's (390 px), the summary of what the run found must come before the first
// chart and within the first screen, nothing may push the page sideways, and every long table
// must sit in a <details>. The evidence page too. A missing browser fails the test with how to
// install it, never a silent skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderEvidence, renderRunReport } from '../../../report/index.ts';
import { LONG_TABLE_ROWS } from '../../../report/tables.ts';
import { CHROMIUM_CANDIDATES, chromiumVersion, findChromium, loadPage, PHONE, type Viewport } from './chromium.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/report/', import.meta.url));

interface Drawn {
  readonly rendered: string | undefined;
  readonly charts: readonly { readonly id: string; readonly svg: boolean; readonly marks: number; readonly texts: number }[];
  readonly layout: {
    readonly innerWidth: number;
    readonly innerHeight: number;
    /** The page's full width; wider than the window means it scrolls sideways. */
    readonly scrollWidth: number;
    readonly summary: { readonly top: number; readonly scrollWidth: number; readonly clientWidth: number; readonly right: number; readonly text: string } | null;
    /** Top of the first chart, or of the first section when the page has no chart. */
    readonly firstContentTop: number | null;
    readonly longTables: number;
    readonly longTablesFolded: number;
    readonly lastSectionId: string | null;
  };
}

// Positions are taken at scroll 0, so a rect's top is its place on the page.
const DRAWN = `(() => ({
  rendered: document.body.dataset.rendered,
  charts: [...document.querySelectorAll('.chart')].map((d) => ({
    id: d.id,
    svg: d.querySelector('svg.marks') !== null,
    marks: d.querySelectorAll('svg.marks path, svg.marks rect, svg.marks line').length,
    texts: d.querySelectorAll('svg.marks text').length,
  })),
  layout: (() => {
    const s = document.querySelector('#summary');
    const first = document.querySelector('.chart') ?? document.querySelector('section:not(.summary)');
    const long = [...document.querySelectorAll('table')].filter((t) => (t.tBodies[0]?.rows.length ?? 0) > ${LONG_TABLE_ROWS});
    const sections = [...document.querySelectorAll('body > section')];
    return {
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
      scrollWidth: document.documentElement.scrollWidth,
      summary: s === null ? null : { top: s.getBoundingClientRect().top, right: s.getBoundingClientRect().right, scrollWidth: s.scrollWidth, clientWidth: s.clientWidth, text: s.textContent ?? '' },
      firstContentTop: first === null ? null : first.getBoundingClientRect().top,
      longTables: long.length,
      longTablesFolded: long.filter((t) => t.closest('details') !== null).length,
      lastSectionId: sections.at(-1)?.id || null,
    };
  })(),
}))()`;

/** What every page must do at any width: answer first, fit the screen, fold long tables. */
function assertLayout(drawn: Drawn, where: string, summaryWords: RegExp, viewport: Viewport | undefined): void {
  const l = drawn.layout;
  // A phone browser widens its layout viewport to fit content that overflows, so the screen's
  // own width is the measure, not innerWidth.
  const width = viewport?.width ?? l.innerWidth;
  assert.ok(l.summary, `${where}: a summary (#summary)`);
  assert.match(l.summary.text, summaryWords, `${where}: what the summary says`);
  assert.ok(l.firstContentTop !== null && l.summary.top < l.firstContentTop, `${where}: the summary (top ${l.summary.top}) comes before the first chart or section (top ${l.firstContentTop})`);
  assert.ok(l.summary.top < l.innerHeight, `${where}: the summary starts on the first screen (top ${l.summary.top} of ${l.innerHeight})`);
  assert.ok(l.summary.scrollWidth <= l.summary.clientWidth && l.summary.right <= width, `${where}: the summary fits the width (${l.summary.scrollWidth} in ${l.summary.clientWidth}, right edge ${l.summary.right} of ${width})`);
  assert.ok(l.scrollWidth <= width, `${where}: the page does not scroll sideways (${l.scrollWidth} px wide on a ${width} px screen)`);
  assert.equal(l.innerWidth, width, `${where}: laid out at the screen's width`);
  assert.equal(l.longTablesFolded, l.longTables, `${where}: every table of more than ${LONG_TABLE_ROWS} rows is collapsible`);
}

const VIEWPORTS: readonly (readonly [string, Viewport | undefined])[] = [
  ['desktop', undefined],
  ['phone 390×844', PHONE],
];

function browser(): string {
  const bin = findChromium();
  assert.ok(bin, `headless Chromium is needed for this test and was not found (looked for ${CHROMIUM_CANDIDATES.join(', ')}, or CHROMIUM_PATH). Install it: apt-get install -y chromium`);
  return bin;
}

for (const [fixture, folder, expected, summaryWords] of [
  ['bench-fixture', 'bench-20261126-120000Z-f1x7', ['bench-throughput', 'bench-latency', 'bench-wan', 'bench-fairness'], /Throughput, 16 clients, a key per client.*best redis/],
  ['bench-measured-fixture', 'bench-20261201-120000Z-m3as', ['bench-throughput', 'bench-latency', 'bench-wan', 'bench-fairness', 'bench-scale-held', 'bench-scale-waiters', 'bench-scale-cluster-size'], /best redis 8,889 cycles\/s — bottleneck machine .*; direct links/],
  ['chaos-fixture', 'chaos-redis-client-pause-20261126-120000Z-fx01', ['chaos-timeline-key-0', 'chaos-acquire-latency'], /^INVALID redis under client-pause/],
  ['matrix-fixture', 'matrix-20261126-120500Z-fx02', ['matrix-heatmap'], /invalid · \d+ unknown · \d+ valid/],
] as const) {
  for (const [screen, viewport] of VIEWPORTS)
  test(`${fixture} (${screen}): report.html loads from file:// with no network request and no error, draws its charts, and answers first`, { timeout: 120_000 }, async () => {
    const bin = browser();
    const dir = mkdtempSync(join(tmpdir(), 'lockbench-browser-'));
    try {
      const runDir = join(dir, folder);
      cpSync(join(FIXTURES, fixture), runDir, { recursive: true });
      const { html } = await renderRunReport(runDir);
      const url = pathToFileURL(html).href;
      const page = await loadPage(bin, url, "document.body.dataset.rendered !== 'pending'", DRAWN, 60_000, viewport);
      const foreign = page.requests.filter((r) => !r.startsWith('file:') && !r.startsWith('data:'));
      assert.deepEqual(foreign, [], `requests other than file:// and data: (${chromiumVersion(bin)})`);
      assert.ok(page.requests.includes(url), `the page itself was requested: ${page.requests.join(', ')}`);
      assert.deepEqual(page.errors, [], 'console errors');
      const drawn = page.result as Drawn;
      assert.equal(drawn.rendered, 'ok', 'every vegaEmbed call resolved');
      assert.deepEqual(drawn.charts.map((c) => c.id).sort(), expected.map((e) => `chart-${e}`).sort());
      for (const c of drawn.charts) {
        assert.ok(c.svg, `${c.id} has an svg`);
        assert.ok(c.marks > 10 && c.texts > 5, `${c.id} has marks (${c.marks}) and text (${c.texts})`);
      }
      assertLayout(drawn, `${fixture}, ${screen}`, summaryWords, viewport);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const [screen, viewport] of VIEWPORTS) {
  test(`evidence.html (${screen}): offline, the claims first, the comparison, and "which one should you use?" last`, { timeout: 120_000 }, async () => {
    const bin = browser();
    const dir = mkdtempSync(join(tmpdir(), 'lockbench-browser-'));
    try {
      cpSync(join(FIXTURES, 'bench-fixture'), join(dir, 'bench-20261126-120000Z-f1x7'), { recursive: true });
      cpSync(join(FIXTURES, 'chaos-fixture'), join(dir, 'chaos-redis-client-pause-20261126-120000Z-fx01'), { recursive: true });
      cpSync(join(FIXTURES, 'matrix-fixture'), join(dir, 'matrix-20261126-120500Z-fx02'), { recursive: true });
      const { html } = await renderEvidence(dir);
      const url = pathToFileURL(html).href;
      const page = await loadPage(bin, url, "document.readyState === 'complete'", DRAWN, 60_000, viewport);
      assert.deepEqual(page.requests.filter((r) => !r.startsWith('file:') && !r.startsWith('data:')), [], 'no request but file:// and data:');
      assert.deepEqual(page.errors, [], 'console errors');
      const drawn = page.result as Drawn;
      assertLayout(drawn, `evidence, ${screen}`, /^From the bench run bench-20261126-120000Z-f1x7 and 2 chaos runs/, viewport);
      assert.equal(drawn.layout.lastSectionId, 'choose', 'the page ends with "which one should you use?"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
