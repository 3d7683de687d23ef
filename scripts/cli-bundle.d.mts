// Types of scripts/cli-bundle.mjs, for the TypeScript that imports it (its tests).

/** The entry of the current bundle when every input is as it was built; otherwise undefined. */
export function currentBundle(root?: string): string | undefined;
/** Bundles `<root>/cli/main.ts` and makes it current; returns its entry. Throws when esbuild fails. */
export function buildBundle(root?: string): Promise<string>;
/** The bundle's entry, built first when missing or stale; undefined when it cannot be built. */
export function ensureBundle(root?: string): Promise<string | undefined>;
