// The "which one should you use?" lines as the evidence report shows them, in markdown and HTML:
// each claim, the figures behind it, and the cells it cites with their values and links; then
// what was left out for want of evidence. And the short version the HTML page opens with.
import { lockLabel } from '../locks/labels.ts';
import type { Cited } from './choice-evidence.ts';
import type { Choices } from './choose-which.ts';
import { esc } from './tables.ts';

export const CHOOSE_HEADING = 'Which one should you use?';

const CHOOSE_INTRO =
  'Each line is computed from the evidence cells it cites (listed under it, with their values and links to the runs); a line the stored runs do not support is left out, and the note at the end says why.';

const mdText = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/([[\]*_`])/g, '\\$1');
const citeLabel = (c: Cited): string => `${c.row} · ${lockLabel(c.lock)}`;

function citeMarkdown(c: Cited): string {
  const value = c.cell.href !== undefined ? `[${mdText(c.cell.text)}](${encodeURI(c.cell.href)})` : mdText(c.cell.text);
  return `${mdText(citeLabel(c))}: ${value}`;
}

function citeHtml(c: Cited): string {
  const value = c.cell.href !== undefined ? `<a href="${esc(c.cell.href)}">${esc(c.cell.text)}</a>` : esc(c.cell.text);
  return `<li>${esc(citeLabel(c))}: <span${c.cell.cls !== undefined ? ` class="${esc(c.cell.cls)}"` : ''}>${value}</span></li>`;
}

/** The same cell cited twice by one line (a lock's crash cell as safety and as cost) is listed once. */
function distinct(cites: readonly Cited[]): Cited[] {
  const seen = new Set<string>();
  return cites.filter((c) => {
    const k = `${c.row}\u0000${c.lock}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const leftOutText = (c: Choices): string => c.leftOut.map((l) => `${l.topic}: ${l.why}`).join('; ');

export function choicesMarkdown(c: Choices): string {
  const lines = [`## ${CHOOSE_HEADING}`, '', CHOOSE_INTRO, ''];
  if (c.lines.length === 0) lines.push('The stored runs support no line yet.');
  for (const l of c.lines) {
    lines.push(`- **${mdText(l.claim)}**: ${mdText(l.because)}.`);
    for (const cite of distinct(l.cites)) lines.push(`  - ${citeMarkdown(cite)}`);
  }
  if (c.leftOut.length > 0) lines.push('', `Left out for want of evidence: ${mdText(leftOutText(c))}.`);
  return lines.join('\n');
}

export function choicesHtml(c: Choices): string {
  const items = c.lines.map((l) => `<li><b>${esc(l.claim)}</b>: ${esc(l.because)}.<ul class="cites">${distinct(l.cites).map(citeHtml).join('')}</ul></li>`);
  return [
    `<p>${esc(CHOOSE_INTRO)}</p>`,
    items.length > 0 ? `<ul class="choose">${items.join('')}</ul>` : '<p>The stored runs support no line yet.</p>',
    c.leftOut.length > 0 ? `<p class="links">Left out for want of evidence: ${esc(leftOutText(c))}.</p>` : '',
  ].join('');
}

/** The claims alone, for the top of the page; the figures and cells are in the section at the end. */
export function choicesSummaryHtml(c: Choices, runsLine: string): string {
  const claims = c.lines.map((l) => `<li>${esc(l.claim)}.</li>`).join('');
  return `<p>${esc(runsLine)}</p>${claims.length > 0 ? `<p>What the stored runs support (each with its evidence under <a href="#choose">${esc(CHOOSE_HEADING.toLowerCase())}</a>):</p><ul>${claims}</ul>` : `<p>The stored runs support no recommendation yet (see <a href="#choose">${esc(CHOOSE_HEADING.toLowerCase())}</a>).</p>`}`;
}
