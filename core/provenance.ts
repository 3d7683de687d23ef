// What makes a stored run reproducible, shared by every kind of run's manifest.json: the command
// line, the git commit (and whether the tree had uncommitted changes), and the versions of Node and
// lockbench, read from the installed package.json rather than written into the code.
import { readFileSync } from 'node:fs';
import { run } from './exec.ts';

const packageJson = new URL('../package.json', import.meta.url);

export interface GitState {
  readonly commit: string | null;
  readonly dirty: boolean;
}

export async function gitCommit(): Promise<GitState> {
  const head = await run('git', ['rev-parse', 'HEAD'], { timeoutMs: 5000 }).catch(() => undefined);
  const status = await run('git', ['status', '--porcelain'], { timeoutMs: 5000 }).catch(() => undefined);
  return { commit: head?.code === 0 ? head.stdout.trim() : null, dirty: (status?.stdout.trim() ?? '') !== '' };
}

/** lockbench's version as installed; 'unknown' when its package.json cannot be read. */
export function lockbenchVersion(): string {
  try {
    const v = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface Provenance {
  readonly argv: readonly string[];
  readonly versions: { readonly node: string; readonly lockbench: string } & Record<string, unknown>;
  readonly git: GitState;
}

/** The manifest fields every run shares; `versions` adds what the caller knows (lock packages). */
export async function provenance(versions: Record<string, unknown> = {}): Promise<Provenance> {
  return { argv: process.argv.slice(2), versions: { node: process.version, lockbench: lockbenchVersion(), ...versions }, git: await gitCommit() };
}
