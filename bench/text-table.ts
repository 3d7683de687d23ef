// Plain text tables for a terminal: the one layout bench/table.ts and its sections print with.

export type TextCell = string | number | null | undefined;

/** Left-aligns the first column, right-aligns the rest. */
export function renderTable(header: readonly string[], rows: readonly (readonly TextCell[])[]): string {
  const text = (c: TextCell): string => (c === null || c === undefined ? '-' : typeof c === 'number' ? fmtNumber(c) : c);
  const cells = [header, ...rows.map((r) => r.map(text))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (Number.isInteger(x) && Math.abs(x) >= 1000) return x.toLocaleString('en-US');
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3);
}
