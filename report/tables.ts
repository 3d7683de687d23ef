// Small table builders shared by the HTML report and evidence.md: one row model, two renderings,
// so a figure in the page and in the markdown never differ.
export interface Cell {
  readonly text: string;
  /** Relative link target, if the cell links somewhere. */
  readonly href?: string;
  /** Extra CSS class in HTML (e.g. a verdict colour). */
  readonly cls?: string;
  /** Hover text in HTML. */
  readonly title?: string;
}

export type CellLike = Cell | string | number | null | undefined;

export interface Table {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly CellLike[])[];
  readonly caption?: string;
  /**
   * A long table (more than LONG_TABLE_ROWS rows) sits in a <details> so it does not push the
   * rest of the page away: closed by default, open where the table is what the page is for.
   */
  readonly collapse?: 'open' | 'closed';
}

/** Above this many rows an HTML table can be folded away. */
export const LONG_TABLE_ROWS = 10;

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function cell(c: CellLike): Cell {
  if (c === null || c === undefined) return { text: '–' };
  if (typeof c === 'string') return { text: c };
  if (typeof c === 'number') return { text: Number.isInteger(c) ? String(c) : c.toFixed(2) };
  return c;
}

export function tableHtml(t: Table): string {
  const head = `<tr>${t.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map((r) => {
      const tds = r.map((raw) => {
        const c = cell(raw);
        const inner = c.href !== undefined ? `<a href="${esc(c.href)}">${esc(c.text)}</a>` : esc(c.text);
        return `<td${c.cls !== undefined ? ` class="${esc(c.cls)}"` : ''}${c.title !== undefined ? ` title="${esc(c.title)}"` : ''}>${inner}</td>`;
      });
      return `<tr>${tds.join('')}</tr>`;
    })
    .join('\n');
  const table = `<table>${t.caption !== undefined ? `<caption>${esc(t.caption)}</caption>` : ''}<thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
  if (t.rows.length <= LONG_TABLE_ROWS) return table;
  // <details> needs no script, so the page stays self-contained and works from file://.
  const label = `${t.caption ?? 'the table'}, ${t.rows.length} rows`;
  return `<details class="long"${t.collapse === 'open' ? ' open' : ''}><summary>${esc(label)}</summary>${table}</details>`;
}

const mdText = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function tableMarkdown(t: Table): string {
  const lines = [`| ${t.headers.map(mdText).join(' | ')} |`, `|${t.headers.map(() => '---').join('|')}|`];
  for (const r of t.rows) {
    lines.push(
      `| ${r
        .map((raw) => {
          const c = cell(raw);
          return c.href !== undefined ? `[${mdText(c.text)}](${encodeURI(c.href)})` : mdText(c.text);
        })
        .join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export const ms = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(digits)} ms`);
export const pct = (x: number | null | undefined, digits = 0): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`);
export const int = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : Math.round(x).toLocaleString('en-US'));
