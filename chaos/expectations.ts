// What the literature says a run should show, per lock and fault, so a summary can say whether
// reality agreed. An expectation is about safety only (overlap at the resource, lost updates);
// where nothing is known for sure the answer is undefined and nothing is claimed.
import { isRedlockFamily, leaseLifetimeMs, type ChaosOptions } from './options.ts';

export interface Expectation {
  /** Will the resource see two holders at once? */
  readonly overlap: boolean;
  /** With --fencing: will every stale write be rejected, so no acknowledged update is lost? */
  readonly noLostUpdates?: boolean;
  readonly why: string;
}

export function expectationFor(o: ChaosOptions): Expectation | undefined {
  const lease = leaseLifetimeMs(o);
  switch (o.fault) {
    case 'none':
      return { overlap: false, why: 'without faults every implementation excludes' };
    case 'client-pause':
      if (o.pauseMultiple <= 1) return undefined;
      if (o.fencing && (o.lock === 'zookeeper' || o.lock === 'redis')) {
        return { overlap: true, noLostUpdates: true, why: `a holder paused for ${o.pauseMultiple}× its lease loses it while it still believes it holds; the resource rejects its stale token` };
      }
      return { overlap: true, why: `a holder paused for ${o.pauseMultiple}× its lease (${lease} ms) comes back still believing it holds; nothing stops its stale write` };
    case 'clock-skew':
      if (o.lock === 'zookeeper') return { overlap: false, why: 'ZooKeeper sessions expire on the leader\'s monotonic clock; wall-clock jumps change nothing' };
      if (isRedlockFamily(o.lock) && o.construction && o.clients >= 2 && o.skewMs > o.ttlMs) {
        return { overlap: true, why: 'Kleppmann\'s construction: a forward jump on the master both majorities share expires the holder\'s key there, so the other side wins a majority' };
      }
      if (o.lock === 'redis' && o.skewMs > o.ttlMs) return { overlap: true, why: 'a forward jump on the only node expires the held key at once' };
      return undefined;
    case 'crash':
      if (o.lock === 'zookeeper') return { overlap: false, why: 'the ensemble keeps a quorum; sessions and lock nodes survive a node crash' };
      if (isRedlockFamily(o.lock) && o.construction && o.clients >= 2) {
        if (o.restartDelayMs > o.ttlMs) return { overlap: false, why: 'a delayed restart longer than the TTL: the holder\'s keys are gone everywhere before the crashed master returns' };
        if (o.persistence === 'none') return { overlap: true, why: 'a master restarted without persistence forgets the key it granted, so the other side wins a majority' };
        if (o.persistence === 'always') return { overlap: false, why: 'with fsync always the restarted master still has the key' };
      }
      if (o.lock === 'redis' && o.persistence === 'none' && o.restartDelayMs < o.ttlMs) return { overlap: true, why: 'the single node restarts empty while the holder still believes it holds' };
      return undefined;
    case 'partition':
      if (o.lock === 'zookeeper') return { overlap: false, why: 'a ZooKeeper minority cannot grant; sessions of clients cut off expire before anyone else is granted' };
      return undefined;
    default:
      return undefined;
  }
}
