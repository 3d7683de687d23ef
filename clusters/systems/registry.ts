// The backing systems, keyed by their CLI names. Order is the port layout: a system's port block
// is its index here, so a new system goes at the end and nobody's ports move.
import type { SystemDriver } from './driver.ts';
import { redisDriver } from './redis/driver.ts';
import { redisDefaults, type RedisConfig } from './redis/config.ts';
import { zookeeperDriver } from './zookeeper/driver.ts';
import { zookeeperDefaults, type ZookeeperConfig } from './zookeeper/config.ts';
import { UsageError } from '../../core/errors.ts';

export const systemDrivers = [redisDriver, zookeeperDriver] as const;

/** Every driver's slice of the cluster config. */
export type SystemsConfig = RedisConfig & ZookeeperConfig;
export const systemDefaults: SystemsConfig = { ...redisDefaults, ...zookeeperDefaults };

export type SystemName = (typeof systemDrivers)[number]['name'];
/** The registered drivers, each seen through the whole cluster config (it reads only its slice). */
export const drivers: readonly SystemDriver<SystemsConfig>[] = systemDrivers;
export const systemNames: readonly SystemName[] = systemDrivers.map((d) => d.name);

export function isSystemName(name: string): name is SystemName {
  return systemNames.includes(name as SystemName);
}

/** The driver of a registered system, e.g. of a NodePlan's `system`. */
export function driverFor(name: string): SystemDriver<SystemsConfig> {
  const d = drivers.find((x) => x.name === name);
  if (!d) throw new UsageError(`no backing system named '${name}'; systems are ${systemNames.join(', ')}`);
  return d;
}
