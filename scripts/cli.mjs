#!/usr/bin/env node
// The lockbench command (package.json `bin`: `npx lockbench <command>`; every npm script that runs
// a command is `node scripts/cli.mjs <command>`): runs cli/main.ts with the arguments given, from
// the esbuild bundle (scripts/cli-bundle.mjs), built first when a source changed, so no stale build
// ever runs and no TypeScript loader is paid for at start-up. It runs in this very process — npm
// run → sh → node, no relay process in between — so a Ctrl-C reaches it once, from the terminal.
// When the bundle cannot be built, the same cli/main.ts runs through tsx in this process instead:
// same output, slower.
//   node scripts/cli.mjs check results/<run-id>     same as: tsx cli/main.ts check results/<run-id>
// cli/main.ts reads the arguments after this script's path, as it does after its own.
import { pathToFileURL } from 'node:url';
import { ensureBundle } from './cli-bundle.mjs';

const entry = await ensureBundle();
if (entry !== undefined) {
  // Stack traces (internal errors, LOCKBENCH_DEBUG) then name the .ts files and lines.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(entry).href);
} else {
  await import('tsx');
  await import('../cli/main.ts');
}
