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
import type { ExternalRunSettings } from '../clusters/external/session.ts';
import { defaultNamespace, resolveTarget, validateNamespace } from '../clusters/external/target.ts';

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

/** Where the load goes: the lab (default) or an external target (clusters/external/target.ts, docs/external.md). */
export function targetOptions<T>(y: Argv<T>) {
  return y
    .option('target', { type: 'string', describe: 'lab: the Docker cluster lockbench builds; external: services you run, named by --redis/--zookeeper/--etcd/--sentinel or --target-file [default: lab, external when endpoints are given]' })
    .option('target-file', { type: 'string', describe: 'external target: a JSON file of endpoints and credentials (docs/external.md)' })
    .option('redis', { type: 'string', describe: 'external target: Redis endpoints, host:port,… (credentials: LOCKBENCH_REDIS_USERNAME, LOCKBENCH_REDIS_PASSWORD)' })
    .option('zookeeper', { type: 'string', describe: 'external target: ZooKeeper endpoints, host:port,… (digest auth: LOCKBENCH_ZOOKEEPER_DIGEST=user:password)' })
    .option('etcd', { type: 'string', describe: 'external target: etcd endpoints, host:port,… (LOCKBENCH_ETCD_USERNAME, LOCKBENCH_ETCD_PASSWORD)' })
    .option('sentinel', { type: 'string', describe: 'external target: Redis Sentinels, host:port,…; the data nodes are the ones they name (data nodes\' account: LOCKBENCH_SENTINEL_USERNAME, LOCKBENCH_SENTINEL_PASSWORD)' })
    .option('sentinel-master', { type: 'string', describe: 'external target: the master name the Sentinels watch (their "sentinel monitor <name>" line); needed with --sentinel' })
    .option('namespace', { type: 'string', describe: 'external target: everything lockbench writes lives under it, and is removed at the end [default: lockbench/<run-id>]' })
    .option('reuse-namespace', { type: 'boolean', default: false, describe: 'external target: start even when the namespace already holds data (it is removed at the end)' });
}

export interface TargetArgs {
  readonly target?: string | undefined;
  readonly 'target-file'?: string | undefined;
  readonly redis?: string | undefined;
  readonly zookeeper?: string | undefined;
  readonly etcd?: string | undefined;
  readonly sentinel?: string | undefined;
  readonly 'sentinel-master'?: string | undefined;
  readonly namespace?: string | undefined;
  readonly 'reuse-namespace': boolean;
}

/** Flags that shape the lab's cluster mean nothing for an external target: a usage error, before anything starts. */
export function refuseLabSelection(a: { readonly systems?: string | undefined; readonly durability?: string | undefined }): void {
  const lab = [a.systems !== undefined ? '--systems' : '', a.durability !== undefined ? '--durability' : ''].filter(Boolean);
  if (lab.length > 0) throw new UsageError(`${lab.join(' and ')} shape the lab's cluster; an external target's systems are those given endpoints (--redis, --zookeeper, --etcd): drop ${lab.join(' and ')}`);
}

/** The external target the flags describe (checked, credentials resolved), or undefined for the lab. */
export function externalFromArgs(a: TargetArgs, runId: string): ExternalRunSettings | undefined {
  const target = resolveTarget({ target: a.target, targetFile: a['target-file'], redis: a.redis, zookeeper: a.zookeeper, etcd: a.etcd, sentinel: a.sentinel, sentinelMaster: a['sentinel-master'] });
  if (!target) {
    if (a.namespace !== undefined || a['reuse-namespace']) throw new UsageError('--namespace and --reuse-namespace apply to an external target; the lab is lockbench\'s own (give --redis/--zookeeper/--etcd or --target-file)');
    return undefined;
  }
  const namespace = validateNamespace(a.namespace ?? target.namespace ?? defaultNamespace(runId));
  return { target, namespace, reuseNamespace: a['reuse-namespace'] };
}
