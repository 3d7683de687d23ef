// Faults keyed by their CLI names (--fault). Adding one is its own file plus one line here: the
// chaos flags, --help, the `mix` pool, the matrix and the options type all come from this map.
import { clientPause } from './client-pause.ts';
import { clockSkew } from './clock-skew.ts';
import { crash } from './crash.ts';
import { failover } from './failover.ts';
import type { FaultModule, FlagDef, StepBase } from './fault.ts';
import type { LockModel } from '../../locks/spec.ts';
import { latency } from './latency.ts';
import { oneWayPartition } from './one-way-partition.ts';
import { packetLoss } from './packet-loss.ts';
import { partition } from './partition.ts';
import { pause } from './pause.ts';
import { replicaLag } from './replica-lag.ts';
import { splitBrain } from './split-brain.ts';

export const faultModules = {
  partition,
  crash,
  'clock-skew': clockSkew,
  pause,
  'client-pause': clientPause,
  latency,
  'one-way-partition': oneWayPartition,
  'packet-loss': packetLoss,
  failover,
  'split-brain': splitBrain,
  'replica-lag': replicaLag,
} as const;

type Modules = (typeof faultModules)[keyof typeof faultModules];
type OptionsOf<M> = M extends FaultModule<infer O, infer _S> ? O : never;
type StepOf<M> = M extends FaultModule<infer _O, infer S> ? S : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every fault's own options, together. */
export type FaultOptions = UnionToIntersection<OptionsOf<Modules>>;
/** One scheduled step of any fault, discriminated by `kind`. */
export type FaultStep = StepOf<Modules>;
export type StepKind = keyof typeof faultModules;

export const stepKinds = Object.keys(faultModules) as StepKind[];

/** The modules as one type, for the code that treats every fault alike. */
export function faultModule(kind: StepKind): FaultModule<object, StepBase> {
  return faultModules[kind] as unknown as FaultModule<object, StepBase>;
}

const flagsByKey = new Map<string, FlagDef<unknown>>();
for (const kind of stepKinds) {
  for (const [key, def] of Object.entries(faultModule(kind).flags as Record<string, FlagDef<unknown>>)) if (!flagsByKey.has(key)) flagsByKey.set(key, def);
}

/** Why fault `kind` cannot strike a lock of `model`, or undefined when it can ('none' and 'mix' always can). */
export function faultAppliesTo(kind: string, model: LockModel): string | undefined {
  if (!(stepKinds as readonly string[]).includes(kind)) return undefined;
  return faultModule(kind as StepKind).appliesTo?.(model);
}

/**
 * A lock's model where only the client side can be struck (an external target): a partition then
 * cuts clients off from nodes through the local proxy, whatever the lab would do to its servers.
 */
export function clientSideModel(model: LockModel): LockModel {
  return { ...model, partitionSide: 'client' };
}

/** Faults that touch only the client side for a lock of this model, once only that side can be struck (no fault at all is one too). */
export function clientSideFaults(model: LockModel): string[] {
  const m = clientSideModel(model);
  return ['none', ...stepKinds.filter((k) => faultModule(k).clientSide?.(m) === true)];
}

/** Every fault flag once (pause and client-pause share --pause-multiple), by option key; built once. */
export function faultFlags(): ReadonlyMap<string, FlagDef<unknown>> {
  return flagsByKey;
}
