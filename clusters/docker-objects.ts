// The Docker objects of a cluster: the labelled network, node and Toxiproxy containers, exec
// inside them, and removal by label. A thin layer over dockerode that knows lockbench's labels.
import { TOXIPROXY_HOST } from './node-plan.ts';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { HarnessError, errorMessage } from '../core/errors.ts';
import { withDeadline } from '../core/wait.ts';
import { LABEL_CLUSTER, LABEL_CONFIG, LABEL_IMPL, LABEL_NODE, LABEL_PROJECT, LABEL_ROLE, LABEL_SYSTEM, projectFilter } from './labels.ts';
import { driverFor } from './systems/registry.ts';
import { nodesOf, type ClusterConfig, type ClusterPlan, type NodePlan } from './topology.ts';
import type { ToxiproxyImpl } from './images.ts';

/** Containers of one cluster, or of every lockbench cluster when `cluster` is undefined. */
export async function listProjectContainers(docker: Docker, cluster: string | undefined): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: projectFilter(cluster) });
}

/** Removes every container and network of one cluster (or of all, when undefined). Idempotent. */
export async function removeProjectObjects(docker: Docker, cluster: string | undefined): Promise<{ containers: number; networks: number }> {
  const containers = await listProjectContainers(docker, cluster);
  await Promise.all(
    containers.map(async (c) => {
      try {
        await docker.getContainer(c.Id).remove({ force: true, v: true });
      } catch (err) {
        // Already gone (a concurrent down) is fine; anything else is worth reporting.
        if (!/no such container|is already in progress/i.test(errorMessage(err))) throw err;
      }
    }),
  );
  const networks = await docker.listNetworks({ filters: projectFilter(cluster) });
  for (const n of networks) {
    try {
      await docker.getNetwork(n.Id).remove();
    } catch (err) {
      if (!/not found|no such network/i.test(errorMessage(err))) throw err;
    }
  }
  return { containers: containers.length, networks: networks.length };
}

export async function ensureNetwork(docker: Docker, plan: ClusterPlan): Promise<void> {
  const existing = await docker.listNetworks({ filters: { name: [plan.network] } });
  if (existing.some((n) => n.Name === plan.network)) return;
  await docker.createNetwork({ Name: plan.network, Driver: 'bridge', Labels: { [LABEL_PROJECT]: 'true', [LABEL_CLUSTER]: plan.config.name }, CheckDuplicate: true });
}

function publish(ports: readonly { inside: number; host: number }[]): Pick<Docker.ContainerCreateOptions, 'ExposedPorts'> & { PortBindings: Docker.PortMap } {
  const ExposedPorts: Record<string, object> = {};
  const PortBindings: Docker.PortMap = {};
  for (const p of ports) {
    ExposedPorts[`${p.inside}/tcp`] = {};
    PortBindings[`${p.inside}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(p.host) }];
  }
  return { ExposedPorts, PortBindings };
}

export async function createNodeContainer(docker: Docker, node: NodePlan, plan: ClusterPlan, image: string): Promise<Docker.Container> {
  const { ExposedPorts, PortBindings } = publish([{ inside: node.internalPort, host: node.directPort }]);
  const spec = driverFor(node.system).container(node, nodesOf(plan, node.system), plan.config);
  const container = await docker.createContainer({
    name: node.container,
    Hostname: node.name,
    Image: image,
    ...(spec.cmd ? { Cmd: [...spec.cmd] } : {}),
    Env: [...spec.env],
    Labels: {
      [LABEL_PROJECT]: 'true',
      [LABEL_CLUSTER]: plan.config.name,
      [LABEL_ROLE]: 'node',
      [LABEL_NODE]: node.name,
      [LABEL_SYSTEM]: node.system,
      [LABEL_CONFIG]: JSON.stringify(plan.config),
    },
    ExposedPorts,
    HostConfig: {
      PortBindings,
      NetworkMode: plan.network,
      // iptables inside the node, for server-side partitions.
      CapAdd: ['NET_ADMIN'],
      Memory: spec.memoryBytes,
    },
    NetworkingConfig: { EndpointsConfig: { [plan.network]: { Aliases: [node.name] } } },
  });
  return container;
}

export async function createToxiproxyContainer(docker: Docker, plan: ClusterPlan, image: string, impl: ToxiproxyImpl): Promise<Docker.Container> {
  const ports = [{ inside: 8474, host: plan.toxiproxy.apiPort }, ...plan.nodes.flatMap((n) => n.proxies.map((p) => ({ inside: p.port, host: p.port })))];
  const { ExposedPorts, PortBindings } = publish(ports);
  return docker.createContainer({
    name: plan.toxiproxy.container,
    Hostname: TOXIPROXY_HOST,
    Image: image,
    Labels: {
      [LABEL_PROJECT]: 'true',
      [LABEL_CLUSTER]: plan.config.name,
      [LABEL_ROLE]: 'toxiproxy',
      [LABEL_NODE]: 'toxiproxy',
      [LABEL_IMPL]: impl,
      [LABEL_CONFIG]: JSON.stringify(plan.config),
    },
    ExposedPorts,
    HostConfig: { PortBindings, NetworkMode: plan.network },
    NetworkingConfig: { EndpointsConfig: { [plan.network]: { Aliases: [TOXIPROXY_HOST] } } },
  });
}

export interface ExecOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command inside a container and collects its output, with a deadline. */
export async function execIn(docker: Docker, container: string, cmd: readonly string[], timeoutMs = 10_000): Promise<ExecOutput> {
  const c = docker.getContainer(container);
  const run = async (): Promise<ExecOutput> => {
    const exec = await c.exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const err = new PassThrough();
    const outChunks: Buffer[] = [];
    const errChunks: Buffer[] = [];
    out.on('data', (b: Buffer) => outChunks.push(b));
    err.on('data', (b: Buffer) => errChunks.push(b));
    docker.modem.demuxStream(stream, out, err);
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, stdout: Buffer.concat(outChunks).toString('utf8'), stderr: Buffer.concat(errChunks).toString('utf8') };
  };
  return withDeadline(run(), `${cmd.join(' ')} in ${container}`, timeoutMs);
}

/** execIn that throws when the command fails. */
export async function execChecked(docker: Docker, container: string, cmd: readonly string[], timeoutMs = 10_000): Promise<string> {
  const r = await execIn(docker, container, cmd, timeoutMs);
  if (r.exitCode !== 0) {
    throw new HarnessError('INTERNAL', `'${cmd.join(' ')}' in ${container} exited ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

/** The config a running cluster was made for, read back from its containers' labels. */
export function configFromLabels(containers: readonly Docker.ContainerInfo[]): ClusterConfig | undefined {
  const t = containers.find((c) => c.Labels[LABEL_ROLE] === 'toxiproxy') ?? containers[0];
  const raw = t?.Labels[LABEL_CONFIG];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as ClusterConfig;
  } catch {
    return undefined;
  }
}

/** Container image ids of the running cluster, by node. */
export async function imageIds(docker: Docker, plan: ClusterPlan): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of [...plan.nodes.map((n) => ({ name: n.name, container: n.container })), { name: 'toxiproxy', container: plan.toxiproxy.container }]) {
    try {
      const info = await docker.getContainer(c.container).inspect();
      out[c.name] = `${info.Config.Image} (${info.Image.slice(0, 19)})`;
    } catch {
      out[c.name] = 'missing';
    }
  }
  return out;
}

