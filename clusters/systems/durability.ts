// Durability profiles: one cluster-wide choice of whether a write is on disk before it is
// acknowledged, so that systems are compared like with like. What a profile means for a system is
// its driver's business (SystemConfigHooks.durability); this module only names the profiles.
//
// The default is `disk`: it is the only profile in which every system runs in a mode its own
// documentation calls safe. ZooKeeper ships with forceSync=yes and lists forceSync=no under
// "Unsafe Options"; a Redis lock's safety across a crash-restart needs appendfsync always (or
// restarts delayed past the TTL). `memory` is offered to see the systems without the fsync cost.
export type DurabilityProfile = 'memory' | 'disk';
export const durabilityProfiles: readonly DurabilityProfile[] = ['memory', 'disk'];
export const DEFAULT_DURABILITY: DurabilityProfile = 'disk';

export function isDurabilityProfile(v: unknown): v is DurabilityProfile {
  return durabilityProfiles.includes(v as DurabilityProfile);
}

/** What one profile sets in a system's slice of the config, and how to say it in one phrase. */
export interface DurabilitySettings<C> {
  readonly settings: Partial<C>;
  /** e.g. "AOF, appendfsync always"; for status, bench output and docs. */
  readonly means: string;
}

export type DurabilityMapping<C> = { readonly [P in DurabilityProfile]: DurabilitySettings<C> };
