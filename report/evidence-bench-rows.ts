// The evidence table's rows that come from the newest bench run's issue-12 sections: which path
// and durability profile a speed row used, and the Scalability and Ease-of-setup rows the seed's
// comparison claimed without measuring ("High / Moderate", "Very easy / More complex"). A bench.json
// from before those sections still renders: its rows say "not measured".
import type { BenchResult, CaseResult, SetupCost } from '../bench/results.ts';
import { knownDefectsIn } from '../locks/labels.ts';
import { mib, seconds } from './bench-sections.ts';
import { int } from './tables.ts';
import type { Cell } from './tables.ts';

export type EvidenceRow = readonly [area: string, aspect: string, cells: readonly Cell[]];

const NOT_MEASURED: Cell = { text: 'not measured', cls: 'none' };

/**
 * "direct links, durability memory": how the cases behind a speed row ran. The path is each
 * case's own (a WAN case goes through the proxy whatever the run's default).
 */
export function speedConditions(b: BenchResult, cases: readonly (CaseResult | undefined)[]): string {
  const paths = [...new Set(cases.flatMap((c) => (c?.path !== undefined ? [c.path] : [])))].sort();
  const path = paths.length > 0 ? `${paths.join(' / ')} links` : 'path not recorded';
  const durability = b.durability ? `durability ${b.durability}` : 'durability not recorded';
  return `${path}, ${durability}`;
}

const num = (x: number, digits: number): string => (Number.isInteger(x) ? int(x) : x.toFixed(digits));

/** Grants at the most waiters measured, with what each cost the servers; throughput at the most locks held; the cluster sizes. */
export function scalabilityText(b: BenchResult, lock: string): string | undefined {
  const s = b.scalability;
  if (!s) return undefined;
  const parts: string[] = [];
  const waiters = s.waiters.filter((p) => p.lock === lock).sort((a, c) => a.waiters - c.waiters);
  const most = waiters.at(-1);
  if (most) {
    // The fewest waiters' cost beside it shows whether the cost grows with the queue (polling).
    const fewest = waiters[0];
    const atFewest = fewest && fewest !== most && fewest.serverOpsPerGrant !== null ? ` (${num(fewest.serverOpsPerGrant, 1)} at ${fewest.waiters})` : '';
    const ops = most.serverOpsPerGrant === null ? '' : `; ${num(most.serverOpsPerGrant, 1)} ${most.opsUnit}${atFewest}`;
    const defects = knownDefectsIn({ lock, clients: most.waiters, keys: '1' });
    parts.push(`${num(most.grantsPerSec, 1)} grants/s at ${int(most.waiters)} waiters${ops}${defects.map((d) => ` — ${d}`).join('')}`);
  }
  const held = s.held.filter((p) => p.lock === lock).sort((a, c) => a.heldLocks - c.heldLocks);
  const first = held[0];
  const last = held.at(-1);
  if (first && last) {
    const mem = last.memoryBytesPerLock === null ? '' : `, ${int(last.memoryBytesPerLock)} server bytes per held lock`;
    parts.push(first === last ? `${int(last.cyclesPerSec)} cycles/s with ${int(last.heldLocks)} locks held${mem}` : `${int(first.cyclesPerSec)} → ${int(last.cyclesPerSec)} cycles/s from ${int(first.heldLocks)} to ${int(last.heldLocks)} locks held${mem}`);
  }
  const sizes = s.clusterSize.filter((p) => p.lock === lock).sort((a, c) => a.nodes - c.nodes);
  if (sizes.length > 0) parts.push(`${sizes.map((p) => int(p.cyclesPerSec)).join(' → ')} cycles/s on ${sizes.map((p) => p.nodes).join(' → ')} nodes`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export function setupText(s: SetupCost): string {
  const tolerance = s.nodesToSurviveOneFailure === null ? 'does not survive a node failure (one node)' : `${s.nodesToSurviveOneFailure} nodes to survive one failure`;
  const memory = s.memoryBytesAtRest === null ? 'memory at rest not measured' : `${mib(s.memoryBytesAtRest)} at rest`;
  const ready = s.readyMs === null ? 'ready time not measured' : `ready in ${seconds(s.readyMs)}`;
  return `${tolerance}; ${s.containers} container${s.containers === 1 ? '' : 's'}, ${memory}, ${ready}; ${s.clientLines} lines`;
}

/** The Scalability and Ease-of-setup rows, one cell per lock; `href` links the bench run. */
export function scalabilityAndSetupRows(b: BenchResult | undefined, locks: readonly string[], href: string | undefined): EvidenceRow[] {
  const link = (text: string, title?: string): Cell => ({ text, ...(href !== undefined ? { href } : {}), ...(title !== undefined ? { title } : {}) });
  const scalability = locks.map((lock): Cell => {
    const text = b ? scalabilityText(b, lock) : undefined;
    return text === undefined ? NOT_MEASURED : link(text);
  });
  const setup = locks.map((lock): Cell => {
    const s = b?.setup?.find((x) => x.lock === lock);
    return s ? link(setupText(s), s.why) : NOT_MEASURED;
  });
  return [
    ['scalability', 'waiters on one lock (grants/s, server requests per grant), locks held at once, cluster size', scalability],
    ['ease of setup', 'nodes to survive one failure; containers, memory at rest, start → ready; lines of client code', setup],
  ];
}
