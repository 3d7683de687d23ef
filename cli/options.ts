// Option tables shared by several commands, and their conversion to typed configs. Validation of
// values lives with the config (clusters/topology.ts) so the messages are the same everywhere.
import type { Argv } from 'yargs';
import { defaultClusterConfig, redisPersistenceModes, validateClusterConfig, type ClusterConfig, type RedisPersistence } from '../clusters/topology.ts';

export function clusterOptions<T>(y: Argv<T>) {
  return y
    .option('redis-nodes', { type: 'number', default: defaultClusterConfig.redisNodes, describe: 'independent Redis masters (1-10)' })
    .option('zk-nodes', { type: 'number', default: defaultClusterConfig.zkNodes, describe: 'ZooKeeper ensemble size (odd, 1-9)' })
    .option('redis-persistence', {
      type: 'string',
      choices: redisPersistenceModes,
      default: defaultClusterConfig.redisPersistence,
      describe: 'Redis persistence: none, AOF fsync everysec, or AOF fsync always',
    })
    .option('client-slots', { type: 'number', default: defaultClusterConfig.clientSlots, describe: 'independent client link sets (one proxy per slot and node)' })
    .option('port-base', { type: 'number', default: defaultClusterConfig.portBase, describe: 'first of the 127.0.0.1 ports lockbench publishes (uses base+1 … base+1640)' });
}

export interface ClusterArgs {
  readonly 'redis-nodes': number;
  readonly 'zk-nodes': number;
  readonly 'redis-persistence': string;
  readonly 'client-slots': number;
  readonly 'port-base': number;
}

export function clusterConfigFromArgs(a: ClusterArgs): ClusterConfig {
  return validateClusterConfig({
    name: defaultClusterConfig.name,
    redisNodes: a['redis-nodes'],
    zkNodes: a['zk-nodes'],
    redisPersistence: a['redis-persistence'] as RedisPersistence,
    clientSlots: a['client-slots'],
    portBase: a['port-base'],
  });
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
