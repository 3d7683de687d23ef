// The parts of a bench report that issue 12 added to bench.json: the run's durability profile,
// machine and default path; each case's path and bottleneck; the floor errors; the anchors
// against the systems' own benchmark tools; the scalability charts; and ease of setup. Each piece
// reads optional fields, so a bench.json from before them renders without it ("—" or no section).
import type { BenchResult, CaseResult, SetupCost } from '../bench/results.ts';
import { hasKnownDefect, knownDefectNotes, lockLabel } from '../locks/labels.ts';
import type { PageSection } from './html.ts';
import { scalabilityCharts } from './specs/bench-scalability.ts';
import { lockOrder, type ChartSpec } from './specs/common.ts';
import { esc, int, ms, tableHtml, type CellLike } from './tables.ts';

export const NOT_RECORDED = '—';

export const mib = (bytes: number | null | undefined): string => (bytes === null || bytes === undefined || !Number.isFinite(bytes) ? NOT_RECORDED : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
export const seconds = (msValue: number | null | undefined): string => (msValue === null || msValue === undefined || !Number.isFinite(msValue) ? NOT_RECORDED : `${(msValue / 1000).toFixed(1)} s`);

/** The links a case's clients used, or "—" when the file predates the field. */
export const pathText = (c: Pick<CaseResult, 'path'>): string => c.path ?? NOT_RECORDED;

/** "server: zk-1 at 97% of a core", or "—" when the case names none. */
export function bottleneckCell(c: Pick<CaseResult, 'bottleneck'>): CellLike {
  const b = c.bottleneck;
  if (!b) return NOT_RECORDED;
  return { text: b.detail ? `${b.kind}: ${b.detail}` : b.kind, cls: b.kind === 'latency-bound' ? 'valid' : b.kind === 'unknown' ? 'none' : 'unknown' };
}

/** One sentence on how the run was set up: profile, path, machine; only what bench.json recorded. */
export function runFacts(b: BenchResult): string {
  const parts: string[] = [];
  parts.push(b.durability ? `durability profile <b>${esc(b.durability)}</b>` : 'durability profile not recorded');
  parts.push(b.path ? `speed cases on <b>${esc(b.path)}</b> links` : 'path of the speed cases not recorded');
  if (b.machine) parts.push(`machine: ${b.machine.cores} cores (${esc(b.machine.cpuModel)}), ${mib(b.machine.memoryBytes)}`);
  return `<p>${parts.join('; ')}.</p>`;
}

export function floorErrorsHtml(b: BenchResult): string {
  const errors = b.floorErrors ?? [];
  if (errors.length === 0) return '';
  return `<p><span class="verdict invalid">floor errors</span> (a case beat its floor by more than 5%: the floor did not bound it)</p><ul>${errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`;
}

export function anchorsSection(b: BenchResult): PageSection | undefined {
  const anchors = b.anchors ?? [];
  if (anchors.length === 0) return undefined;
  return {
    heading: 'Anchors: the harness against the systems\u2019 own tools',
    intro: '<p>The same raw commands at the same concurrency, driven by the system\u2019s own benchmark tool and by lockbench\u2019s workers in the same run: the ratio is the harness\u2019s own client ceiling.</p>',
    side: tableHtml({
      headers: ['system', 'tool', 'command', 'clients', 'tool ops/s', 'lockbench ops/s', 'lockbench ÷ tool'],
      rows: anchors.map((a) => [a.system, a.tool, a.command, a.clients, int(a.toolOpsPerSec), int(a.harnessOpsPerSec), a.ratio.toFixed(2)]),
    }),
  };
}

export function setupRows(setup: readonly SetupCost[]): CellLike[][] {
  const order = lockOrder(setup.map((s) => s.lock));
  return [...setup]
    .sort((a, b) => order.indexOf(a.lock) - order.indexOf(b.lock))
    .map((s) => [
      lockLabel(s.lock),
      s.system,
      { text: s.nodesToSurviveOneFailure === null ? 'cannot' : String(s.nodesToSurviveOneFailure), title: s.why },
      s.why,
      { text: String(s.containers), ...(s.containerNames ? { title: s.containerNames.join(', ') } : {}) },
      s.memoryBytesAtRest === null ? { text: NOT_RECORDED, title: s.memoryWhy ?? 'not measured' } : mib(s.memoryBytesAtRest),
      s.readyMs === null ? { text: NOT_RECORDED, title: s.readyWhy ?? 'not measured' } : { text: seconds(s.readyMs), ...(s.readyHow ? { title: s.readyHow } : {}) },
      { text: String(s.clientLines), ...(s.clientFiles ? { title: s.clientFiles.join(', ') } : {}) },
    ]);
}

export function setupSection(b: BenchResult): PageSection | undefined {
  const setup = b.setup ?? [];
  if (setup.length === 0) return undefined;
  const notes = [...new Set(setup.flatMap((s) => [s.readyMs === null ? s.readyWhy : undefined, s.memoryBytesAtRest === null ? s.memoryWhy : undefined]).filter((x): x is string => x !== undefined))];
  const how = setup.find((s) => s.readyHow)?.readyHow;
  return {
    heading: 'Ease of setup',
    intro:
      '<p>Per lock: the nodes its design needs to keep granting through one node failure; the lab cluster\u2019s containers it uses and their memory at rest (read before the first case); how long its system took from container start to serving as one cluster; and the non-blank, non-comment lines of its client code in lockbench (hover for the files).</p>' +
      (how ? `<p class="links">Ready time: ${esc(how)}.</p>` : '') +
      (notes.length > 0 ? `<p class="links">Not measured: ${notes.map(esc).join('; ')}.</p>` : ''),
    side: tableHtml({ headers: ['lock', 'system', 'nodes to survive one failure', 'why', 'containers', 'memory at rest', 'ready in', 'client lines'], rows: setupRows(setup) }),
  };
}

export function scalabilitySections(b: BenchResult): { charts: ChartSpec[]; sections: PageSection[] } {
  const s = b.scalability;
  const charts = scalabilityCharts(s);
  const sections: PageSection[] = [];
  for (const chart of charts) {
    let side = '';
    if (s && chart.name === 'bench-scale-held') {
      side = tableHtml({
        headers: ['lock', 'locks held', 'clients', 'cycles/s', 'p50', 'p99', 'server bytes per held lock'],
        rows: s.held.map((p) => [lockLabel(p.lock), int(p.heldLocks), p.clients, int(p.cyclesPerSec), ms(p.p50Ms, 3), ms(p.p99Ms, 3), p.memoryBytesPerLock === null ? NOT_RECORDED : int(p.memoryBytesPerLock)]),
      });
    } else if (s && chart.name === 'bench-scale-waiters') {
      side = tableHtml({
        headers: ['lock', 'waiters', 'grants/s', 'wait p99', 'server requests per grant', 'counted'],
        rows: s.waiters.map((p) => [lockLabel(p.lock), p.waiters, hasKnownDefect({ lock: p.lock, clients: p.waiters, keys: '1' }) ? `${p.grantsPerSec.toFixed(1)} *` : p.grantsPerSec.toFixed(1), ms(p.p99WaitMs, 1), p.serverOpsPerGrant === null ? NOT_RECORDED : p.serverOpsPerGrant.toFixed(1), p.opsUnit]),
      }) + knownDefectNotes(s.waiters.map((p) => ({ lock: p.lock, clients: p.waiters, keys: '1', perSec: p.grantsPerSec })), 'grants/s').map((n) => `<p class="links">* ${esc(n)}</p>`).join('');
    } else if (s && chart.name === 'bench-scale-cluster-size') {
      side = tableHtml({
        headers: ['lock', 'system', 'nodes', 'clients', 'cycles/s', 'p50', 'p99'],
        rows: s.clusterSize.map((p) => [lockLabel(p.lock), p.system, p.nodes, p.clients, int(p.cyclesPerSec), ms(p.p50Ms, 3), ms(p.p99Ms, 3)]),
      });
    }
    sections.push({ heading: `Scalability: ${chart.heading.toLowerCase()}`, chart, side });
  }
  return { charts, sections };
}
