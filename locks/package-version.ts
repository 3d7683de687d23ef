// The version of a lock's npm package, read from the installed package's own package.json at run
// time (never written down by hand), so every table and manifest names what actually ran. The
// package is looked up the way Node resolves it from here (node_modules of this file's folder and
// its parents), by its folder name: an npm alias (`redlock-v4` = redlock 4.2.0) has its own folder.
// Not through `require.resolve('<pkg>/package.json')`: a package whose "exports" map leaves out
// package.json (redlock 5.0.0-beta.2) refuses that. A leading "v" is dropped, as npm cleans it:
// that same package's own package.json says "v5.0.0-beta.2", which npm lists as 5.0.0-beta.2.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LockPackage } from './spec.ts';

const require = createRequire(import.meta.url);

/** The package installed in `node_modules/<folder>`: its own name and version; version 'not installed' if absent. */
export function installedPackage(folder: string, searchPaths: readonly string[] = require.resolve.paths(folder) ?? []): LockPackage {
  for (const dir of searchPaths) {
    const file = join(dir, folder, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return { name: typeof pkg.name === 'string' ? pkg.name : folder, version: typeof pkg.version === 'string' ? pkg.version.replace(/^v(?=\d)/, '') : 'unknown' };
  }
  return { name: folder, version: 'not installed' };
}
