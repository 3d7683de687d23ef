// summary.md: one page a person reads after a chaos run — what ran, what broke, the overlapping
// pairs with the faults active at the time, and whether this agrees with what is known.
import { usageLine } from '../core/process-usage.ts';
import { skippedLinesNote, verdictLabel, witnessesOf } from '../checkers/check-run.ts';
import type { CheckerResult } from '../checkers/verdict.ts';
import type { OverlapPair } from '../checkers/overlap.ts';
import { lockLabel } from '../locks/labels.ts';
import { expectationFor } from './expectations.ts';
import { renderRecoverySection } from './recovery.ts';
import { crashText, type ChaosResult } from './result.ts';

const s = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

export function agreement(r: Pick<ChaosResult, 'options' | 'check'>): { expected: string; agrees: boolean | undefined; why: string } {
  const e = expectationFor(r.options);
  if (!e) return { expected: 'no firm expectation', agrees: undefined, why: '' };
  const ov = r.check.checkers.overlap;
  const lost = r.check.checkers['lost-updates'];
  const resourcePairs = 'views' in ov ? ov.views.resource.definitePairs : 0;
  const overlapSeen = resourcePairs > 0;
  let agrees = overlapSeen === e.overlap;
  if (e.noLostUpdates !== undefined && 'lost' in lost) agrees &&= (lost.lost === 0) === e.noLostUpdates;
  const expected = `${e.overlap ? 'overlapping holders at the resource' : 'no overlap at the resource'}${e.noLostUpdates ? ', and no lost update (fencing rejects stale writes)' : ''}`;
  return { expected, agrees, why: e.why };
}

function pairLine(p: OverlapPair, t0: number): string {
  const faults = p.faults.map((f) => f.fault).join(', ') || 'none';
  return `| ${p.view} | ${p.key} | ${p.a.process} & ${p.b.process} | ${s(p.fromMs - t0)} | ${p.overlapMs.toFixed(1)} ms | ${p.definite ? 'definite' : 'possible'} | ${faults} |`;
}

/** How to read a verdict; stated in every summary.md, and in results/README.md. */
export const VERDICT_SEMANTICS = [
  '**How the verdict is decided.** An op whose outcome is unknown (`info`: a timeout, a lost connection) may or may not have taken effect.',
  'The run is *valid* if some choice of outcomes for the unknown ops gives a history in which no two clients hold a key at once (a grant lasts until its release or its lease ends),',
  '*invalid* if no choice does, and *unknown* only when the evidence cannot decide (a checker could not run, no audit log, tokens that are not numbers, fencing not recorded).',
  'An unknown acquire counts as granted only where the evidence proves it: its client released the key with `ok`, or entered the critical section at the resource.',
  'Overlaps that need an unknown acquire to have been granted are listed as *possible*, for information. The resource view needs no such choice: the audit log records what happened, in file order.',
].join(' ');

export function renderChaosSummary(r: ChaosResult): string {
  const o = r.options;
  const t0 = r.phases['warm-up']?.startMs ?? r.faults[0]?.startedMs ?? 0;
  const lines: string[] = [];
  lines.push(`# ${lockLabel(o.lock)}${o.modulePath ? ` (${o.modulePath})` : ''} under ${o.fault}: ${verdictLabel(r.check)}`, '');
  lines.push(`Run \`${r.runId}\`, seed ${o.seed}, ${o.clients} clients on ${o.keys} key(s), TTL ${o.ttlMs} ms, hold ${o.holdMs} ms, fencing ${o.fencing ? 'on' : 'off'}, lease check ${o.checkLease ? 'on' : 'off'}, fault phase ${o.durationMs / 1000} s, wall time ${(r.wallMs / 1000).toFixed(1)} s.`, '');
  if (r.aborted) lines.push(`**The run stopped early: ${r.aborted}.** What was recorded up to then was checked.`, '');
  const skipped = skippedLinesNote(r.check.run.skippedLines);
  if (skipped !== undefined) lines.push(`**Note:** ${skipped}.`, '');

  const a = agreement(r);
  lines.push('## Expectation', '');
  if (a.agrees === undefined) lines.push('No firm expectation for this combination; the figures below are what happened.', '');
  else lines.push(`Expected: ${a.expected} — ${a.why}.`, '', a.agrees ? 'Measured: **agrees**.' : '**Measured: DISAGREES** — see the checkers below and the node logs in `nodes/`.', '');

  lines.push('## Checkers', '', '| checker | verdict | summary |', '|---|---|---|');
  for (const [name, c] of Object.entries(r.check.checkers) as [string, CheckerResult][]) lines.push(`| ${name} | ${c.verdict} | ${c.summary.replace(/\|/g, '/')} |`);
  lines.push('', VERDICT_SEMANTICS, '');

  lines.push('## Faults as applied', '');
  if (r.faults.length === 0) lines.push('None.', '');
  else {
    lines.push('| # | fault | at | lasted | targets | met a holder |', '|---|---|---|---|---|---|');
    for (const f of r.faults) {
      const lasted = f.healedMs !== undefined ? s(f.healedMs - f.startedMs) : 'not healed';
      lines.push(`| ${f.id} | ${f.kind}${f.construction ? ' (construction)' : ''} | ${s(f.startedMs - t0)} | ${lasted} | \`${JSON.stringify(f.targets).slice(0, 160)}\` | ${f.metHolder === undefined ? '' : f.metHolder ? 'yes' : 'no'} |`);
    }
    lines.push('');
  }

  const ov = r.check.checkers.overlap;
  lines.push('## Overlapping holders', '');
  if ('views' in ov) {
    const pairs = [ov.views.resource, ov.views.believed, ov.views.cut].flatMap((v) => v.pairs);
    const shown = [...pairs.filter((p) => p.definite), ...pairs.filter((p) => !p.definite)].slice(0, 15);
    lines.push(`Resource view: ${ov.views.resource.definitePairs} definite pair(s), longest ${ov.views.resource.maxOverlapMs.toFixed(1)} ms. What clients believed: ${ov.views.believed.definitePairs} definite, ${ov.views.believed.possiblePairs} possible. Cut at lease validity: ${ov.views.cut.definitePairs} definite.`, '');
    if (shown.length > 0) {
      lines.push('| view | key | clients | from | overlap | kind | faults active |', '|---|---|---|---|---|---|---|');
      for (const p of shown) lines.push(pairLine(p, t0));
      lines.push('');
    }
    const witnesses = witnessesOf(ov);
    if (witnesses.length > 0) {
      lines.push('### What proves it', '', 'Per key, the smallest window of ops that no choice of outcomes for the unknown ops can explain away:', '');
      for (const w of witnesses.slice(0, 10)) {
        const faults = [...new Set(w.faults.map((f) => f.fault))].join(', ') || 'none';
        lines.push(`- key \`${w.key}\` (${w.view} view), ${s(w.fromMs - t0)}–${s(w.toMs - t0)}, faults active: ${faults}:`);
        for (const e of w.events) lines.push(`  - ${s(e.atMs - t0)} client ${e.process}: ${e.what}`);
      }
      if (witnesses.length > 10) lines.push(`- … and ${witnesses.length - 10} more keys (results.json has them all).`);
      lines.push('');
    }
  } else lines.push(`The overlap checker failed: ${ov.summary}`, '');

  lines.push(...renderCrashSection(r, t0));
  if (r.liveness) {
    const bad = r.liveness.filter((l) => !l.ok);
    lines.push('## Liveness after healing', '', bad.length === 0 ? `Every client acquired and released once (${r.liveness.length} of ${r.liveness.length}).` : `**${bad.length} of ${r.liveness.length} clients could not acquire and release:** ${bad.map((b) => `client ${b.clientId}: ${b.detail}`).join('; ')}`, '');
  }
  const acq = r.counts.reduce((n, c) => n + c.acquires, 0);
  const got = r.counts.reduce((n, c) => n + c.acquired, 0);
  lines.push('## Workload', '', `${acq} acquire attempts, ${got} granted, ${r.counts.reduce((n, c) => n + c.increments, 0)} acknowledged increments. Files: manifest.json, history.jsonl, audit.jsonl, results.json, nodes/*.log, workers.log.`, '');
  lines.push(...renderRecoverySection(r));
  const usage = r.harness?.usage ?? [];
  if (usage.length > 1) lines.push('## The harness itself', '', `${usageLine(usage)}: lockbench's own process, for telling a leak in the harness from a finding about the lock.`, '');
  return lines.join('\n');
}

/** The lock clients that died during the run: what they printed last says whether it was the client library. */
export function renderCrashSection(r: Pick<ChaosResult, 'clientCrashes' | 'options'>, t0: number): string[] {
  const crashes = r.clientCrashes ?? [];
  if (crashes.length === 0) return [];
  const lines = [
    '## Lock clients that crashed',
    '',
    `**${crashes.length} of ${r.options.clients} lock client processes died during the run** without being asked to. The run went on with the others; each one's ops up to its death are in the history and were checked (the op it had in flight stays unknown), and it is left out of the workload counts and the liveness check.`,
    '',
  ];
  for (const c of crashes) {
    lines.push(`- client ${c.clientId} at ${s(c.atMs - t0)}: ${crashText(c)}${c.holding === null ? '' : `, holding \`${c.holding}\``}. Its last output (workers.log has all of it):`);
    lines.push('', '  ```', ...(c.lastOutput.length > 0 ? c.lastOutput.slice(-8).map((l) => `  ${l}`) : ['  (nothing)']), '  ```');
  }
  lines.push('');
  return lines;
}
