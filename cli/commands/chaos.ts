// `lockbench chaos`: one lock under one fault (or the whole lock × fault matrix with --matrix),
// with an audit log as proof; --trials N repeats a scenario with seeds seed, seed+1, …, and
// --sweep PARAM=V1,V2,… repeats it at several values of one parameter. Exit code: 0 valid,
// 1 invalid, 2 unknown (trials and sweeps: 1 if any trial was invalid, else 2 if any was unknown;
// the matrix: 0 when every scenario ran, unless --fail-on-violation), 254 usage error, 255 harness
// crash. Every flag is validated before anything starts.
import type { Argv, CommandModule } from 'yargs';
import { applies, runMatrix } from '../../chaos/matrix.ts';
import { faultModule, faultFlags, stepKinds } from '../../chaos/faults/registry.ts';
import { faultKinds, resolveChaosOptions, type ChaosFlags } from '../../chaos/options.ts';
import { mixPool } from '../../chaos/schedule.ts';
import { runChaos } from '../../chaos/runner.ts';
import { parseSweep, runSweep, sweepParamNames, sweepPoints } from '../../chaos/sweep.ts';
import { parseTrials, rateText, runTrials, trialsExitCode } from '../../chaos/trials.ts';
import { ExitCode, UsageError } from '../../core/errors.ts';
import { systemNames } from '../../clusters/systems/registry.ts';
import { locksOnSelected, parseSystems } from '../../clusters/systems/selection.ts';
import { isLockName, lockNames, lockSpecs } from '../../locks/registry.ts';
import type { LockModel, LockSpec } from '../../locks/spec.ts';
import { loadLockModel } from '../../locks/user-module.ts';
import { interruptSignal, runContext } from '../context.ts';
import { reportQuietly } from '../report-hook.ts';
import { environmentOptions, externalFromArgs, refuseLabSelection, systemsOptions, targetOptions, type EnvironmentArgs, type SystemsArgs, type TargetArgs } from '../options.ts';
import { clientSideFaults, clientSideModel } from '../../chaos/faults/registry.ts';
import type { ExternalRunSettings } from '../../clusters/external/session.ts';
import { newRunId } from '../../core/store.ts';

interface ChaosArgs extends EnvironmentArgs, SystemsArgs, TargetArgs {
  readonly lock: string | undefined;
  readonly 'lock-module': string | undefined;
  readonly fault: string;
  readonly duration: number | undefined;
  readonly warmup: number | undefined;
  readonly clients: number | undefined;
  readonly keys: number | undefined;
  readonly ttl: number | undefined;
  readonly wait: number | undefined;
  readonly hold: number | undefined;
  readonly seed: number | undefined;
  readonly fencing: boolean;
  readonly 'check-lease': boolean;
  readonly 'session-timeout': number | undefined;
  readonly matrix: boolean;
  readonly locks: string | undefined;
  readonly faults: string | undefined;
  readonly 'fail-on-violation': boolean;
  readonly trials: number | undefined;
  readonly sweep: string | undefined;
  readonly json: boolean;
  /** Each fault's own flags (faults/<fault>.ts), by flag name. */
  readonly [faultFlag: string]: unknown;
}

const verdictExit = { valid: ExitCode.valid, invalid: ExitCode.invalid, unknown: ExitCode.unknown } as const;

function flags(a: ChaosArgs, lock: string, fault: string, lockModel?: LockModel, external?: ExternalRunSettings): ChaosFlags & { readonly systems: readonly string[] } {
  const opt = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  const faultValues: Record<string, unknown> = {};
  for (const [key, def] of faultFlags()) if (a[def.flag] !== undefined) faultValues[key] = a[def.flag];
  return {
    lock,
    fault,
    ...opt('modulePath', a['lock-module']),
    ...opt('lockModel', lockModel),
    ...opt('durationMs', a.duration === undefined ? undefined : a.duration * 1000),
    ...opt('warmupMs', a.warmup === undefined ? undefined : a.warmup * 1000),
    ...opt('clients', a.clients),
    ...opt('keys', a.keys),
    ...opt('ttlMs', a.ttl),
    ...opt('waitMs', a.wait),
    ...opt('holdMs', a.hold),
    ...opt('seed', a.seed),
    systems: external ? external.target.systems.map((s) => s.system) : parseSystems(a.systems),
    fencing: a.fencing,
    checkLease: a['check-lease'],
    ...opt('sessionTimeoutMs', a['session-timeout']),
    ...faultValues,
  };
}

/** Every fault's flags, as its module declares them. */
function withFaultFlags<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const def of faultFlags().values()) out = out.option(def.flag, { type: def.type, describe: def.describe, ...(def.choices ? { choices: [...def.choices] } : {}) });
  return out;
}

const faultHelp = (): string => `fault: none, ${stepKinds.map((k) => `${k} (${faultModule(k).describe})`).join('; ')}; mix (a seeded mix of ${mixPool.join(', ')})`;


const lockSystems = (): { name: string; system: string }[] => lockNames.map((name) => ({ name, system: lockSpecs[name].model.system }));

/** --lock, or the first registered lock on the selected systems. */
function lockOf(a: ChaosArgs): string {
  if (a.lock !== undefined) return a.lock;
  if (a['lock-module'] !== undefined) return 'module';
  const first = locksOnSelected(lockSystems(), parseSystems(a.systems), '--lock')[0];
  if (first === undefined) throw new UsageError('--lock: no lock to default to'); // locksOnSelected throws first
  return first.name;
}

function list(value: string | undefined, all: readonly string[], flag: string): string[] {
  if (value === undefined || value === 'all') return [...all];
  const items = value.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = items.filter((x) => !all.includes(x));
  if (bad.length > 0 || items.length === 0) throw new UsageError(`${flag} takes a comma-separated list of ${all.join(', ')}; unknown: ${bad.join(', ') || '(empty)'}`);
  return items;
}

function lockSpecOf(lock: string): LockSpec | undefined {
  return isLockName(lock) ? lockSpecs[lock] : undefined;
}

function lockModelOf(lock: string): LockModel | undefined {
  return lockSpecOf(lock)?.model;
}

/**
 * What an external target cannot do, refused before anything starts: the matrix and sweeps (not
 * yet), --systems (its systems are the ones given endpoints), a lock on a system it does not name,
 * and a fault that needs control of the servers.
 */
function refuseOnExternal(a: ChaosArgs, ext: ExternalRunSettings, model: LockModel | undefined): void {
  if (a.matrix || a.sweep !== undefined) throw new UsageError('--matrix and --sweep run on the lab only so far; against an external target run one --lock and --fault (with --trials N for rates)');
  refuseLabSelection(a);
  if (model === undefined) return;
  const named = ext.target.systems.map((s) => s.system as string);
  if (!named.includes(model.system)) throw new UsageError(`--lock ${lockOf(a)} runs on ${model.system}, and the external target names ${named.join(', ')} only; add --${model.system} host:port,… (or pick a lock on ${named.join(', ')})`);
  const have = ext.target.systems.find((s) => s.system === model.system)?.endpoints.length ?? 0;
  const need = lockSpecOf(lockOf(a))?.minNodes ?? 1;
  if (have < need) throw new UsageError(`--lock ${lockOf(a)} needs at least ${need} ${model.system} nodes, and the target names ${have}; give ${need} endpoints`);
  const ok = clientSideFaults(model);
  if (!ok.includes(a.fault)) {
    throw new UsageError(`--fault ${a.fault} needs control of the servers, which an external target does not give lockbench; faults available against it for ${lockOf(a)}: ${ok.join(', ')}`);
  }
}

export const chaosCommand: CommandModule<object, ChaosArgs> = {
  command: 'chaos',
  describe: 'run a lock under a fault and check the audit log for overlapping holders (or --matrix: every lock × fault)',
  builder: (y) =>
    withFaultFlags(targetOptions(systemsOptions(environmentOptions(y))))
      .option('lock', { type: 'string', describe: `lock under test: ${lockNames.join(', ')} [default: the first of them on the --systems selected: ${lockNames[0] ?? ''} with all]` })
      .option('lock-module', { type: 'string', describe: 'your own lock client module (see README "Testing your own lock client"); replaces --lock' })
      .option('fault', { type: 'string', default: 'partition', describe: faultHelp() })
      .option('duration', { type: 'number', describe: 'seconds of the fault phase (default 40; about a minute in all)' })
      .option('warmup', { type: 'number', describe: 'seconds without faults first (default 5)' })
      .option('clients', { type: 'number', describe: 'client worker processes (default 4)' })
      .option('keys', { type: 'number', describe: 'lock keys the clients share (default 2; 1 for crash and clock-skew)' })
      .option('ttl', { type: 'number', describe: 'lock TTL in ms (default 2000; 8000 for crash on Redis locks)' })
      .option('wait', { type: 'number', describe: 'acquire wait budget in ms (default: the TTL)' })
      .option('hold', { type: 'number', describe: 'ms in the critical section between read and write (default depends on the fault)' })
      .option('seed', { type: 'number', describe: 'seed for the fault schedule and client choices (default random, printed)' })
      .option('fencing', { type: 'boolean', default: false, describe: 'pass fencing tokens; the resource rejects stale ones' })
      .option('check-lease', { type: 'boolean', default: false, describe: 'clients check their lease (validity, session) before writing, as a careful client does' })
      .option('session-timeout', { type: 'number', describe: 'ZooKeeper session timeout in ms (default 4000)' })
      .option('matrix', { type: 'boolean', default: false, describe: 'run every lock × fault scenario (bounded durations)' })
      .option('locks', { type: 'string', describe: 'matrix: comma-separated locks (default: every lock on the --systems selected)' })
      .option('faults', { type: 'string', describe: 'matrix: comma-separated faults (default all but mix)' })
      .option('fail-on-violation', { type: 'boolean', default: false, describe: 'matrix: exit 1 when any scenario is invalid' })
      .option('trials', { type: 'number', describe: 'run each scenario N times (1-100) with seeds seed, seed+1, …; report violation rates with 95% intervals' })
      .option('sweep', { type: 'string', describe: `PARAM=V1,V2,…: the trials at each value of one parameter (${sweepParamNames.join(', ')}), charted as violation rate against it` })
      .option('json', { type: 'boolean', default: false, describe: 'print results as JSON on stdout' }),
  handler: async (a) => {
    const trials = parseTrials(a.trials);
    // A lock module's declaration decides which nodes faults strike: read it before anything starts.
    const moduleModel = a['lock-module'] === undefined ? undefined : await loadLockModel(a['lock-module'], systemNames);
    const external = externalFromArgs(a, newRunId('chaos'));
    // Against an external target the run's model says so: a partition cuts client links only.
    const labModel = moduleModel ?? (a['lock-module'] === undefined ? lockModelOf(lockOf(a)) : undefined);
    const runModel = external && labModel ? clientSideModel(labModel) : moduleModel;
    if (external) refuseOnExternal(a, external, runModel);
    if (a.sweep !== undefined) {
      if (a.matrix) throw new UsageError('--sweep runs one lock under one fault at several values; it does not combine with --matrix (run one sweep per --lock and --fault)');
      if (a.locks !== undefined || a.faults !== undefined) throw new UsageError('--locks and --faults narrow --matrix; a sweep takes one --lock and one --fault');
      const spec = parseSweep(a.sweep);
      const points = sweepPoints(flags(a, lockOf(a), a.fault, moduleModel), spec);
      const signal = interruptSignal();
      const s = await runSweep(spec, points, trials, { signal, mayInstallDocker: a['install-docker'] });
      await reportQuietly(s.dir);
      process.stdout.write(a.json ? JSON.stringify({ dir: s.dir, ...s.file }, null, 2) + '\n' : `${s.markdown}\nsweep: ${s.dir}/sweep.md\n`);
      runContext.exitCode = s.exitCode;
      return;
    }
    const signal = interruptSignal();
    if (a.matrix) {
      const base = flags(a, 'redis', 'none');
      // The default is every lock on the selected systems; in an explicit list, resolveChaosOptions
      // below refuses a lock whose system is left out, saying how to fix it.
      const locks = a.locks === undefined || a.locks === 'all' ? locksOnSelected(lockSystems(), base.systems, '--locks').map((l) => l.name) : list(a.locks, lockNames, '--locks');
      const faults = list(a.faults, faultKinds.filter((f) => f !== 'mix'), '--faults');
      // Validate the shared flags once, before anything starts.
      for (const lock of locks) for (const fault of faults) if (applies(lock, fault)) resolveChaosOptions({ ...base, lock, fault });
      const m = await runMatrix({ locks, faults, base, signal, mayInstallDocker: a['install-docker'], trials });
      await reportQuietly(m.dir);
      process.stdout.write(a.json ? JSON.stringify(m, null, 2) + '\n' : `${m.markdown}\nmatrix: ${m.dir}\n`);
      runContext.exitCode = signal.aborted ? ExitCode.interrupted : a['fail-on-violation'] && m.cells.some((c) => c.verdict === 'invalid') ? ExitCode.invalid : m.cells.every((c) => c.ran) ? ExitCode.valid : ExitCode.crash;
      return;
    }
    if (a.locks !== undefined || a.faults !== undefined) throw new UsageError('--locks and --faults narrow --matrix; for one run use --lock and --fault');
    const o = resolveChaosOptions(flags(a, lockOf(a), a.fault, runModel, external));
    const ext = external === undefined ? {} : { external };
    if (trials > 1) {
      const t = await runTrials(o, trials, { signal, mayInstallDocker: a['install-docker'], ...ext });
      await reportQuietly(t.dir);
      process.stdout.write(a.json ? JSON.stringify({ dir: t.dir, ...t.file }, null, 2) + '\n' : `${t.file.stats.verdict.toUpperCase()} (${rateText(t.file.stats)}): ${t.dir}/trials.md\n`);
      runContext.exitCode = trialsExitCode([t.file.stats], signal.aborted);
      return;
    }
    const r = await runChaos(o, { signal, mayInstallDocker: a['install-docker'], ...ext });
    await reportQuietly(r.dir);
    if (a.json) process.stdout.write(JSON.stringify({ runId: r.runId, dir: r.dir, verdict: r.verdict, aborted: r.aborted, checkers: r.check.checkers, faults: r.faults, liveness: r.liveness, counts: r.counts, clientCrashes: r.clientCrashes ?? [] }, null, 2) + '\n');
    else {
      // A run that stopped early is judged on what it recorded up to then: never a bare verdict.
      const headline = r.aborted === null ? r.verdict.toUpperCase() : `${r.verdict.toUpperCase()} up to where the run stopped early (${r.aborted})`;
      process.stdout.write(`${headline}: ${r.dir}/summary.md\n${r.check.checkers.overlap.summary}\n`);
    }
    if (signal.aborted) runContext.exitCode = ExitCode.interrupted;
    else if (r.aborted) runContext.exitCode = ExitCode.crash;
    else runContext.exitCode = verdictExit[r.verdict];
  },
};
