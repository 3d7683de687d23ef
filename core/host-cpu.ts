// The machine's CPU from /proc/stat: how idle all cores were over a window, and how many there
// are. A bench case on a shared machine can be limited by the machine itself (every core busy
// though no single process is saturated); this is the figure that shows it.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

/** Cumulative CPU time of all cores, in the kernel's ticks (USER_HZ). */
export interface HostCpuSample {
  /** idle + iowait: time a core could have run something. */
  readonly idleTicks: number;
  readonly totalTicks: number;
}

/** The aggregate `cpu` line of /proc/stat; undefined when it is not there. */
export function parseProcStat(text: string): HostCpuSample | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((x) => !Number.isFinite(x))) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { idleTicks: idle + iowait, totalTicks: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** One read of /proc/stat; undefined where there is none (not Linux). */
export async function sampleHostCpu(): Promise<HostCpuSample | undefined> {
  try {
    return parseProcStat(await readFile('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Idle share of all cores between two samples, in % (100 = nothing ran); undefined if no time passed. */
export function hostIdlePercent(a: HostCpuSample, b: HostCpuSample): number | undefined {
  const total = b.totalTicks - a.totalTicks;
  if (total <= 0) return undefined;
  return Math.round(((b.idleTicks - a.idleTicks) / total) * 1000) / 10;
}

/** Cores this process may use (the machine's, unless pinned). */
export const hostCores = (): number => availableParallelism();
