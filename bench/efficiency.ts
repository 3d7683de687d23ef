// Each lock's floor, from its LockSpec's floor formula (locks/spec.ts) and the primitives measured
// in the same run on the lock's backing system (docs/methodology.md explains the floor). Nothing here knows a lock or
// a system by name: `model.system` picks the figures, the formula counts the work.
//   latency  roundTrips × RTT + writes × W, where RTT is the round trip to the system's first node
//            ('one-node'), or to all nodes at once done at the quorum's: the quorum-th fastest
//            node's RTT ('quorum', e.g. Redlock: 2 × the 3rd-fastest of 5 masters); W is one
//            durable (quorum) write. Single Redis: 2 RTT; ZooKeeper: 2 W + 1 RTT.
//   handoff  the least time from one grant of a key to the next, counted the same way from the
//            formula's `handoff` (Redis: 1 RTT, the grant's reply out, the release in; Redlock: the
//            same at the quorum's RTT; ZooKeeper: W(delete) + RTT, the watch fires and the next
//            waiter lists the children).
// Throughput ceilings: with independent keys, the system's raw pairs per second at the same
// concurrency (capped by clients ÷ latency floor when latency is injected). A quorum lock's fan-out
// runs in parallel, so a cycle can cost no more than one pair's time; that it costs N× the server
// work (on one host, sharing the CPUs and the proxy) is what an efficiency below 1 then shows. On
// one key only one holder at a time: 1 ÷ (hold + handoff). One client: 1 ÷ (latency floor + hold).
// Efficiency = measured ÷ floor, so 1 means "as fast as the hardware and the protocol allow".
import { isLockName, lockSpecs } from '../locks/registry.ts';
import type { FloorFormula, LockSpec } from '../locks/spec.ts';
import type { KeySpec } from './plan.ts';
import type { CaseEfficiency, CaseFloor, LockFloorRow } from './results.ts';

/** What the floor measured on one backing system (bench/floor.ts fills it from the driver). */
export interface SystemFigures {
  /** Proxied round trip p50 to the system's first node, ms. */
  readonly rttMs: number;
  /** Proxied round trip p50 of every node, in node order; empty when the driver does not measure them. */
  readonly nodesRttMs: readonly number[];
  /** One quorum write p50, ms; absent for systems without quorum writes. */
  readonly writeMs?: number;
  /** Raw pairs per second through the proxy, by concurrency. */
  readonly pairsPerSec: ReadonlyMap<number, number>;
  /** Words for the formulas: what a raw pair is ("raw SET NX PX + compare-and-delete pairs"), and a node ("master"/"masters"). */
  /** `write`: what the floor's write W is, in the formula (default 'create'). */
  readonly words: { readonly pairs: string; readonly node: string; readonly nodes: string; readonly write?: string };
}

/** The floor's figures of every measured system, keyed by system name (a driver's name). */
export interface FloorFigures {
  readonly systems: Readonly<Record<string, SystemFigures>>;
}

/**
 * A system's figures under injected latency: every round trip, and every write (its request and
 * reply cross the client's link once each), costs at least the least latency the toxics add in
 * both directions, `2 × (latency − jitter)`, on top of what it cost without them through the proxy.
 * A bound, not a measurement: the round trips re-measured through the toxics only verify that the
 * toxics took effect, because a sequential sample in this process can run slower than the locks'
 * own round trips and a floor above what a lock achieves is no floor.
 */
export function underLatency(base: SystemFigures, addedRttMs: number): SystemFigures {
  const add = (ms: number): number => ms + addedRttMs;
  return { ...base, rttMs: add(base.rttMs), nodesRttMs: base.nodesRttMs.map(add), ...(base.writeMs === undefined ? {} : { writeMs: add(base.writeMs) }) };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The k-th smallest (1-based) of xs, or the largest if there are fewer. */
export function kthFastest(xs: readonly number[], k: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(k, sorted.length) - 1] ?? Number.NaN;
}

export function quorumOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** The figures of the lock's system, if the floor measured that system. */
function figuresFor(spec: LockSpec, f: FloorFigures): SystemFigures | undefined {
  return Object.hasOwn(f.systems, spec.model.system) ? f.systems[spec.model.system] : undefined;
}

/** A registered lock's spec and its system's figures. */
function specAndFigures(lock: string, f: FloorFigures): { spec: LockSpec; sys: SystemFigures } | undefined {
  if (!isLockName(lock)) return undefined;
  const spec: LockSpec = lockSpecs[lock];
  const sys = figuresFor(spec, f);
  return sys ? { spec, sys } : undefined;
}

/** The nodes a 'quorum' round trip goes to (the first node's RTT when every node was not measured). */
const quorumNodes = (sys: SystemFigures): readonly number[] => (sys.nodesRttMs.length > 0 ? sys.nodesRttMs : [sys.rttMs]);

/** One round trip as the formula counts it, ms. */
function rttOf(formula: FloorFormula, sys: SystemFigures): number {
  if (formula.over === 'one-node') return sys.rttMs;
  const nodes = quorumNodes(sys);
  return kthFastest(nodes, quorumOf(nodes.length));
}

/** roundTrips × RTT + writes × W; undefined when it needs writes the system did not measure. */
function costMs(formula: FloorFormula, work: { readonly roundTrips: number; readonly writes: number }, sys: SystemFigures): number | undefined {
  if (work.writes > 0 && sys.writeMs === undefined) return undefined;
  return work.roundTrips * rttOf(formula, sys) + work.writes * (sys.writeMs ?? 0);
}

const times = (n: number, term: string): string => (n === 1 ? term : `${n} × ${term}`);

/**
 * The formula in words: writes are W(create), or the driver's word for its write (quorumWrite.word); round trips are
 * RTT(<system>) on their own, RTT(read) beside writes, and RTT(fastest majority, q of n <nodes>)
 * when done at a quorum.
 */
function formulaText(spec: LockSpec, sys: SystemFigures): string {
  const f = spec.floor;
  const terms: string[] = [];
  if (f.writes > 0) terms.push(times(f.writes, `W(${sys.words.write ?? 'create'})`));
  if (f.roundTrips > 0) {
    const n = quorumNodes(sys).length;
    const what = f.over === 'quorum' ? `fastest majority, ${quorumOf(n)} of ${n} ${n === 1 ? sys.words.node : sys.words.nodes}` : f.writes > 0 ? 'read' : spec.model.system;
    terms.push(times(f.roundTrips, `RTT(${what})`));
  }
  return terms.join(' + ') || '0';
}

/** Least time from one grant of a key to the next, ms (see the header). */
export function handoffMs(lock: string, f: FloorFigures): number | undefined {
  const s = specAndFigures(lock, f);
  return s ? costMs(s.spec.floor, s.spec.floor.handoff, s.sys) : undefined;
}

export function lockFloorRow(lock: string, f: FloorFigures): LockFloorRow | undefined {
  return isLockName(lock) ? specFloorRow(lockSpecs[lock], f) : undefined;
}

/** The floor row of a lock's descriptor; undefined when the floor lacks its system or the writes it needs. */
export function specFloorRow(spec: LockSpec, f: FloorFigures): LockFloorRow | undefined {
  const sys = figuresFor(spec, f);
  if (!sys) return undefined;
  const formula = spec.floor;
  const latency = costMs(formula, formula, sys);
  if (latency === undefined) return undefined;
  // Every write is a round trip too (to the node that forwards it to its quorum).
  return { lock: spec.name, roundTripsPerCycle: formula.roundTrips + formula.writes, writesPerCycle: formula.writes, latencyMs: r3(latency), formula: formulaText(spec, sys) };
}

/** The nearest measured concurrency at or below `clients` (else the smallest measured). */
export function pairsAt(m: ReadonlyMap<number, number>, clients: number): number | undefined {
  if (m.has(clients)) return m.get(clients);
  const below = [...m.keys()].filter((c) => c <= clients).sort((a, b) => b - a);
  const at = below[0] ?? [...m.keys()].sort((a, b) => a - b)[0];
  return at === undefined ? undefined : m.get(at);
}

/**
 * The floor of one case. `f` must be the figures measured under the case's injected latency
 * (raw pairs are only measured without it).
 */
export function caseFloor(lock: string, f: FloorFigures, clients: number, keys: KeySpec, latencyInjected: boolean, holdMs = 0): CaseFloor | null {
  const row = lockFloorRow(lock, f);
  const s = specAndFigures(lock, f);
  if (!row || !s || !(row.latencyMs > 0)) return null;
  const serial = 1000 / row.latencyMs;
  // Cycles that can be in progress at once: one per key that has a client.
  const parallel = keys === 'many' ? clients : Math.min(keys, clients);
  const hold = holdMs > 0 ? ` + ${holdMs} ms hold` : '';
  if (clients === 1) return { latencyMs: row.latencyMs, cyclesPerSec: Math.round(1000 / (row.latencyMs + holdMs)), basis: `${row.formula}; one client: 1 ÷ (latency floor${hold})` };
  if (parallel === 1) {
    const handoff = handoffMs(lock, f) ?? row.latencyMs;
    return { latencyMs: row.latencyMs, cyclesPerSec: Math.round(1000 / (handoff + holdMs)), basis: `${row.formula}; one key: 1 ÷ (handoff ${r3(handoff)} ms${hold})` };
  }
  const raw = pairsAt(s.sys.pairsPerSec, parallel);
  if (raw === undefined) return { latencyMs: row.latencyMs, cyclesPerSec: Math.round(serial * parallel), basis: `${row.formula}; ${parallel} cycles at once ÷ latency floor` };
  const capped = latencyInjected ? Math.min(raw, serial * parallel) : raw;
  const w = s.sys.words;
  const fanOut = s.spec.floor.over === 'quorum' ? ` (one ${w.node}; ${lock} does them on every ${w.node} in parallel)` : '';
  return {
    latencyMs: row.latencyMs,
    cyclesPerSec: Math.round(capped),
    basis: `${row.formula}; ${w.pairs}/s at ${parallel} connections${fanOut}${latencyInjected ? ', capped at parallel cycles ÷ latency floor' : ''}`,
  };
}

export function efficiency(floor: CaseFloor | null, cyclesPerSec: number, p50Ms: number | undefined): CaseEfficiency {
  if (!floor) return { throughput: null, latency: null };
  const ratio = (x: number): number | null => (Number.isFinite(x) && x > 0 ? Math.round(x * 1000) / 1000 : null);
  return {
    throughput: floor.cyclesPerSec > 0 ? ratio(cyclesPerSec / floor.cyclesPerSec) : null,
    latency: p50Ms !== undefined && p50Ms > 0 ? ratio(floor.latencyMs / p50Ms) : null,
  };
}
