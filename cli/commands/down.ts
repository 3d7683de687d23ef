// `lockbench down`: remove every container and network carrying lockbench's label. Idempotent.
import type { CommandModule } from 'yargs';
import { clusterDown } from '../../clusters/cluster.ts';
import { requireEngine } from '../../clusters/docker-engine.ts';

export const downCommand: CommandModule<object, { all: boolean }> = {
  command: 'down',
  describe: 'remove the cluster: every container and network carrying its label',
  builder: (y) => y.option('all', { type: 'boolean', default: false, describe: 'remove every lockbench cluster, not only this one (LOCKBENCH_CLUSTER)' }),
  handler: async (args) => {
    const docker = await requireEngine('there is nothing to remove');
    const removed = await clusterDown(docker, { all: args.all });
    process.stdout.write(`removed ${removed.containers} container(s) and ${removed.networks} network(s)\n`);
  },
};
