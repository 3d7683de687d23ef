// Chaos run options: the typed form of the CLI flags, their defaults per lock and fault, and their
// validation (usage errors that say how to fix the value). The options every run has are here;
// each fault's own options, defaults and checks live in its module (faults/<fault>.ts) and are
// gathered through the fault registry. Pure, so defaults are tested directly.
import { systemNames } from '../clusters/systems/registry.ts';
import { otherLocksText, requireSelected, validateSystems } from '../clusters/systems/selection.ts';
import { UsageError } from '../core/errors.ts';
import { isLockName, lockNames, lockSpecs } from '../locks/registry.ts';
import type { LockModel } from '../locks/spec.ts';
import type { CoreOptions } from './faults/fault.ts';
import { faultAppliesTo, faultFlags, faultModule, stepKinds, type FaultOptions, type StepKind } from './faults/registry.ts';

export type FaultKind = 'none' | StepKind | 'mix';
export const faultKinds: readonly FaultKind[] = ['none', ...stepKinds, 'mix'];
export const isFaultKind = (s: string): s is FaultKind => (faultKinds as readonly string[]).includes(s);

export type ChaosOptions = CoreOptions &
  FaultOptions & {
    readonly fault: FaultKind;
    /** The systems the run's cluster runs (`--systems`), the lock's among them; absent in runs made before --systems (every system then). */
    readonly systems?: readonly string[];
  };

export type ChaosFlags = Partial<Omit<ChaosOptions, 'lock' | 'fault' | 'lockModel'>> & {
  readonly lock: string;
  readonly fault: string;
  readonly modulePath?: string;
  /** Required with modulePath: what the module declares (locks/user-module.ts loadLockModel). */
  readonly lockModel?: LockModel;
};

/**
 * The lock model of options read back from a stored run, which older versions did not record:
 * a registry lock's own, or, for a lock module, one that claims nothing (no family).
 */
export function storedLockModel(o: { readonly lock: string; readonly lockModel?: LockModel | undefined }): LockModel {
  if (o.lockModel !== undefined) return o.lockModel;
  if (isLockName(o.lock)) return lockSpecs[o.lock].model;
  return { system: 'unknown', lease: 'ttl', family: 'unknown', nodes: 'all', partitionSide: 'client', fencingTokens: false };
}

function modelOf(lock: string, f: ChaosFlags): LockModel {
  if (f.lockModel !== undefined) return f.lockModel;
  if (lock === 'module') throw new UsageError(`--lock-module ${f.modulePath ?? ''}: its declaration (system, lease) must be read before the options are resolved`);
  if (!isLockName(lock)) throw new UsageError(`--lock must be one of ${lockNames.join(', ')} (or use --lock-module PATH), got '${lock}'`);
  return lockSpecs[lock].model;
}

/**
 * Resolves flags to options. Defaults make a meaningful run of about a minute and depend on the
 * fault: a crash needs holds longer than a node restart, a client pause needs a hold for the
 * SIGSTOP to land in.
 */
export function resolveChaosOptions(f: ChaosFlags): ChaosOptions {
  const lock = f.modulePath !== undefined ? 'module' : f.lock;
  if (lock !== 'module' && !isLockName(lock)) throw new UsageError(`--lock must be one of ${lockNames.join(', ')} (or use --lock-module PATH), got '${lock}'`);
  if (!isFaultKind(f.fault)) throw new UsageError(`--fault must be one of ${faultKinds.join(', ')}, got '${f.fault}'`);
  const fault = f.fault;
  const lockModel = modelOf(lock, f);
  const systems = validateSystems(f.systems ?? systemNames);
  const locks = lockNames.map((name) => ({ name, system: lockSpecs[name].model.system }));
  // Before anything starts: a lock whose system is left out could not run. (A stored run's model
  // may name no registered system, e.g. an old module's 'unknown': nothing to select then.)
  if ((systemNames as readonly string[]).includes(lockModel.system)) {
    if (lock === 'module') requireSelected(`the lock module ${f.modulePath ?? ''} (its \`system\`)`, lockModel.system, systems, undefined);
    else requireSelected(`lock '${lock}'`, lockModel.system, systems, otherLocksText(locks, systems));
  }
  const notApplicable = faultAppliesTo(fault, lockModel);
  if (notApplicable !== undefined) throw new UsageError(`--fault ${fault} ${notApplicable}`);
  const wants = fault === 'none' || fault === 'mix' ? {} : (faultModule(fault).defaults?.(lockModel) ?? {});
  const ttlMs = f.ttlMs ?? wants.ttlMs ?? 2000;
  const core: CoreOptions & { readonly fault: FaultKind; readonly systems: readonly string[] } = {
    lock,
    ...(f.modulePath !== undefined ? { modulePath: f.modulePath } : {}),
    lockModel,
    fault,
    systems,
    durationMs: f.durationMs ?? 40_000,
    warmupMs: f.warmupMs ?? 5000,
    clients: f.clients ?? 4,
    keys: f.keys ?? wants.keys ?? 2,
    ttlMs,
    waitMs: f.waitMs ?? ttlMs,
    holdMs: f.holdMs ?? wants.holdMs ?? 10,
    seed: f.seed ?? Math.floor(Math.random() * 2 ** 31),
    fencing: f.fencing ?? false,
    checkLease: f.checkLease ?? false,
    sessionTimeoutMs: f.sessionTimeoutMs ?? 4000,
  };
  const given = f as Readonly<Record<string, unknown>>;
  const faultOptions: Record<string, unknown> = {};
  for (const [key, def] of faultFlags()) faultOptions[key] = given[key] ?? def.default(core);
  return validateChaosOptions({ ...core, ...faultOptions } as ChaosOptions);
}

export function validateChaosOptions(o: ChaosOptions): ChaosOptions {
  const need = (ok: boolean, msg: string): void => {
    if (!ok) throw new UsageError(msg);
  };
  const pos = (v: number): boolean => Number.isFinite(v) && v > 0;
  need(pos(o.durationMs) && o.durationMs <= 3_600_000, `--duration must be between 1 and 3600 seconds, got ${o.durationMs / 1000}`);
  need(Number.isFinite(o.warmupMs) && o.warmupMs >= 0 && o.warmupMs <= 600_000, `--warmup must be between 0 and 600 seconds, got ${o.warmupMs / 1000}`);
  need(Number.isInteger(o.clients) && o.clients >= 1 && o.clients <= 32, `--clients must be a whole number from 1 to 32, got ${o.clients}`);
  need(Number.isInteger(o.keys) && o.keys >= 1 && o.keys <= 1000, `--keys must be a whole number from 1 to 1000, got ${o.keys}`);
  need(Number.isInteger(o.ttlMs) && o.ttlMs >= 100 && o.ttlMs <= 600_000, `--ttl must be a whole number of ms from 100 to 600000, got ${o.ttlMs}`);
  need(Number.isFinite(o.waitMs) && o.waitMs >= 0, `--wait must be ≥ 0 ms, got ${o.waitMs}`);
  need(Number.isFinite(o.holdMs) && o.holdMs >= 0 && o.holdMs < 600_000, `--hold must be between 0 and 600000 ms, got ${o.holdMs}`);
  need(Number.isInteger(o.seed) && o.seed >= 0, `--seed must be a whole number ≥ 0, got ${o.seed}`);
  need(Number.isInteger(o.sessionTimeoutMs) && o.sessionTimeoutMs >= 1000 && o.sessionTimeoutMs <= 10_000, `--session-timeout must be 1000-10000 ms (the ensemble's bounds), got ${o.sessionTimeoutMs}`);
  const values = o as unknown as Readonly<Record<string, unknown>>;
  for (const [key, def] of faultFlags()) {
    const problem = def.check(values[key], o);
    if (problem !== undefined) throw new UsageError(problem);
  }
  for (const kind of stepKinds) {
    const problem = faultModule(kind).validate?.(o);
    if (problem !== undefined) throw new UsageError(problem);
  }
  return o;
}
