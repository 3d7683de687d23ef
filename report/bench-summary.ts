// The few lines a bench report opens with: the headline figures (throughput with a key per
// client, on one hot key, and uncontended latency) for the fastest and the slowest lock, each
// with the bottleneck and path its case recorded, since a figure whose bottleneck is the machine
// says more about the machine than about the lock; then whether any case overlapped.
import type { BenchResult, CaseResult } from '../bench/results.ts';
import { lockLabel } from '../locks/labels.ts';
import { focusClients } from './specs/bench-latency.ts';
import { esc, int, ms } from './tables.ts';

/** "bottleneck machine (host 2% idle); direct links", or what the case did not record. */
export function limitText(c: Pick<CaseResult, 'bottleneck' | 'path'>): string {
  const b = c.bottleneck;
  const bottleneck = b ? `bottleneck ${b.kind}${b.detail ? ` (${b.detail})` : ''}` : 'bottleneck not recorded';
  return `${bottleneck}; ${c.path !== undefined ? `${c.path} links` : 'path not recorded'}`;
}

const measured = (c: CaseResult): boolean => c.status === 'ok' && c.cycles > 0;

/** The sweep cases of one shape that measured something, best first by `better`. */
function ranked(b: BenchResult, clients: number, keys: string, better: (a: CaseResult, c: CaseResult) => number): CaseResult[] {
  return b.cases.filter((c) => c.kind === 'sweep' && c.clients === clients && c.keys === keys && c.latencyMs === 0 && measured(c)).sort(better);
}

const figure = (c: CaseResult, value: string): string => `<b>${esc(lockLabel(c.lock))}</b> ${esc(value)} — ${esc(limitText(c))}`;

/** "fastest X …; slowest Y …, N× less", or the only lock's figure. */
function bestAndWorst(what: string, cases: readonly CaseResult[], value: (c: CaseResult) => string, ratio: (best: CaseResult, worst: CaseResult) => number): string | undefined {
  const best = cases[0];
  const worst = cases.at(-1);
  if (!best || !worst) return undefined;
  if (best === worst) return `<li>${esc(what)}: ${figure(best, value(best))}.</li>`;
  const r = ratio(best, worst);
  // Within 10% the order is noise on a shared machine, and saying "1.0× apart" would hide that.
  const times = !Number.isFinite(r) || r <= 0 ? '' : r < 1.1 ? ' (within 10% of each other)' : ` (${r >= 10 ? r.toFixed(0) : r.toFixed(1)}× apart)`;
  return `<li>${esc(what)}${times}: best ${figure(best, value(best))}; worst ${figure(worst, value(worst))}.</li>`;
}

export function benchSummary(b: BenchResult): string {
  const items: string[] = [];
  const fc = focusClients(b);
  const perSec = (c: CaseResult): string => `${int(c.cyclesPerSec)} cycles/s`;
  const byRate = (a: CaseResult, c: CaseResult): number => c.cyclesPerSec - a.cyclesPerSec;
  if (fc !== undefined) {
    const many = bestAndWorst(`Throughput, ${fc} clients, a key per client`, ranked(b, fc, 'many', byRate), perSec, (x, y) => x.cyclesPerSec / y.cyclesPerSec);
    if (many) items.push(many);
    const hot = bestAndWorst(`Throughput, ${fc} clients on one key`, ranked(b, fc, '1', byRate), perSec, (x, y) => x.cyclesPerSec / y.cyclesPerSec);
    if (hot) items.push(hot);
  }
  const sweepClients = b.cases.filter((c) => c.kind === 'sweep').map((c) => c.clients);
  if (sweepClients.length > 0) {
    const one = Math.min(...sweepClients);
    const p50 = (c: CaseResult): number => c.latency.cycle?.p50 ?? Number.POSITIVE_INFINITY;
    const alone = ranked(b, one, 'many', (a, c) => p50(a) - p50(c)).filter((c) => Number.isFinite(p50(c)));
    const lat = bestAndWorst(`Cycle latency p50, ${one} client${one === 1 ? '' : 's'}, no contention`, alone, (c) => ms(c.latency.cycle?.p50, 3), (x, y) => p50(y) / p50(x));
    if (lat) items.push(lat);
  }
  if (items.length === 0) items.push('<li>No lock case measured a cycle, so there is no headline figure.</li>');

  const checked = b.cases.filter((c) => c.overlap);
  if (b.violations.length > 0) items.push(`<li><span class="verdict invalid">mutual exclusion violated</span> in ${b.violations.length} case${b.violations.length === 1 ? '' : 's'}: ${esc(b.violations.join(', '))}.</li>`);
  else if (checked.length > 0) items.push(`<li><span class="verdict valid">no overlapping holders</span> in any of the ${checked.length} cases checked.</li>`);
  const failed = b.cases.filter((c) => c.status !== 'ok');
  if (failed.length > 0) items.push(`<li>${failed.length} of ${b.cases.length} cases did not finish (${esc(failed.slice(0, 3).map((c) => `${c.id}: ${c.status}`).join(', '))}${failed.length > 3 ? ', …' : ''}).</li>`);
  if (b.interrupted) items.push('<li><b>The run was interrupted</b>: the figures cover the cases that ran.</li>');
  const cap = b.options['maxRatePerSec'];
  if (typeof cap === 'number' && cap > 0) items.push(`<li>Paced at most ${int(cap)} cycles/s (<code>--max-rate</code>): a throughput near that figure measured the cap, not the lock.</li>`);
  const profile = b.durability ? `durability profile ${esc(b.durability)}` : 'durability profile not recorded';
  return `<p><b>What this run found</b> (${b.cases.length} cases, ${profile}; figures belong to this machine, compare locks within the run):</p><ul>${items.join('')}</ul>`;
}
