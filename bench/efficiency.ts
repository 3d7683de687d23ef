// Each lock's floor, from the primitives measured in the same run (perf.md §2 and §6.4):
//   redis                2 RTT per cycle (SET NX PX, compare-and-delete), 0 durable writes;
//   redlock/node-redlock 2 fan-out rounds to all masters, done at the quorum: 2 × the 3rd-fastest
//                        master's RTT. Its throughput ceiling is the same raw pairs as Redis: the
//                        fan-out runs in parallel, so a cycle can cost no more than one pair's
//                        time; that it costs N× the server work (on one host, sharing the CPUs and
//                        the proxy) is what an efficiency below 1 then shows.
//   zookeeper            create + (read) + delete: 2 W + 1 RTT, 2 quorum writes.
// Throughput ceilings: with independent keys, the raw pairs per second at the same concurrency
// (capped by clients ÷ latency floor when latency is injected). On one key only one holder at a
// time: 1 ÷ (hold + handoff), where the handoff is the least time from one grant to the next —
// Redis: 1 RTT (the grant's reply out, the release in; a poller's SET can land right behind it);
// Redlock: the same at the quorum's RTT; ZooKeeper: W(delete) + RTT (the watch fires, the next
// waiter lists the children). One client: 1 ÷ (latency floor + hold). Efficiency = measured ÷ floor, so 1 means "as fast as the
// hardware and the protocol allow".
import type { KeySpec } from './plan.ts';
import type { CaseEfficiency, CaseFloor, LockFloorRow } from './results.ts';

export interface FloorFigures {
  /** Proxied Redis PING p50 (redis-1), ms. */
  readonly redisRttMs: number;
  /** Proxied PING p50 of every master, ms. */
  readonly mastersRttMs: readonly number[];
  /** Proxied ZooKeeper exists p50, ms. */
  readonly zkRttMs: number;
  /** Proxied ZooKeeper create p50 (one quorum write), ms. */
  readonly zkWriteMs: number;
  /** Raw pairs per second through the proxy, by concurrency. */
  readonly redisPairsPerSec: ReadonlyMap<number, number>;
  readonly zkPairsPerSec: ReadonlyMap<number, number>;
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

function lockKind(lock: string): 'redis' | 'redlock' | 'zookeeper' | undefined {
  if (lock === 'redis') return 'redis';
  if (lock === 'redlock' || lock === 'node-redlock') return 'redlock';
  if (lock === 'zookeeper') return 'zookeeper';
  return undefined;
}

/** Least time from one grant of a key to the next, ms (see the header). */
export function handoffMs(lock: string, f: FloorFigures): number | undefined {
  switch (lockKind(lock)) {
    case 'redis':
      return f.redisRttMs;
    case 'redlock':
      return kthFastest(f.mastersRttMs, quorumOf(f.mastersRttMs.length));
    case 'zookeeper':
      return f.zkWriteMs + f.zkRttMs;
    default:
      return undefined;
  }
}

export function lockFloorRow(lock: string, f: FloorFigures): LockFloorRow | undefined {
  switch (lockKind(lock)) {
    case 'redis':
      return { lock, roundTripsPerCycle: 2, writesPerCycle: 0, latencyMs: r3(2 * f.redisRttMs), formula: '2 × RTT(redis)' };
    case 'redlock': {
      const q = quorumOf(f.mastersRttMs.length);
      return { lock, roundTripsPerCycle: 2, writesPerCycle: 0, latencyMs: r3(2 * kthFastest(f.mastersRttMs, q)), formula: `2 × RTT(fastest majority, ${q} of ${f.mastersRttMs.length} masters)` };
    }
    case 'zookeeper':
      return { lock, roundTripsPerCycle: 3, writesPerCycle: 2, latencyMs: r3(2 * f.zkWriteMs + f.zkRttMs), formula: '2 × W(create) + RTT(read)' };
    default:
      return undefined;
  }
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
  const kind = lockKind(lock);
  if (!row || !kind || !(row.latencyMs > 0)) return null;
  const serial = 1000 / row.latencyMs;
  // Cycles that can be in progress at once: one per key that has a client.
  const parallel = keys === 'many' ? clients : Math.min(keys, clients);
  const hold = holdMs > 0 ? ` + ${holdMs} ms hold` : '';
  if (clients === 1) return { latencyMs: row.latencyMs, cyclesPerSec: Math.round(1000 / (row.latencyMs + holdMs)), basis: `${row.formula}; one client: 1 ÷ (latency floor${hold})` };
  if (parallel === 1) {
    const handoff = handoffMs(lock, f) ?? row.latencyMs;
    return { latencyMs: row.latencyMs, cyclesPerSec: Math.round(1000 / (handoff + holdMs)), basis: `${row.formula}; one key: 1 ÷ (handoff ${r3(handoff)} ms${hold})` };
  }
  const raw = kind === 'zookeeper' ? pairsAt(f.zkPairsPerSec, parallel) : pairsAt(f.redisPairsPerSec, parallel);
  if (raw === undefined) return { latencyMs: row.latencyMs, cyclesPerSec: Math.round(serial * parallel), basis: `${row.formula}; ${parallel} cycles at once ÷ latency floor` };
  const capped = latencyInjected ? Math.min(raw, serial * parallel) : raw;
  const what = kind === 'zookeeper' ? 'raw create+delete pairs/s' : 'raw SET NX PX + compare-and-delete pairs/s';
  return {
    latencyMs: row.latencyMs,
    cyclesPerSec: Math.round(capped),
    basis: `${row.formula}; ${what} at ${parallel} connections${kind === 'redlock' ? ' (one master; Redlock does them on every master in parallel)' : ''}${latencyInjected ? ', capped at parallel cycles ÷ latency floor' : ''}`,
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
