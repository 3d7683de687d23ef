// Redis's slice of the cluster config: how many independent masters, and their persistence.
// Redis runs as shipped (Debian's redis-server, its built-in defaults) except two settings: RDB
// snapshots are off in every mode (a periodic fork-and-dump is no per-write durability, and would
// put fork pauses into the latency figures), and AOF follows the persistence mode.
import { UsageError } from '../../../core/errors.ts';
import type { DurabilityMapping } from '../durability.ts';

export type RedisPersistence = 'none' | 'everysec' | 'always';
export const redisPersistenceModes: readonly RedisPersistence[] = ['none', 'everysec', 'always'];
export const MAX_REDIS = 10;

export interface RedisConfig {
  readonly redisNodes: number;
  readonly redisPersistence: RedisPersistence;
}

export const redisDurability: DurabilityMapping<RedisConfig> = {
  memory: { settings: { redisPersistence: 'none' }, means: 'no AOF' },
  // With always, Redis fsyncs the AOF before it sends the replies of the writes it covers.
  disk: { settings: { redisPersistence: 'always' }, means: 'AOF, appendfsync always' },
};

/** The default profile's persistence (durability.ts DEFAULT_DURABILITY is memory). */
export const redisDefaults: RedisConfig = { redisNodes: 5, redisPersistence: 'none' };

export function validateRedisConfig(c: RedisConfig): void {
  if (!Number.isInteger(c.redisNodes) || c.redisNodes < 1 || c.redisNodes > MAX_REDIS) {
    throw new UsageError(`--redis-nodes must be a whole number from 1 to ${MAX_REDIS}, got ${c.redisNodes}`);
  }
  if (!redisPersistenceModes.includes(c.redisPersistence)) {
    throw new UsageError(`--redis-persistence must be one of ${redisPersistenceModes.join(', ')}, got ${c.redisPersistence}`);
  }
}

export function redisArgs(persistence: RedisPersistence): string[] {
  const base = ['redis-server', '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', ''];
  switch (persistence) {
    case 'none':
      return [...base, '--appendonly', 'no'];
    case 'everysec':
      return [...base, '--appendonly', 'yes', '--appendfsync', 'everysec'];
    case 'always':
      return [...base, '--appendonly', 'yes', '--appendfsync', 'always'];
  }
}
