// The harness's own footprint at a moment of a run: resident memory, JS heap and open file
// descriptors. A long run (the soak, docs: README "Soak") records a few of these, so a leak in the
// harness shows as growth between the samples instead of as a crash hours later.
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { monoMs } from './clock.ts';

/**
 * A full garbage collection before each sample, so the heap figure is what the harness still holds,
 * not garbage it has yet to collect (a progress check over a long history leaves hundreds of MB of
 * it). Node exposes gc() only behind a flag, which V8 accepts at run time as well: set at the first
 * sample, not on import, since reports import this file only to format the samples.
 */
let collectGarbage: (() => void) | null | undefined;
function garbageCollector(): (() => void) | null {
  if (collectGarbage !== undefined) return collectGarbage;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collectGarbage = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collectGarbage = null;
  }
  return collectGarbage;
}

export interface UsageSample {
  /** What the moment was: "start", "middle", "end". */
  readonly at: string;
  /** Host monotonic ms. */
  readonly atMs: number;
  readonly rssBytes: number;
  /** After a full garbage collection where one could be run: what the harness still holds. */
  readonly heapUsedBytes: number;
  /** Memory outside the JS heap that V8 tracks (Buffers and other ArrayBuffers among it). */
  readonly externalBytes: number;
  /** Open file descriptors of this process; null where /proc/self/fd cannot be listed (not Linux). */
  readonly openFds: number | null;
}

function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

export function sampleUsage(at: string): UsageSample {
  garbageCollector()?.();
  const m = process.memoryUsage();
  return { at, atMs: monoMs(), rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, openFds: openFds() };
}

/** "RSS 112 → 118 → 117 MiB, heap 40 → 41 → 40 MiB, open fds 41 → 43 → 41": the samples side by side, for summaries and logs. */
export function usageLine(samples: readonly UsageSample[]): string {
  const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
  const fds = samples.map((s) => (s.openFds === null ? '?' : String(s.openFds)));
  return `RSS ${samples.map((s) => mib(s.rssBytes)).join(' → ')} MiB, heap ${samples.map((s) => mib(s.heapUsedBytes)).join(' → ')} MiB, open fds ${fds.join(' → ')} (${samples.map((s) => s.at).join(', ')})`;
}
