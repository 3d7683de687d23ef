// Text widths for headless Vega from the same DejaVu TTFs resvg rasterises with. Without a canvas,
// vega estimates 0.8 em per character, which pads axes and legends and truncates labels early;
// measuring with the real font keeps layout and pixels in agreement on every machine.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';
import * as vega from 'vega';

const require = createRequire(import.meta.url);
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** The family name vega writes into SVG text and resvg resolves against FONT_FILES. */
export const FONT_FAMILY = 'DejaVu Sans';
export const FONT_FILES: readonly string[] = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(FONT_DIR, f));

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}
type WidthFn = (item: TextItem, text: unknown) => number;

let fonts: { regular: fontkit.Font; bold: fontkit.Font } | undefined;
const emCache = new Map<string, number>();

function loadFonts(): { regular: fontkit.Font; bold: fontkit.Font } {
  if (fonts) return fonts;
  const [regularPath, boldPath] = FONT_FILES;
  if (regularPath === undefined || boldPath === undefined) throw new Error('DejaVu font files missing');
  fonts = { regular: fontkit.openSync(regularPath) as fontkit.Font, bold: fontkit.openSync(boldPath) as fontkit.Font };
  return fonts;
}

/** Width of `text` in em units of the regular or bold face. */
function emWidth(bold: boolean, text: string): number {
  const key = (bold ? 'b|' : 'r|') + text;
  let w = emCache.get(key);
  if (w === undefined) {
    const f = loadFonts();
    const face = bold ? f.bold : f.regular;
    w = face.layout(text).advanceWidth / face.unitsPerEm;
    emCache.set(key, w);
  }
  return w;
}

/** Measures a vega text item's width in px, as the canvas measurer would. */
export function textWidthPx(item: TextItem, text: unknown): number {
  const s = text === null || text === undefined ? '' : (typeof text === 'string' ? text : JSON.stringify(text)).trim();
  const sizePx = item.fontSize ?? 11;
  if (s === '' || sizePx <= 0) return 0;
  const fw = item.fontWeight;
  const bold = fw === 'bold' || fw === 'bolder' || Number(fw ?? 400) >= 600;
  const w = emWidth(bold, s) * sizePx;
  // Respecting the limit keeps vega's label truncation loop terminating at the right length.
  return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
}

let installed = false;

/** Replaces vega's width estimate with real font metrics; idempotent. */
export function installTextMetrics(): void {
  if (installed) return;
  // vega exports textMetrics at runtime, but its typings do not declare it.
  const tm = (vega as unknown as { textMetrics: { width: WidthFn } }).textMetrics;
  tm.width = textWidthPx;
  installed = true;
}
