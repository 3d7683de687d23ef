// Where the runnable code for a source module is, and how to start or import it. lockbench runs in
// one of two ways: from the esbuild bundle (scripts/cli-bundle.mjs, what `npx lockbench` and the
// npm scripts start), or from the .ts sources under tsx (the tests, `node --import tsx cli/main.ts`).
// A process forked from the bundle must run the same build as its parent — the sources may have
// changed since the parent started, and the two speak a protocol — and must not pay for tsx; under
// tsx it runs the .ts as before. Every fork site names its module by its source URL and asks here,
// so no site branches on how it was started.
import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HarnessError } from './errors.ts';

/**
 * In the bundle, scripts/cli-bundle.mjs replaces `import.meta` by the source's location and adds
 * `lockbenchBundle`, the URL of the directory the bundle's files run from; under tsx it is absent.
 */
const bundleDirUrl = (import.meta as ImportMeta & { readonly lockbenchBundle?: string }).lockbenchBundle;
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** The bundle's directory when this process runs from it, else undefined (running under tsx). */
export const bundleDir: string | undefined = bundleDirUrl === undefined ? undefined : fileURLToPath(bundleDirUrl);

const TS_SOURCE = /\.[cm]?tsx?$/;

/** Whether node needs a TypeScript loader (tsx) to import this file. */
export const isTypeScript = (path: string): boolean => TS_SOURCE.test(path);

/**
 * The file a source entry compiles to inside a bundle: its path from the project root without the
 * extension, `/` as `.` (chaos/worker-main.ts → chaos.worker-main.mjs), flat so every output file
 * sits beside the chunks it imports. scripts/cli-bundle.mjs names its entry points by the same rule.
 */
export function bundledName(root: string, sourcePath: string): string {
  return `${relative(root, sourcePath).replace(TS_SOURCE, '').split(sep).join('.')}.mjs`;
}

export interface Runnable {
  /** The file to give node. */
  readonly path: string;
  /** Node flags it needs before any others (a loader for TypeScript), to put in execArgv. */
  readonly nodeFlags: readonly string[];
}

/**
 * How to start `source` in its own process, for a bundle in `dir` (undefined: running from the
 * sources). From a bundle, a project source runs as its compiled entry — never as the .ts, which
 * might be newer than the bundle — and one that is not an entry is an error here, not a child that
 * fails to start. Source maps are on, so a worker's stack trace names the .ts lines as the CLI's does.
 */
export function runnableIn(dir: string | undefined, source: URL | string, root: string = projectRoot): Runnable {
  const path = typeof source === 'string' ? resolve(source) : fileURLToPath(source);
  if (dir !== undefined && isTypeScript(path)) {
    const compiled = resolve(dir, bundledName(root, path));
    if (!existsSync(compiled)) {
      throw new HarnessError('INTERNAL', `${relative(root, path)} is not an entry of the CLI bundle in ${dir} (add it to the worker entries in scripts/cli-bundle.mjs)`);
    }
    return { path: compiled, nodeFlags: ['--enable-source-maps'] };
  }
  return { path, nodeFlags: isTypeScript(path) ? ['--import', 'tsx'] : [] };
}

/** How to start `source` in its own process from this one (see runnableIn). */
export const runnable = (source: URL | string): Runnable => runnableIn(bundleDir, source);

/** One import per module and process, as node's own import() caches: the same instance each time. */
const userModules = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Imports a module the user named (a `--lock-module`), which may be TypeScript. Under tsx that just
 * works; from the bundle, a TypeScript module goes through tsx's tsImport, which compiles it and
 * whatever .ts it imports in turn without registering tsx for this whole process — so a JavaScript
 * module or a built-in lock costs nothing extra. (tsx's global register() from inside a running
 * process is not the same as `--import tsx`: a .ts outside a `"type": "module"` package then loses
 * its named exports; tsImport keeps them.)
 */
export function importUserModule(path: string): Promise<Record<string, unknown>> {
  const href = pathToFileURL(path).href;
  let loaded = userModules.get(href);
  if (loaded === undefined) {
    loaded =
      bundleDir !== undefined && isTypeScript(path)
        ? import('tsx/esm/api').then(({ tsImport }) => tsImport(href, import.meta.url) as Promise<Record<string, unknown>>)
        : (import(href) as Promise<Record<string, unknown>>);
    userModules.set(href, loaded);
  }
  return loaded;
}
