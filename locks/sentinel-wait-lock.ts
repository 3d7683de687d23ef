// `sentinel-wait`: the `sentinel` lock with WAIT 1 after each grant (sentinel-lock.ts): a grant
// counts only once a replica has acknowledged it. Redis 7.0 (Debian 12) has no WAITAOF, so the
// acknowledgement means "in a replica's memory", nothing on disk.
//
// What it does guarantee: a primary that dies after the grant has sent it to at least one replica,
// and Sentinel promotes the replica that has processed the most of the replication stream (after
// replica-priority), which then holds the key unless the acknowledging replica was not the one
// promoted. What it does not: WAIT rolls nothing back (a withdrawn grant may still reach a replica
// later); an old primary cut off from the Sentinels but still with a replica on its side satisfies
// WAIT 1 and keeps granting (split brain); and when the partition heals, the old primary and the
// replica beside it are resynchronised from the new primary, dropping grants both had
// acknowledged ("last failover wins"). Redis's own documentation of WAIT: it "does not make Redis
// a strongly consistent store".
import { SentinelLock } from './sentinel-lock.ts';
import type { LockSpec } from './spec.ts';

// SET NX PX + WAIT 1 (one write a replica acknowledged, W), then compare-and-delete: W + 1 round
// trip; the next waiter's grant needs its own W after a release.
export const sentinelWaitLockSpec: LockSpec = {
  name: 'sentinel-wait',
  model: { system: 'redis-sentinel', lease: 'ttl', family: 'replicated', nodes: 'first', partitionSide: 'client', fencingTokens: false, replicaAcks: 1 },
  floor: { roundTrips: 1, writes: 1, over: 'one-node', handoff: { roundTrips: 0, writes: 1 } },
  colour: '#72b7b2',
  sources: ['locks/sentinel-wait-lock.ts', 'locks/sentinel-lock.ts', 'locks/sentinel-connection.ts', 'locks/redis-connection.ts'],
  create: (ctx) => SentinelLock.create(ctx, { name: 'sentinel-wait', replicaAcks: 1 }),
};
