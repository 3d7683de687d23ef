// `lockbench up`: start the cluster, or reuse the running one when it is healthy.
import type { CommandModule } from 'yargs';
import { clusterUp } from '../../clusters/cluster.ts';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { drivers } from '../../clusters/systems/registry.ts';
import { defaultClusterConfig } from '../../clusters/topology.ts';
import { interruptSignal } from '../context.ts';
import { clusterConfigFromArgs, clusterOptions, environmentOptions, type ClusterArgs, type EnvironmentArgs } from '../options.ts';
import { formatStatus } from './status.ts';

export const upCommand: CommandModule<object, ClusterArgs & EnvironmentArgs & { json: boolean }> = {
  command: 'up',
  describe: `start ${drivers.map((d) => d.describeNodes(d.config.nodeCount(defaultClusterConfig))).join(' + ')} behind Toxiproxy, or the --systems chosen (or reuse a healthy running cluster of the same systems and flags; one with other systems is replaced)`,
  builder: (y) => environmentOptions(clusterOptions(y)).option('json', { type: 'boolean', default: false, describe: 'print the cluster status as JSON' }),
  handler: async (args) => {
    const config = clusterConfigFromArgs(args);
    const signal = interruptSignal();
    const env = await ensureEnvironment({ mayInstallDocker: args['install-docker'], signal });
    const up = await clusterUp(config, env.images, signal);
    if (args.json) process.stdout.write(JSON.stringify({ ...up.status, reused: up.reused, upMs: Math.round(up.upMs) }, null, 2) + '\n');
    else process.stdout.write(`${up.reused ? 'reused' : 'started'} in ${(up.upMs / 1000).toFixed(1)} s\n${formatStatus(up.status)}`);
  },
};
