// `lockbench bench`: brings the cluster up and measures. Today it measures the floor (Redis round
// trips and raw lock-command pairs, direct vs through Toxiproxy); lock benchmarks build on it.
import type { CommandModule } from 'yargs';
import { measureRedisPath, type RedisFloorPath } from '../../bench/redis-floor.ts';
import { clusterUp } from '../../clusters/cluster.ts';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { planCluster } from '../../clusters/topology.ts';
import { UsageError } from '../../core/errors.ts';
import { logger } from '../../core/log.ts';
import { newRunId, openRunDir } from '../../core/store.ts';
import { interruptSignal } from '../context.ts';
import { clusterConfigFromArgs, clusterOptions, environmentOptions, type ClusterArgs, type EnvironmentArgs } from '../options.ts';

const log = logger('bench');

interface BenchArgs extends ClusterArgs, EnvironmentArgs {
  readonly duration: number;
  readonly connections: number;
  readonly json: boolean;
}

function table(paths: readonly RedisFloorPath[]): string {
  const direct = paths.find((p) => p.path === 'direct');
  const rows = paths.map((p) => {
    const ratio = (x: number, y: number | undefined): string => (y ? `${(x / y).toFixed(2)}×` : '');
    return [
      p.path.padEnd(8),
      p.address.padEnd(16),
      p.rttMs.p50.toFixed(3).padStart(8),
      p.rttMs.p99.toFixed(3).padStart(8),
      `${p.roundTripsPerSec}`.padStart(10),
      `${p.lockPairsPerSec}`.padStart(10),
      p === direct ? '' : `rtt p50 ${ratio(p.rttMs.p50, direct?.rttMs.p50)}, round trips/s ${ratio(p.roundTripsPerSec, direct?.roundTripsPerSec)}`,
    ].join(' ');
  });
  return ['path     address          p50 ms   p99 ms   trips/s   pairs/s  vs direct', ...rows, ''].join('\n');
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'measure the floor on the real cluster: Redis round trips and raw SET NX PX + compare-and-delete pairs, direct vs through Toxiproxy',
  builder: (y) =>
    environmentOptions(clusterOptions(y))
      .option('duration', { type: 'number', default: 3, describe: 'seconds per measurement' })
      .option('connections', { type: 'number', default: 16, describe: 'concurrent connections for the throughput measurements' })
      .option('json', { type: 'boolean', default: false, describe: 'print bench.json on stdout instead of a table' }),
  handler: async (args) => {
    if (!(args.duration > 0 && args.duration <= 600)) throw new UsageError(`--duration must be between 0 and 600 seconds, got ${args.duration}`);
    if (!(Number.isInteger(args.connections) && args.connections >= 1 && args.connections <= 256)) throw new UsageError(`--connections must be a whole number from 1 to 256, got ${args.connections}`);
    const config = clusterConfigFromArgs(args);
    const signal = interruptSignal();
    const env = await ensureEnvironment({ mayInstallDocker: args['install-docker'], signal });
    const up = await clusterUp(config, env.images, signal);
    const plan = planCluster(config);
    const node = plan.nodes.find((n) => n.name === 'redis-1');
    const link = node?.proxies[0];
    if (!node || !link) throw new UsageError('the cluster has no redis-1');
    const run = openRunDir(newRunId('bench'));
    const opts = { durationMs: args.duration * 1000, connections: args.connections, signal };
    const paths: RedisFloorPath[] = [];
    log.info(`measuring the Redis floor on ${node.name}, direct (${args.duration} s per measurement)`);
    paths.push(await measureRedisPath('direct', node.directPort, opts));
    log.info(`measuring the Redis floor on ${node.name}, through Toxiproxy (${up.status.toxiproxy.implementation})`);
    paths.push(await measureRedisPath('proxied', link.port, opts));
    const result = {
      runId: run.id,
      kind: 'bench',
      toxiproxy: up.status.toxiproxy,
      cluster: config,
      floor: { redis: paths },
    };
    const file = run.writeJson('bench.json', result);
    if (args.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else process.stdout.write(`${table(paths)}results: ${file}\n`);
  },
};
