// Is a process still there? Signal 0 checks without touching it; tests use this to prove that
// nothing they started outlived them.
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
