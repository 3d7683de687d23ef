// Durability profiles: one cluster-wide choice of whether a write is on disk before it is
// acknowledged, so that systems are compared like with like. What a profile means for a system is
// its driver's business (SystemConfigHooks.durability); this module only names the profiles.
//
// The default is `memory`: Redis as Debian ships it has no AOF, and that is how teams run it for
// locks; on this lab Redis's `appendfsync always` costs about 0.8 ms per write (its growing AOF
// commits the ext4 journal on every fdatasync) while ZooKeeper's preallocated log fsyncs in about
// 0.05 ms, so `disk` mostly measures Redis's AOF on this disk (docs/methodology.md). A process
// kill, the chaos crash fault, keeps the page cache, so `memory` loses nothing a crash test
// relies on; only a machine crash would. `disk` is the profile in which every system runs in a
// mode its own documentation calls safe (ZooKeeper lists forceSync=no under "Unsafe Options").
export type DurabilityProfile = 'memory' | 'disk';
export const durabilityProfiles: readonly DurabilityProfile[] = ['memory', 'disk'];
export const DEFAULT_DURABILITY: DurabilityProfile = 'memory';

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
