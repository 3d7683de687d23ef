// Fairness of a contended lock, from the attempt rows of one key: how evenly the grants were
// shared (Jain's index: 1 = perfectly even, 1/n = one client got everything) and how often a grant
// went to the request that had been waiting longest (FIFO order). ZooKeeper's recipe queues
// waiters; Redis-based locks poll, so whoever retries at the right moment wins.
import { OUTCOME, rowsOf, type AttemptRow } from './attempts.ts';

export interface FairnessResult {
  readonly clients: number;
  readonly grants: number;
  /** Grants per client id, in client order. */
  readonly grantsPerClient: readonly number[];
  /** Each client's share of the grants, 0..1. */
  readonly minShare: number;
  readonly maxShare: number;
  /** (Σx)² / (n·Σx²) over grants per client; 0 when nothing was granted (see stalledClients). */
  readonly jainIndex: number;
  /** Grants made while an older request (invoked earlier, still waiting) was passed over. */
  readonly outOfOrderGrants: number;
  /** Share of grants that went to the oldest waiting request; 0 when nothing was granted. */
  readonly inOrderFraction: number;
}

export function jainIndex(xs: readonly number[]): number {
  const n = xs.length;
  if (n === 0) return 1;
  const sum = xs.reduce((a, b) => a + b, 0);
  const squares = xs.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (n * squares);
}

/** Binary search: the attempt of `rows` (sorted by invoke) that was waiting at `t`, if any. */
function waitingAt(rows: readonly AttemptRow[], t: number): AttemptRow | undefined {
  let lo = 0;
  let hi = rows.length - 1;
  let found: AttemptRow | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = rows[mid];
    if (!r) break;
    if (r.acquireInvokeMs <= t) {
      found = r;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!found) return undefined;
  const end = Number.isNaN(found.acquireDoneMs) ? Infinity : found.acquireDoneMs;
  return end > t ? found : undefined;
}

/**
 * `clientIds` are all clients of the case (a client that got nothing still counts). Only attempts
 * invoked at or after `fromMs` count (the warm-up is left out).
 */
export function fairnessOf(parts: readonly Float64Array[], clientIds: readonly number[], fromMs = -Infinity): FairnessResult {
  const byClient = new Map<number, AttemptRow[]>(clientIds.map((id) => [id, []]));
  for (const part of parts) for (const r of rowsOf(part)) byClient.get(r.client)?.push(r);
  for (const rows of byClient.values()) rows.sort((a, b) => a.acquireInvokeMs - b.acquireInvokeMs);
  const grantsPerClient: number[] = [];
  let grants = 0;
  let outOfOrder = 0;
  for (const id of clientIds) {
    const rows = byClient.get(id) ?? [];
    let mine = 0;
    for (const r of rows) {
      if (r.acquireOutcome !== OUTCOME.ok || r.acquireInvokeMs < fromMs) continue;
      mine++;
      const grantedAt = r.acquireDoneMs;
      // Passed over: another client's request, invoked before ours, still waiting when we got it.
      for (const [other, otherRows] of byClient) {
        if (other === id) continue;
        const w = waitingAt(otherRows, grantedAt);
        if (w && w.acquireInvokeMs < r.acquireInvokeMs) {
          outOfOrder++;
          break;
        }
      }
    }
    grantsPerClient.push(mine);
    grants += mine;
  }
  const shares = grantsPerClient.map((g) => (grants === 0 ? 0 : g / grants));
  const round = (x: number): number => Math.round(x * 10_000) / 10_000;
  return {
    clients: clientIds.length,
    grants,
    grantsPerClient,
    minShare: round(Math.min(...shares, 1)),
    maxShare: round(Math.max(...shares, 0)),
    jainIndex: grants === 0 ? 0 : round(jainIndex(grantsPerClient)),
    outOfOrderGrants: outOfOrder,
    inOrderFraction: grants === 0 ? 0 : round((grants - outOfOrder) / grants),
  };
}
