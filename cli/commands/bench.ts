// `lockbench bench`: the benchmark suite. Thin on purpose: validate the flags (before touching
// Docker, so a typo costs nothing), bring the environment and cluster up, run bench/suite.ts, and
// write results/<run-id>/bench.json — also when a case fails or the user presses Ctrl-C, so what
// was measured is never lost. Table on stdout (or JSON with --json), progress on stderr.
import { durabilityOf } from '../../clusters/systems/registry.ts';
import type { CommandModule } from 'yargs';
import { assembleResult } from '../../bench/assemble.ts';
import { planClusterSize } from '../../bench/cluster-size.ts';
import { suiteOptions } from '../../bench/plan.ts';
import { runSuite, type SuiteOutput } from '../../bench/suite.ts';
import { renderBench } from '../../bench/table.ts';
import { measureSetup } from '../../bench/setup-cost.ts';
import { lockSpecs } from '../../locks/registry.ts';
import { clusterUp } from '../../clusters/cluster.ts';
import { dockerClient } from '../../clusters/docker-engine.ts';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { ClusterControl } from '../../clusters/node-faults.ts';
import { planCluster } from '../../clusters/topology.ts';
import { monoMs } from '../../core/clock.ts';
import { ExitCode, errorMessage } from '../../core/errors.ts';
import { logger } from '../../core/log.ts';
import { newRunId, openRunDir } from '../../core/store.ts';
import { interruptSignal, runContext } from '../context.ts';
import { clusterConfigFromArgs, clusterOptions, environmentOptions, type ClusterArgs, type EnvironmentArgs } from '../options.ts';
import { reportQuietly } from '../report-hook.ts';

const log = logger('bench');

interface BenchArgs extends ClusterArgs, EnvironmentArgs {
  readonly locks: string | undefined;
  readonly clients: string | undefined;
  readonly keys: string | undefined;
  readonly latency: string | undefined;
  readonly duration: number | undefined;
  readonly workers: number | undefined;
  readonly via: string | undefined;
  readonly quick: boolean;
  readonly json: boolean;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'benchmark every lock against the floor measured in the same run: uncontended, contention sweep, open loop, fairness, WAN latency, HTTP end to end',
  builder: (y) =>
    environmentOptions(clusterOptions(y))
      .option('locks', { type: 'string', describe: 'locks to benchmark, comma-separated, or all [default: all: every lock on the --systems selected]' })
      .option('clients', { type: 'string', describe: 'concurrent clients of the sweep, comma-separated [default: 1,4,16,64; --quick 1,16]' })
      .option('keys', { type: 'string', describe: "keys of the sweep: 1 (all fight for one lock), many (one per client) or N [default: 1,many]" })
      .option('latency', { type: 'string', describe: 'WAN cases: one-way latency in ms injected on both streams of every client link, comma-separated; 0 = none [default: 5; --quick 1]' })
      .option('duration', { type: 'number', describe: 'measured seconds per case, after a warm-up of a fifth of it (0.1-1 s) [default: 2.5; --quick 1]' })
      .option('workers', { type: 'number', describe: 'worker processes hosting the lock clients [default: 4]' })
      .option('quick', { type: 'boolean', default: false, describe: 'a smaller suite (about 2 minutes)' })
      .option('via', { type: 'string', describe: "links of the speed cases: the nodes' own ports, or the proxy's (WAN cases always use the proxy) [default: direct]" })
      .option('json', { type: 'boolean', default: false, describe: 'print bench.json on stdout instead of the tables' }),
  handler: async (args) => {
    const config = clusterConfigFromArgs(args);
    const options = suiteOptions({ locks: args.locks, clients: args.clients, keys: args.keys, latency: args.latency, duration: args.duration, quick: args.quick, workers: args.workers, via: args.via, systems: config.systems });
    // The cluster-size cases' temporary cluster (its port base, its name) is checked now, before anything starts.
    planClusterSize(config, options);
    const signal = interruptSignal();
    const started = monoMs();
    const startedAt = new Date();
    const env = await ensureEnvironment({ mayInstallDocker: args['install-docker'], signal });
    const up = await clusterUp(config, env.images, signal);
    const setup = await measureSetup({ docker: dockerClient(), cluster: config.name, ready: up.ready, locks: options.locks.map((l) => lockSpecs[l]) });
    const control = await ClusterControl.attach(dockerClient(), config.name);
    const run = openRunDir(newRunId('bench'));
    const out: SuiteOutput = { floor: null, floorErrors: [], lockFloors: [], wan: [], cases: [], interrupted: false };
    const nodeFlags = (process.env['LOCKBENCH_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
    let failure: unknown;
    try {
      await runSuite(
        { plan: planCluster(config), control, options, runTag: run.id, signal, progress: (m) => log.info(m), ...(nodeFlags.length > 0 ? { workerNodeFlags: nodeFlags } : {}) },
        out,
      );
    } catch (err) {
      failure = err;
      out.error = errorMessage(err);
      out.interrupted = signal.aborted;
    }
    const result = assembleResult({ runId: run.id, startedAt, wallTimeMs: monoMs() - started, options, cluster: config, toxiproxy: up.status.toxiproxy, setup, durability: durabilityOf(config), out });
    const file = run.writeJson('bench.json', result);
    if (args.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else process.stdout.write(`${renderBench(result)}results: ${file}\n`);
    await reportQuietly(run.path);
    if (out.interrupted) {
      runContext.exitCode = ExitCode.interrupted;
      return;
    }
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(errorMessage(failure));
    if (result.violations.length > 0) runContext.exitCode = ExitCode.invalid;
  },
};
