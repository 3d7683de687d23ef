// `lockbench bench`: the benchmark suite. Thin on purpose: validate the flags (before touching
// Docker, so a typo costs nothing), bring the environment and cluster up, run bench/suite.ts, and
// write results/<run-id>/bench.json — also when a case fails or the user presses Ctrl-C, so what
// was measured is never lost. Table on stdout (or JSON with --json), progress on stderr.
import { durabilityOf } from '../../clusters/systems/registry.ts';
import type { CommandModule } from 'yargs';
import { assembleResult } from '../../bench/assemble.ts';
import { planClusterSize } from '../../bench/cluster-size.ts';
import { writeBenchManifest } from '../../bench/manifest.ts';
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
import { clusterConfigFromArgs, clusterOptions, environmentOptions, externalFromArgs, refuseLabSelection, targetOptions, type ClusterArgs, type EnvironmentArgs, type TargetArgs } from '../options.ts';
import { describeTargetForFiles, openExternalSession, type ExternalRunSettings } from '../../clusters/external/session.ts';
import type { SuiteOptions } from '../../bench/plan.ts';
import type { SetupCost } from '../../bench/results.ts';
import type { ClusterConfig, ClusterPlan } from '../../clusters/topology.ts';
import { reportQuietly } from '../report-hook.ts';

const log = logger('bench');

interface BenchArgs extends ClusterArgs, EnvironmentArgs, TargetArgs {
  readonly locks: string | undefined;
  readonly clients: string | undefined;
  readonly keys: string | undefined;
  readonly latency: string | undefined;
  readonly duration: number | undefined;
  readonly workers: number | undefined;
  readonly via: string | undefined;
  readonly quick: boolean | undefined;
  readonly 'max-rate': number | undefined;
  readonly json: boolean;
}

interface BenchTarget extends AsyncDisposable {
  readonly plan: ClusterPlan;
  readonly control: ClusterControl;
  readonly toxiproxy: unknown;
  readonly setup?: readonly SetupCost[];
}

/** The lab's cluster, up, with its set-up cost; or an external target's session (namespace checked, local proxy started). */
async function openBenchTarget(args: BenchArgs, config: ClusterConfig, options: SuiteOptions, external: ExternalRunSettings | undefined, signal: AbortSignal): Promise<BenchTarget> {
  if (external) {
    const session = await openExternalSession({ ...external, clientSlots: config.clientSlots });
    return { plan: session.plan, control: session.control, toxiproxy: 'compat (in process)', [Symbol.asyncDispose]: () => session[Symbol.asyncDispose]() };
  }
  const env = await ensureEnvironment({ mayInstallDocker: args['install-docker'], signal });
  const up = await clusterUp(config, env.images, signal);
  const setup = await measureSetup({ docker: dockerClient(), cluster: config.name, ready: up.ready, locks: options.locks.map((l) => lockSpecs[l]) });
  const control = await ClusterControl.attach(dockerClient(), config.name);
  return { plan: planCluster(config), control, toxiproxy: up.status.toxiproxy, setup, [Symbol.asyncDispose]: () => Promise.resolve() };
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'benchmark every lock against the floor measured in the same run: uncontended, contention sweep, open loop, fairness, WAN latency, HTTP end to end',
  builder: (y) =>
    targetOptions(environmentOptions(clusterOptions(y)))
      .option('locks', { type: 'string', describe: 'locks to benchmark, comma-separated, or all [default: all: every lock on the --systems selected]' })
      .option('clients', { type: 'string', describe: 'concurrent clients of the sweep, comma-separated [default: 1,4,16,64; --quick 1,16]' })
      .option('keys', { type: 'string', describe: "keys of the sweep: 1 (all fight for one lock), many (one per client) or N [default: 1,many]" })
      .option('latency', { type: 'string', describe: 'WAN cases: one-way latency in ms injected on both streams of every client link, comma-separated; 0 = none [default: 5; --quick 1]' })
      .option('duration', { type: 'number', describe: 'measured seconds per case, after a warm-up of a fifth of it (0.1-1 s) [default: 2.5; --quick 1]' })
      .option('workers', { type: 'number', describe: 'worker processes hosting the lock clients [default: 4]' })
      .option('quick', { type: 'boolean', describe: 'a smaller suite (about 2 minutes) [default: off in the lab, on against an external target: --no-quick for the full one]' })
      .option('max-rate', { type: 'number', describe: 'the most lock cycles (or raw pairs) per second any case offers, across its clients [default: none in the lab, 500 against an external target]' })
      .option('via', { type: 'string', describe: "links of the speed cases: the nodes' own ports, or the proxy's (WAN cases always use the proxy) [default: direct]" })
      .option('json', { type: 'boolean', default: false, describe: 'print bench.json on stdout instead of the tables' }),
  handler: async (args) => {
    const runId = newRunId('bench');
    const external = externalFromArgs(args, runId);
    if (external) refuseLabSelection(args);
    const labConfig = clusterConfigFromArgs(args);
    const systems = external ? external.target.systems.map((s) => s.system) : labConfig.systems;
    const quick = args.quick ?? external !== undefined;
    const options = suiteOptions({ locks: args.locks, clients: args.clients, keys: args.keys, latency: args.latency, duration: args.duration, quick, workers: args.workers, via: args.via, systems, maxRate: args['max-rate'], target: external ? 'external' : 'lab', nodeCounts: external ? Object.fromEntries(external.target.systems.map((s) => [s.system, s.endpoints.length])) : undefined });
    // The cluster-size cases' temporary cluster (its port base, its name) is checked now, before anything starts.
    if (!external) planClusterSize(labConfig, options);
    const signal = interruptSignal();
    const started = monoMs();
    const startedAt = new Date();
    await using target = await openBenchTarget(args, labConfig, options, external, signal);
    const { plan, control, setup } = target;
    const config = plan.config;
    const run = openRunDir(runId);
    await writeBenchManifest({ run, startedAt, options, plan, cluster: external ? describeTargetForFiles(external) : config, toxiproxy: target.toxiproxy, ...(external ? {} : { docker: control.docker }) });
    const out: SuiteOutput = { floor: null, floorErrors: [], lockFloors: [], wan: [], cases: [], interrupted: false };
    const nodeFlags = (process.env['LOCKBENCH_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
    let failure: unknown;
    try {
      await runSuite(
        { plan, control, options, runTag: run.id, signal, progress: (m) => log.info(m), ...(nodeFlags.length > 0 ? { workerNodeFlags: nodeFlags } : {}) },
        out,
      );
    } catch (err) {
      failure = err;
      out.error = errorMessage(err);
      out.interrupted = signal.aborted;
    }
    const result = assembleResult({ runId: run.id, startedAt, wallTimeMs: monoMs() - started, options, cluster: external ? describeTargetForFiles(external) : config, toxiproxy: target.toxiproxy, ...(setup ? { setup } : {}), ...(external ? {} : { durability: durabilityOf(config) }), out });
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
