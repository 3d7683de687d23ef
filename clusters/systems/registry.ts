// The backing systems, keyed by their CLI names. Order is the port layout: a system's port block
// is its index here, so a new system goes at the end and nobody's ports move.
import type { SystemDriver, SystemOption } from './driver.ts';
import { DEFAULT_DURABILITY, durabilityProfiles, isDurabilityProfile, type DurabilityProfile } from './durability.ts';
import { redisDriver } from './redis/driver.ts';
import { redisDefaults, type RedisConfig } from './redis/config.ts';
import { zookeeperDriver } from './zookeeper/driver.ts';
import { zookeeperDefaults, type ZookeeperConfig } from './zookeeper/config.ts';
import { etcdDriver } from './etcd/driver.ts';
import { etcdDefaults, type EtcdConfig } from './etcd/config.ts';
import { sentinelDriver } from './redis-sentinel/driver.ts';
import { sentinelDefaults, type SentinelConfig } from './redis-sentinel/config.ts';
import { UsageError } from '../../core/errors.ts';

export const systemDrivers = [redisDriver, zookeeperDriver, etcdDriver, sentinelDriver] as const;

/** The cluster-wide durability profile; what it means per system is in each driver. */
export interface DurabilityConfig {
  readonly durability: DurabilityProfile;
}

/** Every driver's slice of the cluster config, and the profile that sets part of them. */
export type SystemsConfig = DurabilityConfig & RedisConfig & ZookeeperConfig & EtcdConfig & SentinelConfig;
/** Every slice's defaults with the default profile applied, so changing DEFAULT_DURABILITY is one line. */
export const systemDefaults: SystemsConfig = {
  durability: DEFAULT_DURABILITY,
  ...redisDefaults,
  ...redisDriver.config.durability[DEFAULT_DURABILITY].settings,
  ...zookeeperDefaults,
  ...zookeeperDriver.config.durability[DEFAULT_DURABILITY].settings,
  ...etcdDefaults,
  ...etcdDriver.config.durability[DEFAULT_DURABILITY].settings,
  ...sentinelDefaults,
  ...sentinelDriver.config.durability[DEFAULT_DURABILITY].settings,
};

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

export function validateDurability(v: unknown): DurabilityProfile {
  if (!isDurabilityProfile(v)) throw new UsageError(`--durability must be one of ${durabilityProfiles.join(', ')}, got '${String(v)}'`);
  return v;
}

const fieldOf = (c: SystemsConfig, field: string): unknown => (c as unknown as Record<string, unknown>)[field];
const flagText = (o: SystemOption, v: unknown): string => `--${o.flag} ${String(v)}`;

/**
 * The systems' slice of a cluster config from the CLI: the profile (`durability`, undefined when
 * --durability was not given: the default profile) sets what each driver's mapping says, then the
 * drivers' flags that were given (`given`: value by ClusterConfig field, undefined = not given)
 * override it. A flag that contradicts an explicit --durability is a UsageError that says which
 * to drop: the run would claim a profile it does not have.
 */
export function composeSystemsConfig(durability: unknown, given: Readonly<Record<string, unknown>>): SystemsConfig {
  const profile = durability === undefined ? DEFAULT_DURABILITY : validateDurability(durability);
  const out: Record<string, unknown> = { ...systemDefaults, durability: profile };
  for (const d of drivers) Object.assign(out, d.config.durability[profile].settings);
  for (const d of drivers) {
    const mapping = d.config.durability[profile];
    for (const o of d.config.options) {
      const v = given[o.field];
      if (v === undefined) continue;
      const set = (mapping.settings as Record<string, unknown>)[o.field];
      if (durability !== undefined && o.fromDurability === true && set !== undefined && set !== v) {
        throw new UsageError(
          `${flagText(o, v)} contradicts --durability ${profile}, which means ${flagText(o, set)} for ${d.name} (${mapping.means}); ` +
            `drop --${o.flag} to run the ${profile} profile, or drop --durability to override only this setting of the default (${DEFAULT_DURABILITY}) profile`,
        );
      }
      out[o.field] = v;
    }
  }
  return out as unknown as SystemsConfig;
}

/** The profile a config was made with (bench.json's top-level `durability`). */
export function durabilityOf(c: SystemsConfig): DurabilityProfile {
  return c.durability;
}

/**
 * Where a config departs from its own profile (an explicit --redis-persistence, chaos's
 * --persistence): e.g. ["--redis-persistence none"]; empty when every system runs the profile.
 */
export function durabilityDepartures(c: SystemsConfig): string[] {
  if (!isDurabilityProfile(c.durability)) return [];
  const out: string[] = [];
  for (const d of drivers) {
    for (const [field, want] of Object.entries(d.config.durability[c.durability].settings)) {
      const have = fieldOf(c, field);
      if (have === want) continue;
      const o = d.config.options.find((x) => x.field === field);
      out.push(o ? flagText(o, have) : `${d.name} ${field} ${String(have)}`);
    }
  }
  return out;
}

/**
 * One line for status, progress and tables: "disk (redis: AOF, appendfsync always; zookeeper:
 * forceSync=yes (its default))", with ", except --redis-persistence none" when it departs.
 */
export function describeDurability(c: SystemsConfig & { readonly systems?: readonly string[] }): string {
  if (!isDurabilityProfile(c.durability)) return 'not recorded (a cluster made before durability profiles)';
  const profile = c.durability;
  // Only the systems the cluster runs (--systems), when it says which.
  const running = drivers.filter((d) => c.systems === undefined || c.systems.includes(d.name));
  const means = running.map((d) => `${d.name}: ${d.config.durability[profile].means}`).join('; ');
  const departures = durabilityDepartures(c);
  return `${profile} (${means})${departures.length > 0 ? `, except ${departures.join(', ')}` : ''}`;
}
