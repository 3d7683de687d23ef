// Finding a stored run from what the user typed: a folder path, or a bare run id under the results
// folder (results/, or LOCKBENCH_RESULTS where runs were written elsewhere).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_DIR } from '../core/store.ts';

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The first existing folder among `run` itself and <results folder>/<run>, or undefined. */
export async function locateRunDir(run: string): Promise<string | undefined> {
  for (const dir of [run, join(RESULTS_DIR, run)]) if (await isDirectory(dir)) return dir;
  return undefined;
}
