// ZooKeeper's slice of the cluster config: the ensemble size.
import { UsageError } from '../../../core/errors.ts';

export const MAX_ZK = 9;

export interface ZookeeperConfig {
  readonly zkNodes: number;
}

export const zookeeperDefaults: ZookeeperConfig = { zkNodes: 3 };

export function validateZookeeperConfig(c: ZookeeperConfig): void {
  if (!Number.isInteger(c.zkNodes) || c.zkNodes < 1 || c.zkNodes > MAX_ZK || c.zkNodes % 2 === 0) {
    throw new UsageError(
      `--zk-nodes must be an odd whole number from 1 to ${MAX_ZK} (a ZooKeeper ensemble needs a strict majority; an even size adds no fault tolerance), got ${c.zkNodes}`,
    );
  }
}
