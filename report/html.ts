// The offline report page: vega, vega-lite and vega-embed inlined from node_modules, every spec
// with its data embedded, tables beside the charts. Nothing is fetched: it must open from a
// file:// URL on a machine without network, and the Vega editor action is off because it would
// post the spec to vega.github.io.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { withConfig } from './render.ts';
import { esc } from './tables.ts';

const require = createRequire(import.meta.url);

let bundles: string | undefined;

/** The three UMD bundles as inline script tags, read once per process. */
function inlineBundles(): string {
  if (bundles !== undefined) return bundles;
  // The packages' exports maps hide build/*.min.js, so resolve the main entry and go to its folder.
  const read = (pkg: string, file: string): string => readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8');
  const parts = [read('vega', 'vega.min.js'), read('vega-lite', 'vega-lite.min.js'), read('vega-embed', 'vega-embed.min.js')];
  for (const p of parts) if (/<\/script/i.test(p)) throw new Error('a vega bundle contains </script> and cannot be inlined');
  bundles = parts.map((p) => `<script>${p}</script>`).join('\n');
  return bundles;
}

/** JSON that cannot close the script element it sits in. */
export const safeJson = (x: unknown): string => JSON.stringify(x).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export interface PageSection {
  readonly heading: string;
  /** Anchor for links from elsewhere on the page (the summary's "see below"). */
  readonly id?: string;
  /** HTML shown under the heading, before the chart. */
  readonly intro?: string;
  /** Chart to embed: its file stem under charts/ and its spec. */
  readonly chart?: { readonly name: string; readonly spec: TopLevelSpec };
  /** HTML shown beside the chart (tables). */
  readonly side?: string;
}

export interface Page {
  readonly title: string;
  /**
   * What the run found, in a few lines (the verdict, or the headline figures with their
   * bottleneck and path): the first thing under the title, before any chart, so a reader who
   * stops there still has the answer.
   */
  readonly summary?: string;
  /** HTML under the summary: what ran, links. */
  readonly intro: string;
  readonly sections: readonly PageSection[];
}

const CSS = `
body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:24px;color:#222;max-width:1800px}
h1{font-size:22px;margin:0 0 8px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.vis{min-width:300px} .side{flex:1 1 380px;min-width:320px;max-width:900px;overflow-x:auto}
table{border-collapse:collapse;font-size:12px;margin:0 0 12px} caption{text-align:left;font-weight:bold;padding:4px 0}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top} th{background:#f4f4f4}
td.valid,span.valid{background:#e5f5e0} td.invalid,span.invalid{background:#fcbba1} td.unknown,span.unknown{background:#fee6c2} td.none{color:#888}
.links{font-size:12px;color:#555} .verdict{font-weight:bold;padding:2px 8px;border-radius:3px}
code{background:#f4f4f4;padding:0 3px}
.summary{background:#f6f8fb;border-left:4px solid #4c78a8;padding:6px 14px;margin:8px 0 16px;max-width:900px;overflow-wrap:anywhere}
.summary p,.summary ul{margin:6px 0} .summary ul{padding-left:20px} .summary li{margin:3px 0}
details.long{margin:0 0 12px} details.long>summary{cursor:pointer;font-size:12px;color:#444;padding:2px 0}
.choose li{margin:0 0 10px} .cites{font-size:12px;color:#555}
@media (max-width:640px){body{margin:10px} h1{font-size:19px} .side,.vis{min-width:0;max-width:100%} .vis{overflow-x:auto}}
`;

export function renderPage(page: Page): string {
  const specs: Record<string, TopLevelSpec> = {};
  const sections = page.sections.map((s) => {
    let vis = '';
    if (s.chart) {
      specs[s.chart.name] = withConfig(s.chart.spec);
      const n = esc(s.chart.name);
      vis = `<div class="vis"><div class="chart" id="chart-${n}" data-chart="${n}"></div><p class="links">static: <a href="charts/${n}.svg">SVG</a> · <a href="charts/${n}.png">PNG</a></p></div>`;
    }
    const side = s.side !== undefined ? `<div class="side">${s.side}</div>` : '';
    return `<section${s.id !== undefined ? ` id="${esc(s.id)}"` : ''}><h2>${esc(s.heading)}</h2>${s.intro ?? ''}<div class="row">${vis}${side}</div></section>`;
  });
  // A page without charts (the evidence table) needs no vega at all.
  const hasCharts = Object.keys(specs).length > 0;
  const script = hasCharts
    ? `<script>
const SPECS = ${safeJson(specs)};
const opts = { mode: 'vega-lite', renderer: 'svg', actions: { export: true, source: true, compiled: false, editor: false } };
Promise.all(Object.entries(SPECS).map(([name, spec]) => vegaEmbed('#chart-' + name, spec, opts)))
  .then(() => { document.body.dataset.rendered = 'ok'; })
  .catch((e) => { document.body.dataset.rendered = 'error'; console.error(e); const p = document.createElement('pre'); p.textContent = String(e); document.body.prepend(p); });
</script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<style>${CSS}</style>
${hasCharts ? inlineBundles() : ''}
</head><body data-rendered="${hasCharts ? 'pending' : 'ok'}">
<h1>${esc(page.title)}</h1>
${page.summary !== undefined ? `<section class="summary" id="summary" aria-label="summary">${page.summary}</section>` : ''}
${page.intro}
${sections.join('\n')}
${script}
</body></html>
`;
}
