// Vega-Lite spec → SVG (vega, no browser) → PNG (resvg with the bundled DejaVu font), so a chart
// looks the same on every machine and nothing at render time needs a display or the network.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY, FONT_FILES, installTextMetrics } from './text-metrics.ts';

export const baseConfig: Config = {
  // Verdana shares DejaVu's (Vera) metrics, for a browser that lacks DejaVu.
  font: `${FONT_FAMILY}, Verdana, sans-serif`,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555', offset: 10 },
};

/** The spec as rendered everywhere: the shared config under the spec's own. */
export function withConfig(spec: TopLevelSpec): TopLevelSpec {
  return { ...spec, config: { ...baseConfig, ...spec.config } };
}

export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  installTextMetrics();
  const { spec: vgSpec } = compile(withConfig(spec));
  // Error level: interval selections bound to scales warn that `window` is missing in Node.
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG at `scale`× the SVG's size; fonts come only from the bundled files, never the system. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: [...FONT_FILES], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return r.render().asPng();
}

export interface RenderedChart {
  readonly name: string;
  readonly svgPath: string;
  readonly pngPath: string;
}

/** Renders one spec to <dir>/<name>.svg and <name>.png. */
export async function renderChart(spec: TopLevelSpec, dir: string, name: string): Promise<RenderedChart> {
  const svg = await specToSvg(spec);
  const svgPath = join(dir, `${name}.svg`);
  const pngPath = join(dir, `${name}.png`);
  await writeFile(svgPath, svg);
  await writeFile(pngPath, svgToPng(svg));
  return { name, svgPath, pngPath };
}
