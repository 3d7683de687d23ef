// The few lines a chaos run's report opens with: the verdict and what it rests on (overlaps in
// the resource's and the clients' views, lost updates), whether it is what the literature
// expects, whether the faults took hold and every client could acquire again afterwards, and why
// a run is incomplete. Every figure comes from results.json or the re-run checkers.
import type { CheckerResult } from '../checkers/verdict.ts';
import { crashText } from '../chaos/result.ts';
import { agreement } from '../chaos/summary.ts';
import type { ChaosModel } from './chaos-data.ts';
import type { ChaosRun } from './load-run.ts';
import { faultPhrase } from './specs/common.ts';
import { esc, ms } from './tables.ts';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The overlap and lost-update figures behind the verdict, in one sentence. */
function groundsOf(m: ChaosModel): string {
  const ov = m.check.checkers.overlap;
  const lost = m.check.checkers['lost-updates'];
  const lostText = 'lost' in lost ? plural(lost.lost, 'lost update') : 'lost updates unknown (no audit log to count them)';
  if (!('views' in ov)) return `the overlap checker could not decide (${ov.summary}); ${lostText}`;
  const { resource, believed, cut } = ov.views;
  const definite = resource.definitePairs + believed.definitePairs + cut.definitePairs;
  const possible = resource.possiblePairs + believed.possiblePairs + cut.possiblePairs;
  if (m.verdict === 'invalid') {
    const longest = Math.max(resource.maxOverlapMs, believed.maxOverlapMs, cut.maxOverlapMs);
    return `two clients held one key at once: ${plural(resource.definitePairs, 'overlapping pair')} the resource saw, ${believed.definitePairs} in what clients believed, longest ${ms(longest, 1)}; ${lostText}`;
  }
  if (m.verdict === 'unknown') {
    return possible > 0 && definite === 0
      ? `an overlap was possible but not proven: ${plural(possible, 'pair')} needing an acquire of unknown outcome to have been granted; ${lostText}`
      : `a checker could not decide; ${lostText}`;
  }
  return `no two holders at once in any view${possible > 0 ? ` (${plural(possible, 'possible pair')} needing an unknown acquire, for information)` : ''}; ${lostText}`;
}

export function chaosSummary(run: ChaosRun, m: ChaosModel): string {
  const r = run.result;
  const items: string[] = [`<li>${esc(groundsOf(m))}.</li>`];
  const failing = (Object.entries(m.check.checkers) as [string, CheckerResult][]).filter(([, c]) => c.verdict !== 'valid');
  if (failing.length > 0) items.push(`<li>Checkers not valid: ${failing.map(([n, c]) => `<b>${esc(n)}</b> ${esc(c.verdict)} (${esc(c.summary)})`).join('; ')}.</li>`);
  if (r) {
    const a = agreement(r);
    if (a.agrees === true) items.push(`<li>As expected for this lock: ${esc(a.expected)}.</li>`);
    else if (a.agrees === false) items.push(`<li><span class="verdict unknown">⚠ not what is expected</span>: expected ${esc(a.expected)}${a.why ? ` (${esc(a.why)})` : ''}.</li>`);
    const applied = r.faults.filter((f) => !f.construction);
    if (applied.length > 0) {
      const unhealed = applied.filter((f) => f.healedMs === undefined).length;
      const struck = applied.filter((f) => f.metHolder !== undefined);
      const met = struck.filter((f) => f.metHolder === true).length;
      items.push(`<li>${plural(applied.length, 'fault')} applied${struck.length > 0 ? `, ${met} of ${struck.length} while a client held a lock` : ''}; ${unhealed === 0 ? 'every one healed' : `<b>${unhealed} not healed</b>`}.</li>`);
    }
    if (r.liveness) {
      const failed = r.liveness.filter((l) => !l.ok);
      items.push(failed.length === 0 ? `<li>After the heal every client acquired again (${plural(r.liveness.length, 'client')}).</li>` : `<li><span class="verdict invalid">liveness failed</span> for client${failed.length === 1 ? '' : 's'} ${esc(failed.map((l) => String(l.clientId)).join(', '))}.</li>`);
    }
    const crashes = r.clientCrashes ?? [];
    if (crashes.length > 0) items.push(`<li>${plural(crashes.length, 'lock client process')} died on ${crashes.length === 1 ? 'its' : 'their'} own: ${esc(crashes.map((c) => `client ${c.clientId} (${crashText(c)})`).join(', '))}.</li>`);
    if (r.aborted) items.push(`<li><b>Stopped early:</b> ${esc(r.aborted)}; the verdict covers what ran.</li>`);
  } else items.push('<li><b>This run has no results.json</b>: it was stopped before the end, and this verdict comes from re-running the checkers on what it recorded.</li>');
  return `<p><span class="verdict ${esc(m.verdict)}">${esc(m.verdict.toUpperCase())}</span> ${esc(m.lock)} ${esc(faultPhrase(m.fault))}:</p><ul>${items.join('')}</ul>`;
}
