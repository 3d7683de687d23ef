// Option tables shared by several commands, and their conversion to typed configs. Validation of
// values lives with the config (clusters/topology.ts and each system's driver) so the messages are
// the same everywhere. Each registered system adds its own flags (--redis-nodes, --zk-nodes, …);
// --systems chooses which of them run (clusters/systems/selection.ts).
import type { Argv, Options } from 'yargs';
import { DEFAULT_DURABILITY, durabilityProfiles } from '../clusters/systems/durability.ts';
import { composeSystemsConfig, drivers } from '../clusters/systems/registry.ts';
import { leftOut, parseSystems, SYSTEMS_FLAG, systemsFlagText, systemsHelp } from '../clusters/systems/selection.ts';
import { UsageError } from '../core/errors.ts';
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

/** `--systems` alone (chaos, whose other cluster settings come from its own options). */
export function systemsOptions<T>(y: Argv<T>) {
  return y.option(SYSTEMS_FLAG, { type: 'string', describe: systemsHelp() });
}

export interface SystemsArgs {
  readonly systems?: string | undefined;
}

export function clusterOptions<T>(y: Argv<T>) {
  // The drivers' flags are known only at run time; yargs would type them as "every string key"
  // and drop T, so they are added untyped (ClusterArgs reads them as unknown).
  return systemsOptions(y.options(systemOptions()) as unknown as Argv<T>)
    .option('durability', {
      type: 'string',
      choices: [...durabilityProfiles],
      describe: `memory: no fsync per write (Redis without AOF, ZooKeeper forceSync=no); disk: each write on disk before its reply (Redis AOF appendfsync always, ZooKeeper's default forceSync=yes) [default: ${DEFAULT_DURABILITY}]`,
    })
    .option('client-slots', { type: 'number', default: defaultClusterConfig.clientSlots, describe: 'independent client link sets (one proxy per slot and node)' })
    .option('port-base', { type: 'number', default: defaultClusterConfig.portBase, describe: `first of the 127.0.0.1 ports lockbench publishes (uses base+1 … base+${portSpan()})` });
}

/** The drivers' flags (`redis-nodes`, …) plus the common ones; yargs fills every flag it declared. */
export interface ClusterArgs extends SystemsArgs {
  readonly durability?: string | undefined;
  readonly 'client-slots': number;
  readonly 'port-base': number;
  readonly [flag: string]: unknown;
}

/**
 * Refuses a flag of a system the selection leaves out that was set to something other than its
 * default: it would do nothing, and keeping those fields at their defaults keeps a cluster of the
 * same systems the same config (so it is reused). (A flag given at its default cannot be told apart.)
 */
function refuseLeftOutFlags(a: ClusterArgs, selected: readonly string[]): void {
  const out = leftOut(selected);
  for (const d of drivers) {
    if (!out.includes(d.name)) continue;
    for (const o of d.config.options) {
      const v = a[o.flag];
      if (v === undefined || v === defaults[o.field]) continue;
      throw new UsageError(`--${o.flag} ${typeof v === 'string' ? v : JSON.stringify(v)} sets ${d.name}, which ${systemsFlagText(selected)} leaves out; drop --${o.flag}, or add ${d.name} to --${SYSTEMS_FLAG}`);
    }
  }
}

export function clusterConfigFromArgs(a: ClusterArgs): ClusterConfig {
  const selected = parseSystems(a.systems);
  refuseLeftOutFlags(a, selected);
  const given: Record<string, unknown> = {};
  for (const d of drivers) for (const o of d.config.options) given[o.field] = a[o.flag];
  // The drivers' validate() checks the type and range of every field they own.
  const slices = composeSystemsConfig(a.durability, given);
  return validateClusterConfig({ ...defaultClusterConfig, ...slices, systems: selected, name: defaultClusterConfig.name, clientSlots: a['client-slots'], portBase: a['port-base'] });
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
