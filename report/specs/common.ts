// What every chart shares: one colour per lock and per fault kind, so a lock keeps its colour in
// every chart of every run, and the spec type the renderers and the HTML page take.
import type { TopLevelSpec } from 'vega-lite';
import { stepKinds } from '../../chaos/faults/registry.ts';
import { lockNames, lockSpecs } from '../../locks/registry.ts';

/** Known locks in the registry's order; a user's own lock module gets a colour after these. */
export const KNOWN_LOCKS: readonly string[] = lockNames;
const LOCK_COLOURS: Readonly<Record<string, string>> = Object.fromEntries(lockNames.map((n) => [n, lockSpecs[n].colour]));
const SPARE_COLOURS = ['#54a24b', '#9d755d', '#72b7b2', '#eeca3b', '#ff9da6', '#bab0ac'];

/** Locks present in the data, known ones first in their fixed order. */
export function lockOrder(locks: Iterable<string>): string[] {
  const present = new Set(locks);
  const known: string[] = KNOWN_LOCKS.filter((l) => present.has(l));
  const other = [...present].filter((l) => !known.includes(l)).sort();
  return [...known, ...other];
}

/** A color encoding for the `lock` field with stable colours. */
export function lockColour(locks: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  let spare = 0;
  const range = locks.map((l) => LOCK_COLOURS[l] ?? SPARE_COLOURS[spare++ % SPARE_COLOURS.length] ?? '#888');
  return { field: 'lock', type: 'nominal', title: 'lock', scale: { domain: [...locks], range }, ...extra };
}

const FAULT_COLOURS: Readonly<Record<string, string>> = {
  partition: '#9e9e9e',
  crash: '#9d755d',
  'clock-skew': '#b279a2',
  pause: '#72b7b2',
  'client-pause': '#e0b400',
  latency: '#54a24b',
};

/** Colours for faults without a fixed one (a fault added since), handed out in registry order. */
const SPARE_FAULT_COLOURS = ['#4c78a8', '#f58518', '#ff9da6', '#bab0ac', '#eeca3b', '#d67195'];
const spareFaultColour = new Map(stepKinds.filter((k) => FAULT_COLOURS[k] === undefined).map((k, i) => [k as string, SPARE_FAULT_COLOURS[i % SPARE_FAULT_COLOURS.length] ?? '#8c8c8c']));

export function faultColour(fault: string): string {
  return FAULT_COLOURS[fault] ?? spareFaultColour.get(fault) ?? '#8c8c8c';
}

/** A chart the report renders: a file name, a heading and the spec with its data inline. */
export interface ChartSpec {
  /** File stem under charts/: letters, digits and dashes only. */
  readonly name: string;
  readonly heading: string;
  readonly spec: TopLevelSpec;
}

/** A file-name-safe stem. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

export const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** "under partition", or "without faults" for the fault-free baseline. */
export const faultPhrase = (fault: string): string => (fault === 'none' ? 'without faults' : `under ${fault}`);
