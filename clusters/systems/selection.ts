// Which backing systems a command brings up (`--systems redis,zookeeper`; default: every registered
// one), and the usage errors that follow from a selection: an unknown or empty list, a lock (or a
// lock module's declared system) that the selection leaves out. Pure and generic: it knows the
// registry's names and never branches on one. A selection is kept in registry order, so the same
// systems always make the same ClusterConfig (clusters/topology.ts sameConfig) whatever order they
// were typed in; each system keeps its port block whether or not the others are selected.
import { UsageError } from '../../core/errors.ts';
import { drivers, systemNames } from './registry.ts';

export const SYSTEMS_FLAG = 'systems';

/** `--systems`'s help: the registered names, and what happens to a running cluster with other systems. */
export function systemsHelp(registered: readonly string[] = systemNames): string {
  return (
    `backing systems to bring up, comma-separated: ${registered.join(', ')}, or all [default: all]; ` +
    'a running cluster with other systems is replaced, as for any other changed cluster flag'
  );
}

/** `raw` as the registered names it lists, deduplicated, in registry order; undefined or `all`: every registered system. */
export function parseSystems(raw: string | undefined, registered: readonly string[] = systemNames): string[] {
  if (raw === undefined || raw.trim() === 'all') return [...registered];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${SYSTEMS_FLAG} needs at least one of ${registered.join(', ')} (comma-separated), or all; got '${raw}'`);
  const unknown = items.filter((s) => !registered.includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`--${SYSTEMS_FLAG}: no backing system named ${unknown.map((s) => `'${s}'`).join(', ')}; choose from ${registered.join(', ')} (comma-separated), or all`);
  }
  return registered.filter((s) => items.includes(s));
}

/**
 * A ClusterConfig's `systems` as read back or built in code: a non-empty list of registered names,
 * returned deduplicated in registry order. A config without one (made by a lockbench before
 * --systems) is refused here, so callers treat it as another version's cluster.
 */
export function validateSystems(v: unknown, registered: readonly string[] = systemNames): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((s): s is string => typeof s === 'string')) {
    throw new UsageError(`the cluster's systems must be a non-empty list of ${registered.join(', ')}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  const unknown = v.filter((s) => !registered.includes(s));
  if (unknown.length > 0) throw new UsageError(`the cluster's systems name ${unknown.map((s) => `'${s}'`).join(', ')}, which no registered system is; systems are ${registered.join(', ')}`);
  return registered.filter((s) => v.includes(s));
}

/** The selection as a user would type it: "--systems redis,zookeeper". */
export function systemsFlagText(selected: readonly string[]): string {
  return `--${SYSTEMS_FLAG} ${selected.join(',')}`;
}

/** The systems of `registered` that `selected` leaves out, in registry order. */
export function leftOut(selected: readonly string[], registered: readonly string[] = systemNames): string[] {
  return registered.filter((s) => !selected.includes(s));
}

/** The registered drivers a config selects, in registry order (each system's port block is still its registry index). */
export function selectedDrivers(config: { readonly systems: readonly string[] }): typeof drivers {
  return drivers.filter((d) => config.systems.includes(d.name));
}

/** Something that runs on one system: a lock by its name and its model's system. */
export interface OnSystem {
  readonly name: string;
  readonly system: string;
}

/** The items whose system is selected, in their own order. */
export function onSelected<T extends OnSystem>(items: readonly T[], selected: readonly string[]): T[] {
  return items.filter((x) => selected.includes(x.system));
}

/**
 * Refuses `subject` (e.g. "lock 'zookeeper'") when its system is not selected, before anything
 * starts, with the two ways out: add the system, or `otherwise` (e.g. "choose a lock on redis: redis, redlock").
 */
export function requireSelected(subject: string, system: string, selected: readonly string[], otherwise: string | undefined, registered: readonly string[] = systemNames): void {
  if (selected.includes(system)) return;
  const added = registered.filter((s) => selected.includes(s) || s === system);
  throw new UsageError(`${subject} runs on ${system}, which ${systemsFlagText(selected)} leaves out; add it (${systemsFlagText(added)})${otherwise ? ` or ${otherwise}` : ''}`);
}

/**
 * The "or …" of requireSelected for a lock: the locks on the selected systems, by system
 * ("choose a lock on redis: redis, redlock, node-redlock"), or undefined when there are none.
 */
export function otherLocksText(locks: readonly OnSystem[], selected: readonly string[]): string | undefined {
  const on = onSelected(locks, selected);
  if (on.length === 0) return undefined;
  const systems = selected.filter((s) => on.some((l) => l.system === s));
  return `choose a lock on ${systems.join(' or ')}: ${on.map((l) => l.name).join(', ')}`;
}

/**
 * The locks that run on the selected systems (the default of bench's --locks and chaos --matrix's),
 * or a UsageError when none does.
 */
export function locksOnSelected<T extends OnSystem>(locks: readonly T[], selected: readonly string[], flag: string): T[] {
  const on = onSelected(locks, selected);
  if (on.length > 0) return on;
  const bySystem = [...new Set(locks.map((l) => l.system))].map((s) => `${s} (${locks.filter((l) => l.system === s).map((l) => l.name).join(', ')})`);
  throw new UsageError(`no lock runs on ${systemsFlagText(selected)}, so ${flag} has nothing to default to; locks run on ${bySystem.join(', ')}: add one of those systems to --${SYSTEMS_FLAG}`);
}
