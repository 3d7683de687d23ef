// The Sentinel topology's slice of the cluster config: one primary, its replicas and the
// Sentinels that watch it, as teams deploy Redis for locks. Redis and Sentinel run as Debian ships
// them (asynchronous replication, no min-replicas-to-write), with three settings made short enough
// that a failover completes inside a chaos run, and one that makes failback deterministic:
//   down-after-milliseconds 2000   a primary silent for 2 s is subjectively down (default 30 s)
//   failover-timeout        6000   a stuck failover is retried after 2 × 6 s (default 3 min)
//   quorum                  ⌊S/2⌋+1 Sentinels must agree it is down (2 of 3)
//   replica-priority        rs-1 1, the others 100 (default 100 for all): when rs-1 is a healthy
//                           replica, a failover promotes it, so lockbench can put the cluster back
//                           to rs-1 as primary between runs (every floor and fault starts there).
// Persistence follows the durability profile like the independent masters': no AOF in `memory`,
// AOF with appendfsync always in `disk`.
import { UsageError } from '../../../core/errors.ts';
import type { DurabilityMapping } from '../durability.ts';
import { redisPersistenceModes, type RedisPersistence } from '../redis/config.ts';

export const MAX_SENTINEL_REPLICAS = 4;
export const MAX_SENTINELS = 5;
export const MASTER_NAME = 'lockbench';
export const DOWN_AFTER_MS = 2000;
export const FAILOVER_TIMEOUT_MS = 6000;
export const DATA_PREFIX = 'rs';
export const SENTINEL_PREFIX = 'sentinel';
export const DATA_PORT = 6379;
export const SENTINEL_PORT = 26379;

export interface SentinelConfig {
  readonly sentinelReplicas: number;
  readonly sentinels: number;
  readonly sentinelPersistence: RedisPersistence;
}

export const sentinelDurability: DurabilityMapping<SentinelConfig> = {
  memory: { settings: { sentinelPersistence: 'none' }, means: 'no AOF on primary or replicas' },
  disk: { settings: { sentinelPersistence: 'always' }, means: 'AOF, appendfsync always, on primary and replicas' },
};

export const sentinelDefaults: SentinelConfig = { sentinelReplicas: 2, sentinels: 3, sentinelPersistence: 'none' };

export function quorumOf(sentinels: number): number {
  return Math.floor(sentinels / 2) + 1;
}

export function validateSentinelConfig(c: SentinelConfig): void {
  if (!Number.isInteger(c.sentinelReplicas) || c.sentinelReplicas < 1 || c.sentinelReplicas > MAX_SENTINEL_REPLICAS) {
    throw new UsageError(`--sentinel-replicas must be a whole number from 1 to ${MAX_SENTINEL_REPLICAS} (replicas of the one primary), got ${c.sentinelReplicas}`);
  }
  if (!Number.isInteger(c.sentinels) || c.sentinels < 1 || c.sentinels > MAX_SENTINELS || c.sentinels % 2 === 0) {
    throw new UsageError(`--sentinels must be an odd whole number from 1 to ${MAX_SENTINELS} (a failover needs a majority of them), got ${c.sentinels}`);
  }
  if (!redisPersistenceModes.includes(c.sentinelPersistence)) {
    throw new UsageError(`--sentinel-persistence must be one of ${redisPersistenceModes.join(', ')}, got ${c.sentinelPersistence}`);
  }
}

/** AOF flags of a data node under a persistence mode (RDB snapshots off in every mode, as for the masters). */
function persistenceArgs(p: RedisPersistence): string[] {
  if (p === 'none') return ['--appendonly', 'no'];
  return ['--appendonly', 'yes', '--appendfsync', p];
}

/**
 * A data node's command. Every member knows it by its peer proxy (`announce`, toxiproxy:<port>),
 * so replication and the Sentinels' connections run through Toxiproxy; a replica starts following
 * `primary`, the first data node's peer address.
 */
export function dataNodeArgs(o: { readonly ordinal: number; readonly announce: { host: string; port: number }; readonly primary: { host: string; port: number } | undefined; readonly persistence: RedisPersistence }): string[] {
  return [
    'redis-server',
    ...['--bind', '0.0.0.0', '--protected-mode', 'no', '--save', ''],
    ...persistenceArgs(o.persistence),
    ...['--replica-announce-ip', o.announce.host, '--replica-announce-port', String(o.announce.port)],
    ...['--replica-priority', o.ordinal === 1 ? '1' : '100'],
    ...(o.primary ? ['--replicaof', o.primary.host, String(o.primary.port)] : []),
  ];
}

/** A Sentinel's config file (the entrypoint writes it at the container's first start; Sentinel rewrites it as it learns). */
export function sentinelConf(o: { readonly primary: { host: string; port: number }; readonly quorum: number }): string {
  return [
    `port ${SENTINEL_PORT}`,
    'bind 0.0.0.0',
    'protected-mode no',
    // The primary and replicas are known by toxiproxy:<port>, a name, so Sentinel must resolve and report names.
    'sentinel resolve-hostnames yes',
    'sentinel announce-hostnames yes',
    `sentinel monitor ${MASTER_NAME} ${o.primary.host} ${o.primary.port} ${o.quorum}`,
    `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    '',
  ].join('\n');
}
