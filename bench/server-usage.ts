// What the servers spent during a case: CPU and memory of every node container and the proxy
// (clusters/container-stats.ts), the machine's idle CPU (core/host-cpu.ts), and each node's own
// counters on its direct port (its driver's `counters` hook: Redis INFO, ZooKeeper mntr). A window
// is two snapshots, one at start and one at stop, each read in parallel in a few milliseconds, so
// a case can be wrapped without disturbing it. Nothing here throws for one container or node that
// cannot be read: the window records what it could and lists the rest under `missing`.
import type Docker from 'dockerode';
import { clusterContainers, containerUsage, sampleContainers, type ContainerRef, type ContainerSnapshot } from '../clusters/container-stats.ts';
import { dockerClient } from '../clusters/docker-engine.ts';
import { driverFor } from '../clusters/systems/registry.ts';
import type { NodeCounters } from '../clusters/systems/driver.ts';
import type { ClusterPlan, NodePlan } from '../clusters/topology.ts';
import { monoMs } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import { hostCores, hostIdlePercent, sampleHostCpu, type HostCpuSample } from '../core/host-cpu.ts';
import { logger } from '../core/log.ts';
import type { ServerUsage } from './results.ts';

const log = logger('server-usage');
const HOST = '127.0.0.1';
/** A node's counters must answer within this; a slower one is listed as missing, not waited for. */
const COUNTERS_TIMEOUT_MS = 500;

export interface ServerUsageWindow {
  /** Takes the second snapshot and returns the usage between the two; never throws. */
  stop(): Promise<ServerUsage>;
}

type NodeCounterValues = Record<string, number>;

interface Snapshot {
  readonly atMs: number;
  readonly containers: ContainerSnapshot;
  readonly host: HostCpuSample | undefined;
  readonly counters: ReadonlyMap<string, NodeCounterValues>;
  readonly missing: readonly string[];
}

/** The node's own counters, where its system's driver has cheap ones. */
export const countersOf = (node: NodePlan): NodeCounters | undefined => driverFor(node.system).counters;

/** One read of the counters of every node in `nodes` (those whose driver has them). */
export async function readNodeCounters(nodes: readonly NodePlan[]): Promise<{ counters: Map<string, NodeCounterValues>; missing: string[] }> {
  const counters = new Map<string, NodeCounterValues>();
  const missing: string[] = [];
  await Promise.all(
    nodes.map(async (n) => {
      const hook = countersOf(n);
      // A node without a container is an external target's: its counters are not lockbench's to read
      // (and 127.0.0.1:directPort is not where it listens).
      if (!hook || n.container === '') return;
      try {
        counters.set(n.name, await hook.read(HOST, n.directPort, COUNTERS_TIMEOUT_MS));
      } catch (err) {
        missing.push(`${n.name}: counters: ${errorMessage(err)}`);
      }
    }),
  );
  return { counters, missing };
}

async function snapshot(docker: Docker, plan: ClusterPlan, refs: readonly ContainerRef[]): Promise<Snapshot> {
  const [containers, host, counters] = await Promise.all([sampleContainers(docker, refs), sampleHostCpu(), readNodeCounters(plan.nodes)]);
  const missing = [...containers.missing.map((m) => `${m.name}: container: ${m.why}`), ...counters.missing];
  if (!host) missing.push('host: /proc/stat could not be read');
  return { atMs: monoMs(), containers, host, counters: counters.counters, missing };
}

/**
 * Deltas for counters (the end value when it went down: the node restarted and counts from zero;
 * the end value when it was absent at the start),
 * end values for gauges, for the nodes read at both ends.
 */
export function counterDeltas(
  plan: ClusterPlan,
  a: ReadonlyMap<string, NodeCounterValues>,
  b: ReadonlyMap<string, NodeCounterValues>,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const n of plan.nodes) {
    const end = b.get(n.name);
    const start = a.get(n.name);
    const hook = countersOf(n);
    if (!end || !start || !hook) continue;
    const d: Record<string, number> = {};
    for (const [metric, v] of Object.entries(end)) {
      const s = start[metric];
      if (hook.isGauge(metric)) d[metric] = v;
      // Absent at the start counts from zero: Redis lists a command in commandstats once it is first called.
      else d[metric] = s === undefined || v < s ? v : v - s;
    }
    out[n.name] = d;
  }
  return out;
}

function usageBetween(plan: ClusterPlan, a: Snapshot, b: Snapshot): ServerUsage {
  const containers = containerUsage(a.containers, b.containers);
  const seen = new Set(containers.map((c) => c.name));
  const missing = [...new Set([...a.missing, ...b.missing])];
  for (const s of a.containers.samples) if (!seen.has(s.ref.name) && !missing.some((m) => m.startsWith(`${s.ref.name}:`))) missing.push(`${s.ref.name}: container: not readable at the end of the window`);
  const sources = new Set([...a.containers.samples, ...b.containers.samples].map((s) => s.source));
  const idle = a.host && b.host ? hostIdlePercent(a.host, b.host) : undefined;
  const counters = counterDeltas(plan, a.counters, b.counters);
  return {
    containers,
    // NaN (null in bench.json) when /proc/stat was not readable: unknown is not "0% idle".
    hostIdlePercent: idle ?? Number.NaN,
    hostCores: hostCores(),
    ...(Object.keys(counters).length > 0 ? { counters } : {}),
    windowMs: Math.round(b.atMs - a.atMs),
    ...(sources.size > 0 ? { source: sources.size > 1 ? 'mixed' : sources.has('cgroup') ? 'cgroup' : 'engine' } : {}),
    ...(missing.length > 0 ? { missing } : {}),
  };
}

const emptyUsage = (why: string): ServerUsage => ({ containers: [], hostIdlePercent: Number.NaN, hostCores: hostCores(), missing: [why] });

/**
 * Starts a window over the cluster of `plan`: the first snapshot is taken before this resolves.
 * It resolves even when the engine cannot be asked (the window then reports only what it read).
 * Every read has its own short deadline, so `signal` is not needed to end one; it is accepted so
 * callers can pass their case's signal without caring.
 */
export async function startServerUsage(plan: ClusterPlan, o: { readonly signal?: AbortSignal; readonly docker?: Docker } = {}): Promise<ServerUsageWindow> {
  if (plan.external) return { stop: () => Promise.resolve(emptyUsage('an external target: its servers are not lockbench\'s to sample')) };
  const docker = o.docker ?? dockerClient();
  let refs: ContainerRef[] = [];
  let listError: string | undefined;
  try {
    refs = await clusterContainers(docker, plan.config.name);
  } catch (err) {
    listError = `containers: listing them failed: ${errorMessage(err)}`;
  }
  const expected = [...plan.nodes.map((n) => n.name), 'toxiproxy'];
  const absent = expected.filter((name) => !refs.some((r) => r.name === name)).map((name) => `${name}: container: not running`);
  const first: Snapshot | { readonly err: unknown } = await snapshot(docker, plan, refs).catch((err: unknown) => ({ err }));
  return {
    async stop(): Promise<ServerUsage> {
      if ('err' in first) return emptyUsage(`snapshot: ${errorMessage(first.err)}`);
      try {
        const second = await snapshot(docker, plan, refs);
        const u = usageBetween(plan, first, second);
        const extra = [...(listError ? [listError] : []), ...absent];
        if (extra.length > 0) log.debug(`server usage without ${extra.join('; ')}`);
        return extra.length > 0 ? { ...u, missing: [...extra, ...(u.missing ?? [])] } : u;
      } catch (err) {
        return emptyUsage(`snapshot: ${errorMessage(err)}`);
      }
    },
  };
}
