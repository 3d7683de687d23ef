// The run store: every bench or chaos run writes into results/<run-id>/, and results/latest points
// at the newest run. Files are written whole (temp file + rename) so a reader never sees half a
// results.json, and nothing already written is lost when a run is interrupted. What is written is
// masked of registered credentials (core/secrets.ts): an external target's password never lands here.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { redactSecrets } from './secrets.ts';

// An empty LOCKBENCH_RESULTS is unset, not the current folder.
export const RESULTS_DIR = resolve(process.env['LOCKBENCH_RESULTS'] || 'results');

export interface RunDir {
  readonly id: string;
  readonly path: string;
  file(name: string): string;
  writeJson(name: string, value: unknown): string;
  writeText(name: string, text: string): string;
}

/** A new run id: kind, UTC time to the second, and a short random suffix against collisions. */
export function newRunId(kind: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
  return `${kind}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export function openRunDir(id: string, root: string = RESULTS_DIR, opts: { linkLatest?: boolean } = {}): RunDir {
  const path = join(root, id);
  mkdirSync(path, { recursive: true });
  const writeText = (name: string, text: string): string => {
    const target = join(path, name);
    const tmp = `${target}.tmp-${process.pid}`;
    writeFileSync(tmp, redactSecrets(text));
    renameSync(tmp, target);
    return target;
  };
  // Point results/latest at this run (a relative link, so the folder can be moved or archived).
  if (opts.linkLatest ?? true) {
    const latest = join(root, 'latest');
    rmSync(latest, { force: true });
    symlinkSync(id, latest);
  }
  return {
    id,
    path,
    file: (name) => join(path, name),
    writeText,
    writeJson: (name, value) => writeText(name, JSON.stringify(value, null, 2) + '\n'),
  };
}
