// The resource's state per key (value, highest accepted fencing token). State changes only by
// applying audit entries, so replaying audit.jsonl rebuilds exactly the state the resource had:
// the audit log alone is enough to know the final values.
import type { AuditEntry } from '../core/history.ts';
import type { RejectReason } from './protocol.ts';

export interface KeySnapshot {
  readonly value: number;
  /** Highest token of an accepted write, decimal; absent if no accepted write carried one. */
  readonly highestToken?: string;
}

interface KeyState {
  value: number;
  highestToken: bigint | undefined;
}

export interface Rejection {
  readonly reason: RejectReason;
  readonly highestToken?: string;
}

export class ResourceState {
  private readonly keys = new Map<string, KeyState>();

  value(key: string): number {
    return this.keys.get(key)?.value ?? 0;
  }

  highestToken(key: string): bigint | undefined {
    return this.keys.get(key)?.highestToken;
  }

  /**
   * Fencing's rule for a write: its token must be above every token accepted before on the key.
   * Returns undefined when the write may be applied.
   */
  judgeWrite(key: string, token: string | undefined): Rejection | undefined {
    const highest = this.highestToken(key);
    const highestText = highest === undefined ? {} : { highestToken: highest.toString() };
    if (token === undefined) return { reason: 'missing-token', ...highestText };
    if (highest !== undefined && BigInt(token) <= highest) return { reason: 'stale-token', ...highestText };
    return undefined;
  }

  /** Applies one audit entry. Only accepted writes change anything. */
  apply(entry: AuditEntry): void {
    if (entry.event !== 'write' || entry.value === undefined) return;
    let k = this.keys.get(entry.key);
    if (k === undefined) {
      k = { value: 0, highestToken: undefined };
      this.keys.set(entry.key, k);
    }
    k.value = entry.value;
    // max, not assignment: without fencing a write may carry a lower token than an earlier one.
    if (entry.token !== undefined) {
      const token = BigInt(entry.token);
      if (k.highestToken === undefined || token > k.highestToken) k.highestToken = token;
    }
  }

  /** Every key that was ever written, in first-write order. */
  snapshot(): Map<string, KeySnapshot> {
    const out = new Map<string, KeySnapshot>();
    for (const [key, k] of this.keys) {
      out.set(key, { value: k.value, ...(k.highestToken !== undefined && { highestToken: k.highestToken.toString() }) });
    }
    return out;
  }
}

/** The state a resource had after writing these audit entries (a key never written is 0). */
export function replayAudit(entries: Iterable<AuditEntry>): ResourceState {
  const state = new ResourceState();
  for (const entry of entries) state.apply(entry);
  return state;
}
