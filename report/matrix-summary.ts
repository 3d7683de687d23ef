// The few lines a matrix report opens with: how many scenarios came out invalid, unknown and
// valid, which ones broke mutual exclusion (with their rate when they ran trials), where a result
// disagrees with what the literature expects, and which did not run.
import type { MatrixCell } from '../chaos/matrix.ts';
import { rateText } from '../chaos/trials.ts';
import { lockLabel } from '../locks/labels.ts';
import type { MatrixFile } from './load-run.ts';
import { faultPhrase } from './specs/common.ts';
import { esc } from './tables.ts';

/** Names listed in one line at most; the table below has the rest. */
const MAX_LISTED = 12;

const name = (c: MatrixCell): string => `${lockLabel(c.lock)} ${faultPhrase(c.fault)}${c.trials ? ` (${rateText(c.trials)})` : ''}`;

function listed(cells: readonly MatrixCell[]): string {
  const names = cells.slice(0, MAX_LISTED).map(name);
  return esc(names.join(', ') + (cells.length > MAX_LISTED ? `, and ${cells.length - MAX_LISTED} more` : ''));
}

export function matrixSummary(mx: MatrixFile): string {
  const ran = mx.cells.filter((c) => c.verdict !== 'not run');
  const of = (v: MatrixCell['verdict']): MatrixCell[] => mx.cells.filter((c) => c.verdict === v);
  const invalid = of('invalid');
  const unknown = of('unknown');
  const valid = of('valid');
  const notRun = of('not run');
  const head =
    ran.length === 0
      ? '<p><span class="verdict none">NO SCENARIO RAN</span></p>'
      : `<p><span class="verdict ${invalid.length > 0 ? 'invalid' : unknown.length > 0 ? 'unknown' : 'valid'}">${invalid.length} invalid · ${unknown.length} unknown · ${valid.length} valid</span> of ${ran.length} scenario${ran.length === 1 ? '' : 's'} that ran${notRun.length > 0 ? `, ${notRun.length} not run` : ''}.</p>`;
  const items: string[] = [];
  if (invalid.length > 0) items.push(`<li>Two holders at once: ${listed(invalid)}.</li>`);
  if (unknown.length > 0) items.push(`<li>Overlap possible but not proven: ${listed(unknown)}.</li>`);
  if (valid.length > 0 && (invalid.length > 0 || unknown.length > 0)) items.push(`<li>No overlap found: ${listed(valid)}.</li>`);
  const disagree = mx.cells.filter((c) => c.agrees === false);
  if (disagree.length > 0) items.push(`<li><span class="verdict unknown">⚠ not what is expected</span>: ${listed(disagree)}.</li>`);
  const dead = mx.cells.filter((c) => c.livenessOk === false);
  if (dead.length > 0) items.push(`<li>Liveness failed (some client could not acquire after the heal): ${listed(dead)}.</li>`);
  if (notRun.length > 0) items.push(`<li>Did not run: ${listed(notRun)} (why: in the last table).</li>`);
  return head + (items.length > 0 ? `<ul>${items.join('')}</ul>` : '');
}
