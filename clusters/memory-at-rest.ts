// Memory of a cluster's node containers while nothing runs against them: one reading per
// container from the Docker engine's one-shot stats, taken before the suite starts. It is the
// figure `docker stats` shows (usage minus the page cache the kernel can drop). One small reading
// on purpose: clusters/container-stats.ts (per-case usage) can take it over once it is on main.
import type Docker from 'dockerode';
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';
import { listProjectContainers } from './docker-objects.ts';
import { LABEL_NODE, LABEL_ROLE, LABEL_SYSTEM } from './labels.ts';

export interface NodeMemoryAtRest {
  /** Node name (redis-1, zk-2). */
  readonly name: string;
  readonly system: string;
  /** null when the engine gave no figure; `why` says why. */
  readonly memoryBytes: number | null;
  readonly why?: string;
}

/** Docker 20.10 answers one-shot stats at its next 1 s collection tick; allow a few. */
const STATS_TIMEOUT_MS = 5000;

interface MemoryStats {
  readonly usage?: number;
  readonly stats?: Readonly<Record<string, number | undefined>>;
}

/** usage − inactive file cache (cgroup v2: inactive_file, v1: total_inactive_file), as docker stats does. */
export function memoryInUseBytes(m: MemoryStats | undefined): number | null {
  if (m?.usage === undefined || !Number.isFinite(m.usage)) return null;
  const cache = m.stats?.['inactive_file'] ?? m.stats?.['total_inactive_file'] ?? 0;
  return Math.max(0, m.usage - cache);
}

/** Every running node container of `cluster` (not the proxy: it is the lab's, no lock's). */
export async function nodeMemoryAtRest(docker: Docker, cluster: string): Promise<NodeMemoryAtRest[]> {
  const nodes = (await listProjectContainers(docker, cluster)).filter((c) => c.Labels[LABEL_ROLE] !== 'toxiproxy' && c.State === 'running');
  const read = async (c: Docker.ContainerInfo): Promise<NodeMemoryAtRest> => {
    const name = c.Labels[LABEL_NODE] ?? c.Id.slice(0, 12);
    const system = c.Labels[LABEL_SYSTEM] ?? 'unknown';
    try {
      const stats = (await withDeadline(docker.getContainer(c.Id).stats({ stream: false, 'one-shot': true }), `one-shot stats of ${name}`, STATS_TIMEOUT_MS)) as { memory_stats?: MemoryStats };
      const memoryBytes = memoryInUseBytes(stats.memory_stats);
      return memoryBytes === null ? { name, system, memoryBytes, why: 'the engine reported no memory usage' } : { name, system, memoryBytes };
    } catch (err) {
      return { name, system, memoryBytes: null, why: errorMessage(err) };
    }
  };
  return (await Promise.all(nodes.map(read))).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}
