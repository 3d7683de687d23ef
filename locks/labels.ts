// How tables name a lock, and what they print beside the cells a known defect of its package
// shows in. Everything here reads the lock's spec (package, knownDefects): nothing outside locks/
// branches on a lock's name.
import { isLockName, lockNames, lockSpecs } from './registry.ts';
import type { KnownDefect, LockPackage } from './spec.ts';

/** The third-party package a registered lock wraps, as installed; undefined for lockbench's own and unknown names. */
export function lockPackage(name: string): LockPackage | undefined {
  return isLockName(name) ? lockSpecs[name].package : undefined;
}

/** "node-redlock-v4 (redlock 4.2.0)" for a lock that wraps a package; the bare name otherwise. */
export function lockLabel(name: string): string {
  const p = lockPackage(name);
  return p ? `${name} (${p.name} ${p.version})` : name;
}

/** Every registered lock's package and installed version, by lock name (chaos manifest.json). */
export function lockPackageVersions(): Record<string, LockPackage> {
  const out: Record<string, LockPackage> = {};
  for (const n of lockNames) {
    const p = lockPackage(n);
    if (p) out[n] = { name: p.name, version: p.version };
  }
  return out;
}

function defectsOf(name: string): readonly KnownDefect[] {
  return isLockName(name) ? (lockSpecs[name].knownDefects ?? []) : [];
}

/** A measured cell: the lock, how many clients on which keys ("1", "many", a count), and its rate. */
export interface MeasuredCell {
  readonly lock: string;
  readonly clients: number;
  readonly keys: string;
  readonly perSec: number;
  /** What else sets the cell apart, said after its clients ("5 ms injected"). */
  readonly context?: string;
}

/** Several clients on one key. */
export const isContended = (c: Pick<MeasuredCell, 'clients' | 'keys'>): boolean => c.keys === '1' && c.clients > 1;

/** Whether a defect that shows in `cells` shows in this one. */
const cellsOf: Readonly<Record<KnownDefect['cells'], (c: Pick<MeasuredCell, 'clients' | 'keys'>) => boolean>> = { contended: isContended };
const showsIn = (d: KnownDefect, c: Pick<MeasuredCell, 'clients' | 'keys'>): boolean => cellsOf[d.cells](c);

/** Whether a known defect of this lock's package shows in this cell (the tables mark it). */
export function hasKnownDefect(c: Pick<MeasuredCell, 'lock' | 'clients' | 'keys'>): boolean {
  return defectsOf(c.lock).some((d) => showsIn(d, c));
}

const rate = (x: number): string => (x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));

/**
 * One note per lock with a known defect in the cells given, with the figures measured there:
 * "node-redlock (redlock 5.0.0-beta.2): 1.1 cycles/s on one contended key (16 clients) — a known
 * defect of that beta: … (ref)".
 */
export function knownDefectNotes(cells: readonly MeasuredCell[], unit = 'cycles/s'): string[] {
  const notes: string[] = [];
  for (const lock of [...new Set(cells.map((c) => c.lock))]) {
    for (const d of defectsOf(lock)) {
      const hit = cells.filter((c) => c.lock === lock && showsIn(d, c) && Number.isFinite(c.perSec)).sort((a, b) => a.clients - b.clients);
      if (hit.length === 0) continue;
      const figures = hit.map((c) => `${rate(c.perSec)} ${unit} with ${c.clients} clients${c.context ? `, ${c.context}` : ''}`).join(', ');
      notes.push(`${lockLabel(lock)}: ${figures} on one contended key — ${d.text} (${d.ref})`);
    }
  }
  return notes;
}

/** What a cell says beside its figure when a known defect shows in it: "a known defect of that beta: … (ref)". */
export function knownDefectsIn(c: Pick<MeasuredCell, 'lock' | 'clients' | 'keys'>): string[] {
  return defectsOf(c.lock)
    .filter((d) => showsIn(d, c))
    .map((d) => `${d.text} (${d.ref})`);
}
