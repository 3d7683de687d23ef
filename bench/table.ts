// bench.json as text tables for a terminal. Returns a string; the CLI decides where it goes.
import type { LatencySummaryMs } from '../core/stats.ts';
import { hasKnownDefect, knownDefectNotes, lockLabel } from '../locks/labels.ts';
import { renderClusterSize } from './cluster-size-table.ts';
import { fmtNumber, renderTable, type TextCell } from './text-table.ts';
import type { CaseKind } from './plan.ts';
import { casesOfKind, isLatencySummary, isNumberList, wanFigures, type BenchResult, type CaseResult, type CaseResultOf, type PairsAt } from './results.ts';

type Cell = TextCell;

const ms = (s: LatencySummaryMs | undefined, k: 'p50' | 'p90' | 'p99' | 'p999' | 'max'): Cell => s?.[k];
const ratio = (x: number | null | undefined): Cell => (x === null || x === undefined ? undefined : x.toFixed(2));
const errs = (c: CaseResult): string => `${c.errors.busy}/${c.errors.unavailable}/${c.errors.unknown}${c.stalledClients > 0 ? ` stalled ${c.stalledClients}` : ''}`;
const overlap = (c: CaseResult): Cell => (c.status === 'failed' ? 'FAILED' : c.overlap ? (c.overlap.definitePairs > 0 ? `INVALID ${c.overlap.definitePairs}` : c.overlap.verdict) : undefined);
const maxCpu = (c: CaseResult): Cell => {
  const w = c.workers.filter((x) => x.worker >= 0);
  return w.length === 0 ? undefined : `${Math.max(...w.map((x) => x.cpuPercent)).toFixed(0)}%`;
};

/** "* node-redlock (redlock 5.0.0-beta.2): 1.1 cycles/s … on one contended key — a known defect …" under a table whose cells it marks. */
function defectLines(cases: readonly CaseResult[], unit = 'cycles/s'): string[] {
  const ok = cases.filter((c) => c.status === 'ok');
  return knownDefectNotes(ok.map((c) => ({ lock: c.lock, clients: c.clients, keys: c.keys, perSec: c.cyclesPerSec, ...(c.latencyMs > 0 ? { context: `${c.latencyMs} ms injected per link` } : {}) })), unit).map((n) => `* ${n}`);
}

/** An external target and the --max-rate cap, said before the tables: a case at the cap measured the cap, not the lock. */
function targetLines(r: BenchResult): string[] {
  const o = r.options;
  const cap = typeof o['maxRatePerSec'] === 'number' ? o['maxRatePerSec'] : undefined;
  const lines: string[] = [];
  if (o['target'] === 'external') {
    const c = r.cluster as { namespace?: string; systems?: { system: string; endpoints: string[] }[] } | undefined;
    const eps = (c?.systems ?? []).map((s) => `${s.system} ${s.endpoints.join(',')}`).join('; ');
    lines.push(`target: external (${eps}), namespace ${c?.namespace ?? '?'}; left out against it: anchors, server usage (the held and waiters cases' memory and server-work figures too), cluster size and set-up cost (docs/external.md)`);
  }
  if (cap !== undefined) {
    const atCap = r.cases.filter((x) => x.status === 'ok' && x.kind !== 'http' && x.cyclesPerSec >= 0.9 * cap).map((x) => x.id);
    lines.push(`--max-rate ${cap}: no case offered more than ${cap} cycles/s across its clients${atCap.length > 0 ? `; at the cap (these measure the cap, not the lock): ${atCap.join(', ')}` : ''}`);
  }
  return lines.length > 0 ? [...lines, ''] : [];
}

export function renderBench(r: BenchResult): string {
  const out: string[] = [];
  const said = [
    r.path ? `speed cases on the ${r.path === 'direct' ? "nodes' own ports (direct)" : "proxy's links"}; WAN cases through the proxy` : undefined,
    r.durability ? `durability profile: ${r.durability}` : undefined,
    r.machine ? `machine: ${r.machine.cores} cores, ${r.machine.cpuModel}` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (said.length > 0) out.push(said.join('; '), '');
  out.push(...targetLines(r));
  const f = r.floor;
  if (f) {
    out.push('FLOOR (measured in this run; latencies in ms)');
    const sections = Object.entries(f);
    const rttRows: Cell[][] = [];
    const notes: string[] = [];
    // Every path the floor measured: the run's at the top level of a section, the others beside it.
    const pathsOf = (sec: (typeof sections)[number][1]): readonly (Readonly<Record<string, unknown>> & { readonly pairs: readonly PairsAt[] })[] => [sec, ...(sec.otherPaths ?? [])];
    for (const [system, sec] of sections) {
      rttRows.push(...sec.rtt.map((p) => [`${system} ${p.path}`, p.address, p.rttMs.p50, p.rttMs.p99, p.rttMs.max]));
      // The fields a system's driver adds: a quorum write, every node's round trip.
      for (const part of pathsOf(sec)) {
        const via = typeof part['path'] === 'string' ? part['path'] : 'proxy';
        for (const [field, v] of Object.entries(part)) {
          if (isLatencySummary(v)) rttRows.push([`${system} ${field}`, via, v.p50, v.p99, v.max]);
          else if (field !== 'pairs' && isNumberList(v) && v.length > 0) notes.push(`${system} ${field} (${via}): ${v.join(', ')} ms`);
        }
      }
    }
    out.push(renderTable(['round trip', 'address', 'p50', 'p99', 'max'], rttRows));
    out.push(`proxy overhead (proxied ÷ direct RTT p50): ${sections.map(([system, sec]) => `${system} ${sec.proxyOverheadRatio}×`).join(', ')}`);
    const columns = sections.flatMap(([system, sec]) => pathsOf(sec).map((part) => ({ label: `${system} ${typeof part['path'] === 'string' ? part['path'] : 'proxy'}`, pairs: part.pairs })));
    const concurrencies = [...new Set(columns.flatMap((c) => c.pairs.map((p) => p.clients)))].sort((x, y) => x - y);
    const pairRows = concurrencies.map((clients) => [clients, ...columns.flatMap((col) => {
      const p = col.pairs.find((x) => x.clients === clients);
      return [p?.pairsPerSec, p?.pairMs.p50];
    })]);
    out.push(`raw pairs per second (the highest of ${Math.max(1, ...columns.flatMap((c) => c.pairs.map((p) => p.samplesPerSec?.length ?? 1)))} measurement(s) in this run) and their p50 latency, ms`);
    out.push(renderTable(['clients', ...columns.flatMap((c) => [`${c.label} pairs/s`, 'p50'])], pairRows));
    out.push(...notes);
    out.push('');
  }
  if (r.lockFloors.length > 0) {
    out.push('LOCK FLOORS');
    out.push(renderTable(['lock', 'round trips', 'writes', 'latency ms', 'formula'], r.lockFloors.map((l) => [lockLabel(l.lock), l.roundTripsPerCycle, l.writesPerCycle, l.latencyMs, l.formula])));
    out.push('');
  }
  for (const w of r.wan) {
    out.push(`WAN ${w.latencyMs} ms ± ${w.jitterMs} ms per direction on ${w.links} links: ${wanFigures(w).map(([name, v]) => `${name} ${v}`).join(', ')}${w.verified ? '' : ' — NOT VERIFIED'}`);
  }
  if (r.wan.length > 0) out.push('');

  const of = <K extends CaseKind>(kind: K): CaseResultOf<K>[] => casesOfKind(r.cases, kind);
  const micro = of('micro');
  if (micro.length > 0) {
    out.push('UNCONTENDED CYCLE (1 client, tinybench; ms)');
    out.push(
      renderTable(
        ['lock', 'cycles/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'floor ms', 'floor÷p50', 'rme%', 'errors b/u/?', 'overlap'],
        micro.map((c) => [lockLabel(c.lock), c.cyclesPerSec, ms(c.latency.cycle, 'p50'), ms(c.latency.cycle, 'p90'), ms(c.latency.cycle, 'p99'), ms(c.latency.cycle, 'p999'), ms(c.latency.cycle, 'max'), c.floor?.latencyMs, ratio(c.efficiency.latency), c.tinybench ? c.tinybench.rmePercent.toFixed(1) : undefined, errs(c), overlap(c)]),
      ),
    );
    out.push('');
  }
  const sweep = of('sweep');
  if (sweep.length > 0) {
    out.push('CONTENTION SWEEP (closed loop; acquire = wait for the grant, cycle = acquire + release; ms)');
    out.push(
      renderTable(
        ['lock', 'clients', 'keys', 'wan ms', 'cycles/s', 'floor/s', 'eff', 'acq p50', 'acq p99', 'cyc p50', 'cyc p90', 'cyc p99', 'p99.9', 'max', 'errors b/u/?', 'jain', 'overlap', 'cpu max', 'bottleneck'],
        sweep.map((c) => [
          lockLabel(c.lock),
          c.clients,
          c.keys,
          c.latencyMs,
          hasKnownDefect(c) ? `${fmtNumber(c.cyclesPerSec)} *` : c.cyclesPerSec,
          c.floor?.cyclesPerSec,
          ratio(c.efficiency.throughput),
          ms(c.latency.acquire, 'p50'),
          ms(c.latency.acquire, 'p99'),
          ms(c.latency.cycle, 'p50'),
          ms(c.latency.cycle, 'p90'),
          ms(c.latency.cycle, 'p99'),
          ms(c.latency.cycle, 'p999'),
          ms(c.latency.cycle, 'max'),
          errs(c),
          c.fairness?.jainIndex.toFixed(2),
          overlap(c),
          maxCpu(c),
          c.bottleneck?.kind,
        ]),
      ),
    );
    out.push(...defectLines(sweep));
    out.push('');
  }
  const open = of('open');
  if (open.length > 0) {
    out.push('OPEN LOOP (fixed offered rate; latency from the scheduled start, queueing included; ms)');
    out.push(
      renderTable(
        ['lock', 'clients', 'offered/s', 'done/s', 'wait p50', 'wait p99', 'cycle p50', 'cycle p99', 'p99.9', 'max', 'service p50', 'unserved', 'errors b/u/?', 'overlap'],
        open.map((c) => [
          lockLabel(c.lock),
          c.clients,
          c.openLoop?.offeredPerSec,
          c.cyclesPerSec,
          ms(c.latency.wait, 'p50'),
          ms(c.latency.wait, 'p99'),
          ms(c.latency.cycle, 'p50'),
          ms(c.latency.cycle, 'p99'),
          ms(c.latency.cycle, 'p999'),
          ms(c.latency.cycle, 'max'),
          ms(c.latency.service, 'p50'),
          c.openLoop?.unserved,
          errs(c),
          overlap(c),
        ]),
      ),
    );
    out.push('');
  }
  const fair = of('fairness');
  if (fair.length > 0) {
    out.push('FAIRNESS (all clients on one key, 1 ms hold)');
    out.push(
      renderTable(
        ['lock', 'clients', 'grants', 'jain', 'min share', 'max share', 'in order', 'acq p99', 'errors b/u/?', 'overlap'],
        fair.map((c) => [
          lockLabel(c.lock),
          c.clients,
          c.fairness?.grants,
          c.fairness?.jainIndex.toFixed(3),
          c.fairness ? `${(c.fairness.minShare * 100).toFixed(1)}%` : undefined,
          c.fairness ? `${(c.fairness.maxShare * 100).toFixed(1)}%` : undefined,
          c.fairness ? `${(c.fairness.inOrderFraction * 100).toFixed(1)}%` : undefined,
          ms(c.latency.acquire, 'p99'),
          errs(c),
          overlap(c),
        ]),
      ),
    );
    out.push('');
  }
  const http = of('http');
  if (http.length > 0) {
    out.push('END TO END (inventory service over HTTP, autocannon; ms)');
    out.push(
      renderTable(
        ['lock', 'conns', 'req/s', 'p50', 'p90', 'p99', 'p99.9', 'max', 'sold', 'sold out', 'non2xx', 'errors', 'oversell', 'overlap'],
        http.map((c) => [
          lockLabel(c.lock),
          c.clients,
          c.cyclesPerSec,
          ms(c.latency.cycle, 'p50'),
          ms(c.latency.cycle, 'p90'),
          ms(c.latency.cycle, 'p99'),
          ms(c.latency.cycle, 'p999'),
          ms(c.latency.cycle, 'max'),
          c.http?.purchases,
          c.http?.soldOut,
          c.http?.non2xx,
          c.http ? c.http.errors + c.http.timeouts : undefined,
          c.http?.oversell,
          overlap(c),
        ]),
      ),
    );
    out.push('');
  }
  const held = of('held');
  if (held.length > 0) {
    out.push(`LOCKS HELD AT ONCE (a closed-loop sweep on independent keys while others hold N locks; ms)`);
    out.push(
      renderTable(
        ['lock', 'held', 'clients', 'cycles/s', 'p50', 'p99', 'bytes/lock', 'acquired/s', 'errors b/u/?', 'overlap'],
        held.map((c) => [lockLabel(c.lock), c.held ? `${fmtNumber(c.held.heldLocks)}${c.held.requestedLocks !== undefined && c.held.requestedLocks > c.held.heldLocks ? ` of ${fmtNumber(c.held.requestedLocks)}` : ''}` : undefined, c.clients, c.cyclesPerSec, c.held?.p50Ms, c.held?.p99Ms, c.held?.memoryBytesPerLock, c.held?.acquiresPerSec, errs(c), overlap(c)]),
      ),
    );
    const bases = [...new Set(held.flatMap((c) => (c.held?.memoryBasis ? [`${lockLabel(c.lock)}: ${c.held.memoryBasis.replace(/ \(not measured.*\)$/, '')}`] : [])))];
    if (bases.length > 0) out.push(`bytes/lock = growth of ${bases.join('; ')} ÷ locks held`);
    out.push('');
  }
  const waiters = of('waiters');
  if (waiters.length > 0) {
    out.push('WAITERS ON ONE LOCK (each holds it 1 ms; server ops per grant: polling grows with waiters, queueing does not)');
    out.push(
      renderTable(
        ['lock', 'waiters', 'grants/s', 'wait p50', 'wait p99', 'ops/grant', 'timeouts', 'jain', 'overlap'],
        waiters.map((c) => [lockLabel(c.lock), c.clients, hasKnownDefect(c) ? `${fmtNumber(c.cyclesPerSec)} *` : c.cyclesPerSec, ms(c.latency.acquire, 'p50'), c.waiters?.p99WaitMs, c.waiters?.serverOpsPerGrant, c.waiters?.timeouts, c.fairness ? c.fairness.jainIndex.toFixed(2) : undefined, overlap(c)]),
      ),
    );
    const units = [...new Set(waiters.flatMap((c) => (c.waiters ? [`${lockLabel(c.lock)}: ${c.waiters.opsUnit}`] : [])))];
    if (units.length > 0) out.push(`ops/grant = ${units.join('; ')}`);
    out.push(...defectLines(waiters, 'grants/s'));
    out.push('');
  }
  const failed = r.cases.filter((c) => c.status === 'failed');
  for (const c of failed) out.push(`FAILED ${c.id}: ${c.error ?? ''}`);
  if (r.violations.length > 0) out.push(`MUTUAL EXCLUSION VIOLATED in: ${r.violations.join(', ')}`);
  if (r.scalability && r.scalability.clusterSize.length > 0) out.push(renderClusterSize(r.scalability));
  if (r.setup && r.setup.length > 0) {
    out.push('EASE OF SETUP (per lock, measured on this lab)');
    const mib = (b: number | null): Cell => (b === null ? undefined : `${(b / 1024 / 1024).toFixed(0)} MiB`);
    out.push(renderTable(['lock', 'nodes for 1 failure', 'containers', 'memory at rest', 'ready s', 'client lines'], r.setup.map((s) => [lockLabel(s.lock), s.nodesToSurviveOneFailure ?? 'cannot', s.containers, mib(s.memoryBytesAtRest), s.readyMs === null ? undefined : (s.readyMs / 1000).toFixed(1), s.clientLines])));
  }
  if (r.anchors && r.anchors.length > 0) {
    out.push('ANCHORS (each system\'s own benchmark tool, container to container, beside lockbench\'s direct raw pairs as commands/s)');
    out.push(renderTable(['system', 'tool', 'command', 'conns', 'tool/s', 'lockbench/s', 'ratio'], r.anchors.map((a) => [a.system, a.tool, a.command, a.clients, a.toolOpsPerSec, a.harnessOpsPerSec, a.ratio.toFixed(2)])));
  }
  for (const e of r.floorErrors ?? []) out.push(`FLOOR ERROR (the floor did not bound the case): ${e}`);
  out.push('GOALS');
  out.push(renderTable(['goal', 'met', 'measured'], r.goals.map((g) => [g.goal, g.met === null ? 'n/a' : g.met ? 'yes' : 'NO', g.measured])));
  out.push(`wall time ${(r.wallTimeMs / 1000).toFixed(0)} s${r.interrupted ? ' (interrupted: partial results)' : ''}`);
  return out.join('\n') + '\n';
}
