// Option tables shared by several commands, and their conversion to typed configs. Validation of
// values lives with the config (clusters/topology.ts and each system's driver) so the messages are
// the same everywhere. Each registered system adds its own flags (--redis-nodes, --zk-nodes, …).
import type { Argv, Options } from 'yargs';
import { DEFAULT_DURABILITY, durabilityProfiles } from '../clusters/systems/durability.ts';
import { composeSystemsConfig, drivers } from '../clusters/systems/registry.ts';
import { defaultClusterConfig, portSpan, validateClusterConfig, type ClusterConfig } from '../clusters/topology.ts';

const defaults = defaultClusterConfig as unknown as Readonly<Record<string, unknown>>;

function systemOptions(): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const d of drivers) {
    for (const o of d.config.options) {
      // A field the durability profile sets has no default here: "not given" means "the profile's".
      const dflt = o.fromDurability === true ? {} : { default: defaults[o.field] };
      out[o.flag] = { type: o.type, ...dflt, describe: o.describe, ...(o.choices ? { choices: [...o.choices] } : {}) };
    }
  }
  return out;
}

export function clusterOptions<T>(y: Argv<T>) {
  // The drivers' flags are known only at run time; yargs would type them as "every string key"
  // and drop T, so they are added untyped (ClusterArgs reads them as unknown).
  return (y.options(systemOptions()) as unknown as Argv<T>)
    .option('durability', {
      type: 'string',
      choices: [...durabilityProfiles],
      describe: `memory: no fsync per write (Redis without AOF, ZooKeeper forceSync=no); disk: each write on disk before its reply (Redis AOF appendfsync always, ZooKeeper's default forceSync=yes) [default: ${DEFAULT_DURABILITY}]`,
    })
    .option('client-slots', { type: 'number', default: defaultClusterConfig.clientSlots, describe: 'independent client link sets (one proxy per slot and node)' })
    .option('port-base', { type: 'number', default: defaultClusterConfig.portBase, describe: `first of the 127.0.0.1 ports lockbench publishes (uses base+1 … base+${portSpan()})` });
}

/** The drivers' flags (`redis-nodes`, …) plus the common ones; yargs fills every flag it declared. */
export interface ClusterArgs {
  readonly durability?: string | undefined;
  readonly 'client-slots': number;
  readonly 'port-base': number;
  readonly [flag: string]: unknown;
}

export function clusterConfigFromArgs(a: ClusterArgs): ClusterConfig {
  const given: Record<string, unknown> = {};
  for (const d of drivers) for (const o of d.config.options) given[o.field] = a[o.flag];
  // The drivers' validate() checks the type and range of every field they own.
  const systems = composeSystemsConfig(a.durability, given);
  return validateClusterConfig({ ...defaultClusterConfig, ...systems, name: defaultClusterConfig.name, clientSlots: a['client-slots'], portBase: a['port-base'] });
}

export function environmentOptions<T>(y: Argv<T>) {
  return y.option('install-docker', {
    type: 'boolean',
    default: true,
    describe: "install and start Debian's docker.io when no engine answers (root on Debian only); --no-install-docker to never do that",
  });
}

export interface EnvironmentArgs {
  readonly 'install-docker': boolean;
}
