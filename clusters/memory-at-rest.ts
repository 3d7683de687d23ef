// Memory of a cluster's node containers while nothing runs against them, for ease of setup: one
// snapshot of the containers' memory in use (container-stats.ts: the cgroup's figure, or the
// engine's where the cgroup files cannot be read; both without the page cache the kernel can
// drop, as `docker stats` shows it), taken before the suite starts.
import type Docker from 'dockerode';
import { clusterContainers, sampleContainers } from './container-stats.ts';

export interface NodeMemoryAtRest {
  /** Node name (redis-1, zk-2). */
  readonly name: string;
  readonly system: string;
  /** null when no figure could be read; `why` says why. */
  readonly memoryBytes: number | null;
  readonly why?: string;
}

/** Every running node container of `cluster` (not the proxy: it is the lab's, no lock's). */
export async function nodeMemoryAtRest(docker: Docker, cluster: string): Promise<NodeMemoryAtRest[]> {
  const nodes = (await clusterContainers(docker, cluster)).filter((c) => c.role === 'node');
  const snapshot = await sampleContainers(docker, nodes);
  return nodes
    .map((n): NodeMemoryAtRest => {
      const system = n.system ?? 'unknown';
      const s = snapshot.samples.find((x) => x.ref.id === n.id);
      if (s) return { name: n.name, system, memoryBytes: Math.round(s.memoryBytes) };
      return { name: n.name, system, memoryBytes: null, why: snapshot.missing.find((m) => m.name === n.name)?.why ?? 'no reading' };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}
