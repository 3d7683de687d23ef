// ZooKeeper's slice of the cluster config: the ensemble size, and whether the transaction log is
// fsynced before a write is acknowledged (zoo.cfg forceSync; ZooKeeper's default is yes).
import { UsageError } from '../../../core/errors.ts';
import type { DurabilityMapping } from '../durability.ts';

export const MAX_ZK = 9;

export interface ZookeeperConfig {
  readonly zkNodes: number;
  readonly zkForceSync: boolean;
}

export const zookeeperDurability: DurabilityMapping<ZookeeperConfig> = {
  memory: { settings: { zkForceSync: false }, means: 'forceSync=no' },
  disk: { settings: { zkForceSync: true }, means: 'forceSync=yes (its default)' },
};

/** The default profile's settings (durability.ts DEFAULT_DURABILITY is memory). */
export const zookeeperDefaults: ZookeeperConfig = { zkNodes: 3, zkForceSync: false };

export function validateZookeeperConfig(c: ZookeeperConfig): void {
  if (!Number.isInteger(c.zkNodes) || c.zkNodes < 1 || c.zkNodes > MAX_ZK || c.zkNodes % 2 === 0) {
    throw new UsageError(
      `--zk-nodes must be an odd whole number from 1 to ${MAX_ZK} (a ZooKeeper ensemble needs a strict majority; an even size adds no fault tolerance), got ${c.zkNodes}`,
    );
  }
  if (typeof c.zkForceSync !== 'boolean') throw new UsageError(`ZooKeeper's forceSync must be true or false (set by --durability), got ${String(c.zkForceSync)}`);
}

/** The entrypoint's environment (image/entrypoint.sh writes zoo.cfg from it). */
export function zookeeperEnv(ordinal: number, ensemble: readonly number[], c: ZookeeperConfig): string[] {
  return [`ZK_ID=${ordinal}`, `ZK_SERVERS=${ensemble.join(',')}`, `ZK_FORCE_SYNC=${c.zkForceSync ? 'yes' : 'no'}`];
}
