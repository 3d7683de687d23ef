// etcd's slice of the cluster config: how many members. etcd runs with its defaults (Debian's
// etcd 3.4.23 sources, built with the skew hook: image/Dockerfile): heartbeat, election timeout,
// fsync of every WAL entry, its data on the container's own disk.
import { UsageError } from '../../../core/errors.ts';
import type { DurabilityMapping } from '../durability.ts';

export const MAX_ETCD = 9;

export interface EtcdConfig {
  readonly etcdNodes: number;
}

// etcd 3.4 has no switch to skip fsync (--unsafe-no-fsync arrived in 3.5), so both profiles run it
// as shipped: every Raft entry is fsynced to the WAL before it is acknowledged. The `memory`
// profile therefore departs from "like with like" for etcd, and every place that states the
// profile says so (durability.ts: describeDurability prints this phrase).
export const etcdDurability: DurabilityMapping<EtcdConfig> = {
  memory: { settings: {}, means: 'WAL fsync as shipped (etcd 3.4 cannot turn it off)' },
  disk: { settings: {}, means: 'WAL fsync as shipped (its default)' },
};

export const etcdDefaults: EtcdConfig = { etcdNodes: 3 };

export function validateEtcdConfig(c: EtcdConfig): void {
  if (!Number.isInteger(c.etcdNodes) || c.etcdNodes < 1 || c.etcdNodes > MAX_ETCD || c.etcdNodes % 2 === 0) {
    throw new UsageError(
      `--etcd-nodes must be an odd whole number from 1 to ${MAX_ETCD} (a Raft cluster needs a strict majority; an even size adds no fault tolerance), got ${c.etcdNodes}`,
    );
  }
}

/** The entrypoint's environment (image/entrypoint.sh builds etcd's flags from it). */
export function etcdEnv(ordinal: number, members: readonly number[]): string[] {
  return [`ETCD_ORDINAL=${ordinal}`, `ETCD_MEMBERS=${members.join(',')}`];
}
