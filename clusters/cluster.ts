// Cluster lifecycle: up (start, or reuse when healthy), status, down. A cluster is the nodes of the
// systems its config selects (`systems`, from --systems; default every registered one,
// systems/registry.ts) on one labelled Docker network, with a Toxiproxy in front of every client
// link (one proxy per client slot and node, see topology.ts). What "ready" and a node's role mean
// is each driver's business. A running cluster with other systems is replaced like one with any
// other differing config: what runs is always what the command asked for, so a bench or chaos run
// never shares the machine with systems it did not ask for.
import type Docker from 'dockerode';
import { monoMs } from '../core/clock.ts';
import { HarnessError, errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { waitFor } from '../core/wait.ts';
import { dockerClient } from './docker-engine.ts';
import {
  configFromLabels,
  createNodeContainer,
  createToxiproxyContainer,
  ensureNetwork,
  listProjectContainers,
  removeProjectObjects,
} from './docker-objects.ts';
import type { BuiltImages, ToxiproxyImpl } from './images.ts';
import { LABEL_IMPL, LABEL_NODE, LABEL_ROLE, LABEL_SYSTEM } from './labels.ts';
import { assertPortsFree } from './ports.ts';
import { toxiproxyClient } from './toxiproxy-client.ts';
import { resetNodeState } from './node-faults.ts';
import { loadReadyTimes, saveReadyTimes, type ReadyMsBySystem, type ReadyReading } from './ready-times.ts';
import { driverFor } from './systems/registry.ts';
import { selectedDrivers } from './systems/selection.ts';
import { defaultClusterConfig, nodesOf, planCluster, publishedPorts, sameConfig, type ClusterConfig, type ClusterPlan, type NodePlan } from './topology.ts';
import { markInForce } from '../core/in-force.ts';

const log = logger('cluster');
const HOST = '127.0.0.1';
/** The longest any system may take to become ready (drivers cap their own waits below it). */
const NODES_READY_TIMEOUT_MS = 120_000;
const PROXY_READY_TIMEOUT_MS = 30_000;

export interface ProxiedAddress {
  readonly slot: number;
  readonly proxy: string;
  readonly address: string;
}

export interface NodeStatus {
  readonly name: string;
  readonly system: string;
  readonly container: string;
  readonly state: string; // running, paused, exited, missing
  /** As the system's driver reports it (ZooKeeper: leader / follower / …; Redis: master); 'unreachable' when it does not answer. */
  readonly role: string;
  readonly direct: string;
  readonly proxied: readonly ProxiedAddress[];
}

export interface ClusterStatus {
  readonly config: ClusterConfig;
  readonly network: string;
  readonly nodes: readonly NodeStatus[];
  readonly toxiproxy: {
    readonly container: string;
    readonly state: string;
    readonly api: string;
    readonly implementation: ToxiproxyImpl;
    readonly version: string | null;
  };
}

export const address = (port: number): string => `${HOST}:${port}`;


async function nodeRole(node: NodePlan, state: string): Promise<string> {
  if (state !== 'running') return 'unreachable';
  return driverFor(node.system).role(HOST, node.directPort);
}

/** Every node's role: from its system's `roles` where the driver reads them together, else one by one. */
async function nodeRoles(plan: ClusterPlan, stateOf: (n: NodePlan) => string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    selectedDrivers(plan.config).map(async (d) => {
      const nodes = nodesOf(plan, d.name);
      const together = d.roles ? await d.roles(nodes, HOST).catch(() => undefined) : undefined;
      await Promise.all(nodes.map(async (n) => out.set(n.name, stateOf(n) !== 'running' ? 'unreachable' : (together?.get(n.name) ?? (await nodeRole(n, stateOf(n)))))));
    }),
  );
  return out;
}

async function toxiproxyVersion(plan: ClusterPlan): Promise<string | null> {
  try {
    const raw = await toxiproxyClient(plan).getVersion();
    // toxiproxy-node-client 4.1 returns the raw body, {"version": "2.12.0"}.
    const parsed = JSON.parse(typeof raw === 'string' ? raw : JSON.stringify(raw)) as { version?: string };
    return parsed.version ?? null;
  } catch {
    return null;
  }
}

/** Status of the running cluster, or undefined if there is none. */
export async function clusterStatus(docker: Docker = dockerClient(), cluster: string = defaultClusterConfig.name): Promise<ClusterStatus | undefined> {
  const containers = await listProjectContainers(docker, cluster);
  const config = configFromLabels(containers);
  if (!config) return undefined;
  let plan: ClusterPlan;
  try {
    plan = planCluster(config);
  } catch (err) {
    throw new HarnessError('CLUSTER_START_FAILED', `the running cluster ${cluster} was made by another lockbench version (${errorMessage(err)}); \`npm run up\` replaces it, \`npm run down\` removes it`);
  }
  const byNode = new Map(containers.map((c) => [c.Labels[LABEL_NODE] ?? '', c]));
  const stateOf = (n: NodePlan): string => byNode.get(n.name)?.State ?? 'missing';
  const roles = await nodeRoles(plan, stateOf);
  const nodes = plan.nodes.map((n): NodeStatus => {
      const state = stateOf(n);
      return {
        name: n.name,
        system: n.system,
        container: n.container,
        state,
        role: roles.get(n.name) ?? 'unreachable',
        direct: address(n.directPort),
        proxied: n.proxies.map((p) => ({ slot: p.slot, proxy: p.name, address: address(p.port) })),
      };
  });
  const t = byNode.get('toxiproxy');
  return {
    config,
    network: plan.network,
    nodes,
    toxiproxy: {
      container: plan.toxiproxy.container,
      state: t?.State ?? 'missing',
      api: `http://${HOST}:${plan.toxiproxy.apiPort}`,
      implementation: (t?.Labels[LABEL_IMPL] as ToxiproxyImpl | undefined) ?? 'compat',
      version: t?.State === 'running' ? await toxiproxyVersion(plan) : null,
    },
  };
}

/** Is every node answering, the ensemble formed and every proxy passing traffic? */
async function isHealthy(plan: ClusterPlan): Promise<boolean> {
  try {
    await waitForNodes(plan, 3000, undefined, true);
    await waitForProxies(plan, 3000);
    return true;
  } catch (err) {
    log.debug(`existing cluster not healthy: ${errorMessage(err)}`);
    return false;
  }
}

async function waitForNodes(plan: ClusterPlan, timeoutMs: number, signal?: AbortSignal, checkOnly = false): Promise<void> {
  await Promise.all(selectedDrivers(plan.config).map((d) => d.waitReady(nodesOf(plan, d.name), { host: HOST, timeoutMs, checkOnly, ...(signal ? { signal } : {}) })));
}

/**
 * Starts each system's containers and waits for it to be ready, every system at once, and says
 * how long each took from its first container's start (the engine's StartedAt) to its driver's
 * ready check passing. Each system is polled as soon as its own containers run, so a slow start
 * of another does not delay when its readiness is seen.
 */
async function startNodesTimed(plan: ClusterPlan, nodes: readonly { readonly plan: NodePlan; readonly container: Docker.Container }[], timeoutMs: number, signal?: AbortSignal): Promise<ReadyMsBySystem> {
  const entries = await Promise.all(
    selectedDrivers(plan.config).map(async (d) => {
      const mine = nodes.filter((n) => n.plan.system === d.name);
      await Promise.all(mine.map((n) => n.container.start()));
      signal?.throwIfAborted();
      await d.waitReady(nodesOf(plan, d.name), { host: HOST, timeoutMs, ...(signal ? { signal } : {}) });
      const readyAt = Date.now();
      const startedAt = (await Promise.all(mine.map((n) => n.container.inspect()))).map((i) => Date.parse(i.State.StartedAt));
      return [d.name, Math.max(0, readyAt - Math.min(...startedAt))] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Every proxy passes a request to its node. */
async function waitForProxies(plan: ClusterPlan, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const sig = signal ? { signal } : {};
  const checks = plan.nodes.flatMap((n) => n.proxies.map((p) => ({ n, p })));
  await Promise.all(
    checks.map(({ n, p }) =>
      waitFor(() => driverFor(n.system).passesTraffic(HOST, p.port, 1000), {
        what: `proxy ${p.name} on ${address(p.port)} to pass traffic to ${n.name}`,
        timeoutMs: Math.min(timeoutMs, PROXY_READY_TIMEOUT_MS),
        ...sig,
      }),
    ),
  );
}

/** Creates (or re-creates) every proxy of the plan in a running Toxiproxy. */
export async function populateProxies(plan: ClusterPlan): Promise<void> {
  const client = toxiproxyClient(plan);
  await waitFor(async () => (await toxiproxyVersion(plan)) !== null, { what: `the Toxiproxy API on port ${plan.toxiproxy.apiPort}`, timeoutMs: PROXY_READY_TIMEOUT_MS });
  await client.populate(
    plan.nodes.flatMap((n) => [...n.proxies, ...(n.peerProxy ? [n.peerProxy] : [])].map((p) => ({ name: p.name, listen: `0.0.0.0:${p.port}`, upstream: `${n.name}:${n.internalPort}`, enabled: true }))),
  );
}

function imageOf(images: BuiltImages, system: string): string {
  const image = images.systems[system];
  if (image === undefined) throw new HarnessError('INTERNAL', `no image was built for ${system}`);
  return image;
}

/** Why a running cluster is not reused, for the log: its systems when they differ, else the config or its health. */
function whyReplaced(existing: ClusterConfig | undefined, wanted: ClusterConfig): string {
  if (existing && sameConfig(existing, wanted)) return 'is not healthy or out of date';
  const had = existing?.systems;
  if (Array.isArray(had) && had.join(',') !== wanted.systems.join(',')) return `runs ${had.join(', ')} (this command asks for ${wanted.systems.join(', ')})`;
  return 'has another config';
}

export interface UpResult {
  readonly status: ClusterStatus;
  readonly reused: boolean;
  readonly upMs: number;
  /** Per system, container start → serving as one cluster (measured now, or when the reused cluster was started). */
  readonly ready: ReadyReading;
}

/**
 * Starts the cluster, or reuses the running one when it has the same config (the same systems
 * included) and is healthy (after healing leftovers of earlier faults: toxics removed, proxies
 * re-enabled); one with other systems or another config is removed first.
 * On failure or Ctrl-C it removes everything it created, so nothing half-started is left.
 */
export async function clusterUp(config: ClusterConfig, images: BuiltImages, signal?: AbortSignal): Promise<UpResult> {
  const docker = dockerClient();
  const started = monoMs();
  const plan = planCluster(config);
  const existing = await listProjectContainers(docker, plan.config.name);
  const existingConfig = configFromLabels(existing);
  const imagesMatch = existing.every((c) => {
    if (c.Labels[LABEL_ROLE] === 'toxiproxy') return c.Image === images.toxiproxy;
    return c.Image === images.systems[c.Labels[LABEL_SYSTEM] ?? ''];
  });
  // Ports our own running cluster publishes are not a clash: they are freed when it is replaced.
  // Read from its containers, not planned from its label: a cluster made by an older lockbench has
  // a config this one no longer accepts, and is replaced all the same.
  const ours = new Set(existing.flatMap((c) => c.Ports.map((p) => p.PublicPort).filter((p): p is number => typeof p === 'number')));
  await assertPortsFree(publishedPorts(plan).filter((p) => !ours.has(p)));
  if (existingConfig && sameConfig(existingConfig, plan.config) && imagesMatch && existing.length === plan.nodes.length + 1 && (await isHealthy(plan))) {
    await toxiproxyClient(plan).reset();
    await populateProxies(plan);
    await Promise.all(plan.nodes.map((n) => resetNodeState(docker, n)));
    // Back into the starting shape (a Sentinel topology fails back to its first primary), with
    // the whole readiness deadline: the health check above only looked.
    await waitForNodes(plan, NODES_READY_TIMEOUT_MS, signal);
    log.info('reusing the running cluster (healthy, same config)');
    const status = await clusterStatus(docker, plan.config.name);
    if (status) return { status, reused: true, upMs: monoMs() - started, ready: await loadReadyTimes(plan.config.name, existing.map((c) => c.Id)) };
  }

  if (existing.length > 0) {
    log.info(`removing ${existing.length} container(s) of a previous cluster that ${whyReplaced(existingConfig, plan.config)}`);
    await removeProjectObjects(docker, plan.config.name);
    await assertPortsFree(publishedPorts(plan));
  }

  // Until it is up or removed again, a forced exit leaves half a cluster: say so (cli/context.ts).
  using _starting = markInForce(`a cluster start in progress (cluster '${plan.config.name}': containers and network being created)`);
  try {
    const systems = selectedDrivers(plan.config).map((d) => d.describeNodes(d.config.nodeCount(plan.config))).join(', ');
    log.info(`starting ${systems} and Toxiproxy (${images.toxiproxyImpl}) with ${plan.config.clientSlots} client slots`);
    await ensureNetwork(docker, plan);
    const [nodes, proxy] = await Promise.all([
      Promise.all(plan.nodes.map(async (n) => ({ plan: n, container: await createNodeContainer(docker, n, plan, imageOf(images, n.system)) }))),
      createToxiproxyContainer(docker, plan, images.toxiproxy, images.toxiproxyImpl),
    ]);
    signal?.throwIfAborted();
    // The proxies exist before the nodes start: members that reach each other through their peer
    // proxies (peerLinks) need them to form the cluster. Toxiproxy resolves an upstream when a
    // connection arrives, so nodes that are not running yet are no obstacle.
    await proxy.start();
    await populateProxies(plan);
    const readyMs = await startNodesTimed(plan, nodes, NODES_READY_TIMEOUT_MS, signal);
    await waitForProxies(plan, PROXY_READY_TIMEOUT_MS, signal);
    const status = await clusterStatus(docker, plan.config.name);
    if (!status) throw new HarnessError('CLUSTER_START_FAILED', 'the cluster started but its containers cannot be found');
    log.info(`cluster up in ${((monoMs() - started) / 1000).toFixed(1)} s`);
    const ready = await saveReadyTimes(plan.config.name, [...nodes.map((n) => n.container.id), proxy.id], readyMs);
    return { status, reused: false, upMs: monoMs() - started, ready };
  } catch (err) {
    log.warn(`cleaning up after a failed or interrupted start: ${errorMessage(err)}`);
    await removeProjectObjects(docker, plan.config.name);
    if (signal?.aborted) throw signal.reason as Error;
    throw err instanceof HarnessError ? err : new HarnessError('CLUSTER_START_FAILED', `starting the cluster failed: ${errorMessage(err)}`, { cause: err });
  }
}

/** Removes one cluster (default: this one; `name`: another, e.g. the bench's temporary one), or every lockbench cluster with `all`. */
export async function clusterDown(docker: Docker = dockerClient(), opts: { all?: boolean; name?: string } = {}): Promise<{ containers: number; networks: number }> {
  return removeProjectObjects(docker, opts.all ? undefined : (opts.name ?? defaultClusterConfig.name));
}
