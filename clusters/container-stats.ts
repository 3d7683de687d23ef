// CPU and memory of a cluster's containers (every node and the proxy), as two snapshots and the
// usage between them. The counters are read from the containers' cgroup files when this process
// sees them (the engine is local: a read takes well under a millisecond), else from the Docker
// engine's stats endpoint, which on Docker 20.10 answers only at its next 1 s collection tick even
// with one-shot, so it is the fallback, not the way.
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';
import { listProjectContainers } from './docker-objects.ts';
import { LABEL_NODE, LABEL_ROLE, LABEL_SYSTEM } from './labels.ts';

export interface ContainerRef {
  /** Node name (redis-1, zk-2) or 'toxiproxy'. */
  readonly name: string;
  readonly role: 'node' | 'proxy';
  readonly system?: string;
  readonly id: string;
}

export interface ContainerSample {
  readonly ref: ContainerRef;
  /** Cumulative CPU time of every process in the container, ns. */
  readonly cpuNs: number;
  /** When cpuNs was read, host monotonic ms. */
  readonly atMs: number;
  /** Memory in use without the page cache the kernel can drop (docker stats' figure), bytes. */
  readonly memoryBytes: number;
  readonly source: 'cgroup' | 'engine';
}

export interface ContainerSnapshot {
  readonly samples: readonly ContainerSample[];
  /** Containers that could not be read, and why. */
  readonly missing: readonly { readonly name: string; readonly why: string }[];
}

export interface ContainerUsageFigure {
  readonly name: string;
  readonly role: 'node' | 'proxy';
  readonly system?: string;
  /** CPU time ÷ wall time, % of one core. */
  readonly cpuPercent: number;
  /** At the second snapshot. */
  readonly memoryBytes: number;
}

const ENGINE_TIMEOUT_MS = 3000;

/** The running containers of the cluster named `cluster`, by their labels. */
export async function clusterContainers(docker: Docker, cluster: string): Promise<ContainerRef[]> {
  const list = await listProjectContainers(docker, cluster);
  return list
    .filter((c) => c.State === 'running')
    .map((c): ContainerRef => {
      const role = c.Labels[LABEL_ROLE] === 'toxiproxy' ? 'proxy' : 'node';
      const system = c.Labels[LABEL_SYSTEM];
      return { name: c.Labels[LABEL_NODE] ?? c.Names[0] ?? c.Id, role, ...(role === 'node' && system ? { system } : {}), id: c.Id };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `key value` lines (memory.stat, cpu.stat) as numbers. */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out.set(k, Number(v));
  }
  return out;
}

interface CgroupFiles {
  readonly cpu: () => Promise<number>;
  readonly memory: () => Promise<number>;
}

const read = (path: string): Promise<string> => readFile(path, 'utf8');

/** cgroup v1 (cgroupfs or systemd driver) and v2 layouts Docker uses, in the order tried. */
function cgroupCandidates(id: string): CgroupFiles[] {
  const root = '/sys/fs/cgroup';
  const v1 = (dir: string): CgroupFiles => ({
    cpu: async () => Number((await read(`${root}/cpuacct/${dir}/cpuacct.usage`)).trim()),
    memory: async () => {
      const usage = Number((await read(`${root}/memory/${dir}/memory.usage_in_bytes`)).trim());
      const stat = parseKeyValues(await read(`${root}/memory/${dir}/memory.stat`));
      return usage - (stat.get('total_inactive_file') ?? 0);
    },
  });
  const v2 = (dir: string): CgroupFiles => ({
    cpu: async () => (parseKeyValues(await read(`${root}/${dir}/cpu.stat`)).get('usage_usec') ?? Number.NaN) * 1000,
    memory: async () => {
      const usage = Number((await read(`${root}/${dir}/memory.current`)).trim());
      const stat = parseKeyValues(await read(`${root}/${dir}/memory.stat`));
      return usage - (stat.get('inactive_file') ?? 0);
    },
  });
  return [v1(`docker/${id}`), v1(`system.slice/docker-${id}.scope`), v2(`system.slice/docker-${id}.scope`), v2(`docker/${id}`)];
}

// Which layout answered for a container, so later snapshots read one path, not four.
const layoutOf = new Map<string, CgroupFiles>();

async function fromCgroup(ref: ContainerRef): Promise<ContainerSample | undefined> {
  const known = layoutOf.get(ref.id);
  for (const files of known ? [known] : cgroupCandidates(ref.id)) {
    try {
      const cpuNs = await files.cpu();
      const atMs = monoMs();
      const memoryBytes = await files.memory();
      if (!Number.isFinite(cpuNs) || !Number.isFinite(memoryBytes)) continue;
      layoutOf.set(ref.id, files);
      return { ref, cpuNs, atMs, memoryBytes, source: 'cgroup' };
    } catch {
      // Not this layout (or the container is gone): try the next, then the engine.
    }
  }
  layoutOf.delete(ref.id);
  return undefined;
}

interface EngineStats {
  readonly read?: string;
  readonly cpu_stats?: { readonly cpu_usage?: { readonly total_usage?: number } };
  readonly memory_stats?: { readonly usage?: number; readonly stats?: Readonly<Record<string, number>> };
}

/** The engine's figures, converted: `read` (wall clock) becomes host monotonic time. */
export function engineSample(ref: ContainerRef, s: EngineStats, nowMonoMs: number, nowEpochMs: number): ContainerSample | undefined {
  const cpuNs = s.cpu_stats?.cpu_usage?.total_usage;
  const usage = s.memory_stats?.usage;
  if (cpuNs === undefined || usage === undefined) return undefined;
  const stats = s.memory_stats?.stats ?? {};
  const cache = stats['total_inactive_file'] ?? stats['inactive_file'] ?? 0;
  const readEpoch = s.read !== undefined ? Date.parse(s.read) : Number.NaN;
  const atMs = Number.isFinite(readEpoch) ? nowMonoMs - (nowEpochMs - readEpoch) : nowMonoMs;
  return { ref, cpuNs, atMs, memoryBytes: usage - cache, source: 'engine' };
}

async function fromEngine(docker: Docker, ref: ContainerRef): Promise<ContainerSample | undefined> {
  const stats = (await withDeadline(
    docker.getContainer(ref.id).stats({ stream: false, 'one-shot': true }),
    `docker stats of ${ref.name}`,
    ENGINE_TIMEOUT_MS,
  )) as unknown as EngineStats;
  return engineSample(ref, stats, monoMs(), Date.now());
}

/** One snapshot of every container in `refs`, read in parallel; one that fails is listed as missing. */
export async function sampleContainers(docker: Docker, refs: readonly ContainerRef[]): Promise<ContainerSnapshot> {
  const samples: ContainerSample[] = [];
  const missing: { name: string; why: string }[] = [];
  await Promise.all(
    refs.map(async (ref) => {
      try {
        const s = (await fromCgroup(ref)) ?? (await fromEngine(docker, ref));
        if (s) samples.push(s);
        else missing.push({ name: ref.name, why: 'neither its cgroup files nor the engine reported CPU and memory' });
      } catch (err) {
        missing.push({ name: ref.name, why: errorMessage(err) });
      }
    }),
  );
  samples.sort((a, b) => a.ref.name.localeCompare(b.ref.name));
  return { samples, missing };
}

/** Usage between two snapshots, for the containers in both (a restarted container counts from its restart). */
export function containerUsage(a: ContainerSnapshot, b: ContainerSnapshot): ContainerUsageFigure[] {
  const before = new Map(a.samples.map((s) => [s.ref.id, s]));
  const out: ContainerUsageFigure[] = [];
  for (const end of b.samples) {
    const start = before.get(end.ref.id);
    if (!start) continue;
    const wallMs = end.atMs - start.atMs;
    const cpuNs = end.cpuNs >= start.cpuNs ? end.cpuNs - start.cpuNs : end.cpuNs;
    const cpuPercent = wallMs > 0 ? Math.round((cpuNs / 1e6 / wallMs) * 1000) / 10 : 0;
    out.push({ name: end.ref.name, role: end.ref.role, ...(end.ref.system !== undefined ? { system: end.ref.system } : {}), cpuPercent, memoryBytes: Math.max(0, Math.round(end.memoryBytes)) });
  }
  return out;
}
