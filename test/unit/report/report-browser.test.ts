// report.html in a real browser: headless Chromium (Debian's `chromium` package) opens it from
// file:// and must make no network request, log no error, and draw every chart. A missing
// browser fails the test with how to install it, never a silent skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderRunReport } from '../../../report/index.ts';
import { CHROMIUM_CANDIDATES, chromiumVersion, findChromium, loadPage } from './chromium.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/report/', import.meta.url));

interface Drawn {
  readonly rendered: string | undefined;
  readonly charts: readonly { readonly id: string; readonly svg: boolean; readonly marks: number; readonly texts: number }[];
}

const DRAWN = `(() => ({
  rendered: document.body.dataset.rendered,
  charts: [...document.querySelectorAll('.chart')].map((d) => ({
    id: d.id,
    svg: d.querySelector('svg.marks') !== null,
    marks: d.querySelectorAll('svg.marks path, svg.marks rect, svg.marks line').length,
    texts: d.querySelectorAll('svg.marks text').length,
  })),
}))()`;

function browser(): string {
  const bin = findChromium();
  assert.ok(bin, `headless Chromium is needed for this test and was not found (looked for ${CHROMIUM_CANDIDATES.join(', ')}, or CHROMIUM_PATH). Install it: apt-get install -y chromium`);
  return bin;
}

for (const [fixture, folder, expected] of [
  ['bench-fixture', 'bench-20261126-120000Z-f1x7', ['bench-throughput', 'bench-latency', 'bench-wan', 'bench-fairness']],
  ['bench-measured-fixture', 'bench-20261201-120000Z-m3as', ['bench-throughput', 'bench-latency', 'bench-wan', 'bench-fairness', 'bench-scale-held', 'bench-scale-waiters', 'bench-scale-cluster-size']],
  ['chaos-fixture', 'chaos-redis-client-pause-20261126-120000Z-fx01', ['chaos-timeline-key-0', 'chaos-acquire-latency']],
  ['matrix-fixture', 'matrix-20261126-120500Z-fx02', ['matrix-heatmap']],
] as const) {
  test(`${fixture}: report.html loads from file:// with no network request and no error, and draws its charts`, { timeout: 120_000 }, async () => {
    const bin = browser();
    const dir = mkdtempSync(join(tmpdir(), 'lockbench-browser-'));
    try {
      const runDir = join(dir, folder);
      cpSync(join(FIXTURES, fixture), runDir, { recursive: true });
      const { html } = await renderRunReport(runDir);
      const url = pathToFileURL(html).href;
      const page = await loadPage(bin, url, "document.body.dataset.rendered !== 'pending'", DRAWN, 60_000);
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
