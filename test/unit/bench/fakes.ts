// Test doubles for the bench runners: a virtual clock (time moves only when every task is asleep,
// so a "1 ms" step costs exactly 1 ms and no test depends on the machine's speed) and a fake lock
// of known cost — the one place in lockbench where a fake lock is the right thing.
import type { Clock } from '../../../core/clock.ts';
import type { AcquireOptions, AcquireOutcome, Lease, LockClient, ReleaseOutcome } from '../../../locks/lock-client.ts';

interface Timer {
  readonly atMs: number;
  readonly seq: number;
  readonly resolve: () => void;
}

export class VirtualClock implements Clock {
  private now = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private scheduled = false;

  nowMs(): number {
    return this.now;
  }

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.timers.push({ atMs: this.now + Math.max(0, ms), seq: this.seq++, resolve });
      this.schedule();
    });
  }

  /** Fires the earliest timer once the microtask queue is empty (everyone else is asleep). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const t = this.timers.shift();
      if (!t) return;
      this.now = Math.max(this.now, t.atMs);
      t.resolve();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

const never = new AbortController().signal;

/** Acquire always succeeds after `acquireMs`, release after `releaseMs`; counts calls. */
export class FakeLock implements LockClient {
  readonly name = 'fake';
  acquires = 0;
  releases = 0;
  constructor(
    private readonly clock: Clock,
    private readonly acquireMs: number,
    private readonly releaseMs: number,
    private readonly outcome: (n: number) => 'ok' | 'busy' | 'throw' = () => 'ok',
  ) {}

  async acquire(key: string, opts: AcquireOptions): Promise<AcquireOutcome> {
    const n = this.acquires++;
    const t = this.clock.nowMs();
    await this.clock.sleep(this.acquireMs);
    const o = this.outcome(n);
    if (o === 'throw') throw new Error('fake: unknown outcome');
    if (o === 'busy') return { acquired: false, reason: 'busy' };
    const lease: Lease = { key, owner: `o${n}`, acquiredAtMs: t, validUntilMs: t + opts.ttlMs, token: BigInt(n + 1), lost: never };
    return { acquired: true, lease };
  }

  async release(): Promise<ReleaseOutcome> {
    this.releases++;
    await this.clock.sleep(this.releaseMs);
    return 'released';
  }

  async close(): Promise<void> {
    await Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
