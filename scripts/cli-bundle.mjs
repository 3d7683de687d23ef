#!/usr/bin/env node
// cli/main.ts bundled with esbuild into .build/cli/<key>/, so a command can start with plain node
// instead of tsx's loader (which costs about a quarter of a second before any of our code runs).
// The key is a hash of every project file that went into the bundle, of the TypeScript and package
// settings, and of this file: a bundle is used only while all of those are unchanged, so editing a
// source file can never run stale code, and the first run after a change rebuilds (about a second
// on 2 cores: esbuild a third of it, loading the commands for commands.json the rest).
// Packages stay outside the bundle and load from node_modules as usual. The processes lockbench
// forks (chaos and bench workers, the resource) are entry points of the same bundle, so they start
// from the build their parent runs (core/runnable.ts finds them) and without tsx too. Beside the
// code, commands.json holds each command's name and one-line description, so `lockbench --help`
// can list the commands without loading them all (their Docker, chart and bench modules take over
// half a second); it is made by loading the commands once, from the new build, as it is built.
//   node scripts/cli-bundle.mjs     build now if needed (npm's prepare and build scripts run this)
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const projectRoot = resolve(dirname(here), '..');
const buildsDirOf = (root) => join(root, '.build', 'cli');
const currentFileOf = (root) => join(buildsDirOf(root), 'current.json');
/**
 * Builds kept besides the newest: a process started from an older one may still load its chunks
 * and fork its workers from it. An older build goes only once it is also a day old, so a long run
 * (a matrix, a soak) can still start workers from its own build while the sources are being edited.
 */
const KEEP_BUILDS = 3;
const KEEP_MS = 24 * 3600_000;
/** Files esbuild reads besides the sources, and this builder itself. */
const settingsFiles = (root) => ['tsconfig.json', 'package.json', relative(root, here)];
/** Modules run in processes of their own: core/worker-process.ts and resource/process.ts fork them. */
const WORKER_ENTRIES = ['chaos/worker-main.ts', 'chaos/progress-check-main.ts', 'bench/worker-main.ts', 'resource/main.ts'];
/** The command registry, loaded once at build time for commands.json. */
const COMMANDS_ENTRY = 'cli/commands/index.ts';
const TS_SOURCE = /\.[cm]?tsx?$/;
/** An entry's output name: core/runnable.ts bundledName, the same rule (chaos/worker-main.ts → chaos.worker-main). */
const entryName = (rel) => rel.replace(TS_SOURCE, '').split('/').join('.');

/** What a file was when it was built: stat figures for the quick test, the hash for the sure one. */
function fingerprint(root, rel) {
  const abs = join(root, rel);
  const st = statSync(abs); // before reading: a change after this shows as a different stat next time
  const sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex');
  return { size: st.size, mtimeMs: st.mtimeMs, sha256 };
}

function unchanged(root, rel, was) {
  let st;
  try {
    st = statSync(join(root, rel));
  } catch {
    return false;
  }
  if (st.size !== was.size) return false;
  if (st.mtimeMs === was.mtimeMs) return true;
  // Touched (a checkout, a save without edits): the content decides.
  return createHash('sha256').update(readFileSync(join(root, rel))).digest('hex') === was.sha256;
}

/** The entry of the current bundle when every input is as it was built; otherwise undefined. */
export function currentBundle(root = projectRoot) {
  try {
    const current = JSON.parse(readFileSync(currentFileOf(root), 'utf8'));
    const entry = join(buildsDirOf(root), current.key, 'main.mjs');
    statSync(entry);
    for (const [rel, was] of Object.entries(current.inputs)) if (!unchanged(root, rel, was)) return undefined;
    return entry;
  } catch {
    return undefined; // nothing built, or unreadable: build (esbuild then says what is wrong)
  }
}

/**
 * Stands in for `import.meta` in each bundled module: the module's own source location, so
 * `new URL('../x.ts', import.meta.url)` and createRequire resolve as they do under tsx; and, as
 * `lockbenchBundle`, the directory the bundle runs from (the real import.meta of the output file,
 * which esbuild leaves as it is: every output file is at the top of that directory).
 */
function sourceMeta(abs) {
  const url = pathToFileURL(abs).href;
  return `{ url: ${JSON.stringify(url)}, filename: ${JSON.stringify(abs)}, dirname: ${JSON.stringify(dirname(abs))}, resolve: (s) => new URL(s, ${JSON.stringify(url)}).href, lockbenchBundle: new URL('.', import.meta.url).href }`;
}

/** Reads each project source for esbuild, recording its fingerprint from the very bytes compiled. */
function recordingLoader(root, inputs) {
  return {
    name: 'lockbench-inputs',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (relative(root, args.path).split(sep).includes('node_modules')) return undefined;
        const st = statSync(args.path);
        const bytes = readFileSync(args.path);
        inputs[relative(root, args.path)] = { size: st.size, mtimeMs: st.mtimeMs, sha256: createHash('sha256').update(bytes).digest('hex') };
        let contents = bytes.toString('utf8');
        // On the first line, so the source map's line numbers stay the file's own.
        if (contents.includes('import.meta')) contents = `const __sourceMeta = ${sourceMeta(args.path)}; ${contents.replaceAll('import.meta', '__sourceMeta')}`;
        return { contents, loader: 'ts' };
      });
    },
  };
}

function keyOf(inputs) {
  const hash = createHash('sha256');
  for (const rel of Object.keys(inputs).sort()) hash.update(`${rel}\0${inputs[rel].sha256}\n`);
  return hash.digest('hex').slice(0, 16);
}

function writeAtomically(path, text) {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Removes the builds that are neither among the newest few nor recent (never the one just made). */
function pruneBuilds(buildsDir, keep) {
  const builds = readdirSync(buildsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== keep)
    .map((d) => ({ name: d.name, mtimeMs: statSync(join(buildsDir, d.name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  const now = Date.now();
  for (const old of builds.slice(KEEP_BUILDS - 1)) if (now - old.mtimeMs > KEEP_MS) rmSync(join(buildsDir, old.name), { recursive: true, force: true });
}

/**
 * Writes commands.json into the new build: each command's `command`, `describe` and `aliases`, what
 * yargs needs to list it. Loaded in a child process from the build itself, so the list is exactly
 * what that build's commands declare, and this process keeps none of their modules.
 */
function writeCommandSummaries(root, dir) {
  const registry = pathToFileURL(join(dir, `${entryName(COMMANDS_ENTRY)}.mjs`)).href;
  const script = `const { loadCommands } = await import(${JSON.stringify(registry)});
const pick = ({ command, describe, aliases }) => ({ command, describe, ...(aliases === undefined ? {} : { aliases }) });
process.stdout.write(JSON.stringify((await loadCommands()).map(pick)));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, LOCKBENCH_QUIET: '1' } });
  if (r.status !== 0) throw new Error(`loading the commands for commands.json failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}): ${r.stderr}`);
  writeFileSync(join(dir, 'commands.json'), `${JSON.stringify(JSON.parse(r.stdout), null, 1)}\n`);
}

/** Bundles cli/main.ts and makes it current; returns its entry. Throws when esbuild fails. */
export async function buildBundle(root = projectRoot) {
  const { build, stop } = await import('esbuild');
  const buildsDir = buildsDirOf(root);
  const inputs = {};
  for (const rel of settingsFiles(root)) inputs[rel] = fingerprint(root, rel);
  mkdirSync(buildsDir, { recursive: true });
  const tmpDir = join(buildsDir, `tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const extra = [...WORKER_ENTRIES, COMMANDS_ENTRY].filter((rel) => existsSync(join(root, rel)));
    await build({
      absWorkingDir: root,
      entryPoints: { main: 'cli/main.ts', ...Object.fromEntries(extra.map((rel) => [entryName(rel), rel])) },
      bundle: true,
      splitting: true, // each command in its own chunk, loaded only when that command runs
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outdir: tmpDir,
      outExtension: { '.js': '.mjs' },
      sourcemap: true,
      logLevel: 'silent',
      plugins: [recordingLoader(root, inputs)],
    });
    if (extra.includes(COMMANDS_ENTRY)) writeCommandSummaries(root, tmpDir);
    const key = keyOf(inputs);
    const dir = join(buildsDir, key);
    try {
      renameSync(tmpDir, dir);
    } catch (err) {
      // Another process built the same inputs first: its output is the same.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    }
    writeAtomically(currentFileOf(root), JSON.stringify({ key, builtAt: new Date().toISOString(), inputs }, null, 1) + '\n');
    pruneBuilds(buildsDir, key);
    const entry = join(dir, 'main.mjs');
    statSync(entry); // throws if neither this process nor another left a bundle there
    return entry;
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
    // End esbuild's service process now rather than when the command exits.
    await stop();
  }
}

/** The bundle's entry, built first when missing or stale; undefined when it cannot be built. */
export async function ensureBundle(root = projectRoot) {
  const entry = currentBundle(root);
  if (entry !== undefined) return entry;
  try {
    return await buildBundle(root);
  } catch (err) {
    if (process.env.LOCKBENCH_DEBUG) process.stderr.write(`lockbench: cannot bundle the CLI (running it through tsx): ${err?.stack ?? err}\n`);
    return undefined;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === here) {
  // npm's prepare step: a failed build must not fail `npm ci`; the first command builds again.
  const entry = await ensureBundle();
  process.stdout.write(entry === undefined ? 'lockbench: CLI bundle not built; commands will run through tsx\n' : `lockbench: CLI bundle ${relative(projectRoot, entry)}\n`);
}
