// Is a process still there, and what are its children? Signal 0 checks without touching it; tests
// use these to prove that nothing they started outlived them, and to find the processes a CLI
// forked (Linux's /proc).
import { readFileSync } from 'node:fs';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A process's state letter and process group from /proc/<pid>/stat; undefined once it is gone. */
export function procStat(pid: number | string): { readonly state: string; readonly pgrp: number } | undefined {
  try {
    // The command name is in parentheses and may hold spaces: fields count from after it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Still running: there, and not a zombie its parent has yet to reap. */
export function running(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z';
}

/** Direct children of `pid` whose command line matches `pattern`. */
export function childrenMatching(pid: number, pattern: RegExp): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children.filter((c) => {
    try {
      return pattern.test(readFileSync(`/proc/${c}/cmdline`, 'utf8'));
    } catch {
      return false; // it exited meanwhile
    }
  });
}
