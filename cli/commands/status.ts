// `lockbench status`: what runs, where to reach it, each node's role, and which images are in use
// and why (what setup recorded: clusters/image-record.ts).
import type { CommandModule } from 'yargs';
import type Docker from 'dockerode';
import { clusterStatus, type ClusterStatus } from '../../clusters/cluster.ts';
import { listProjectContainers } from '../../clusters/docker-objects.ts';
import { formatImages, readImageRecord, type ImagesInUse } from '../../clusters/image-record.ts';
import { LABEL_NODE, LABEL_SYSTEM } from '../../clusters/labels.ts';
import { requireEngine } from '../../clusters/docker-engine.ts';
import { describeDurability } from '../../clusters/systems/registry.ts';
import { leftOut, selectedDrivers } from '../../clusters/systems/selection.ts';
import { runContext } from '../context.ts';
import { targetOptions, type TargetArgs } from '../options.ts';
import { describeTarget } from '../../clusters/external/services.ts';
import { resolveTarget } from '../../clusters/external/target.ts';

export function formatStatus(s: ClusterStatus): string {
  // Columns as wide as their longest entry (a Sentinel's role says what it sees).
  const nameWidth = Math.max(9, ...s.nodes.map((n) => n.name.length));
  const roleWidth = Math.max(12, ...s.nodes.map((n) => n.role.length));
  const rows = s.nodes.map((n) => {
    const proxied = n.proxied.length > 2 ? `${n.proxied[0]?.address ?? ''} … (${n.proxied.length} slots)` : n.proxied.map((p) => p.address).join(', ');
    return `  ${n.name.padEnd(nameWidth)} ${n.state.padEnd(8)} ${n.role.padEnd(roleWidth)} direct ${n.direct.padEnd(16)} proxied ${proxied}`;
  });
  const t = s.toxiproxy;
  const settings = [`network ${s.network}`, ...selectedDrivers(s.config).map((d) => d.config.describe(s.config)).filter((x) => x !== '')];
  const out = leftOut(s.config.systems);
  return [
    `cluster (${settings.join(', ')}):`,
    `  systems ${s.config.systems.join(', ')}${out.length > 0 ? ` (not running: ${out.join(', ')}; --systems chooses)` : ''}`,
    `  durability ${describeDurability(s.config)}`,
    ...rows,
    `  ${'toxiproxy'.padEnd(nameWidth)} ${t.state.padEnd(8)} ${t.implementation} ${t.version ?? '?'} API ${t.api}`,
    '',
  ].join('\n');
}

/** An external target: what each endpoint answers, as the configured account. */
export function formatExternal(source: string, answers: Awaited<ReturnType<typeof describeTarget>>): string {
  const rows = answers.flatMap((s) => s.answers.map((a) => `  ${s.system.padEnd(10)} ${a.address.padEnd(24)} ${a.role.padEnd(10)} version ${a.version}`));
  return [`external target (${source}):`, ...rows, ''].join('\n');
}

/** The images the cluster's containers run, by system (and "toxiproxy"). */
async function imagesInUse(docker: Docker, cluster: string): Promise<ImagesInUse> {
  const out: Record<string, string[]> = {};
  for (const c of await listProjectContainers(docker, cluster)) {
    const key = c.Labels[LABEL_NODE] === 'toxiproxy' ? 'toxiproxy' : c.Labels[LABEL_SYSTEM];
    if (key === undefined) continue;
    const list = (out[key] ??= []);
    if (!list.includes(c.Image)) list.push(c.Image);
  }
  return out;
}

interface StatusArgs extends TargetArgs {
  readonly json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'show the systems the cluster runs, its nodes, roles, direct and proxied addresses, and the Toxiproxy in use (or, with endpoints, what an external target answers)',
  builder: (y) => targetOptions(y).option('json', { type: 'boolean', default: false, describe: 'print one JSON document' }),
  handler: async (args) => {
    const target = resolveTarget({ target: args.target, targetFile: args['target-file'], redis: args.redis, zookeeper: args.zookeeper, etcd: args.etcd, sentinel: args.sentinel, sentinelMaster: args['sentinel-master'] });
    if (target) {
      const answers = await describeTarget(target.systems);
      process.stdout.write(args.json ? JSON.stringify({ target: 'external', source: target.source, systems: answers }, null, 2) + '\n' : formatExternal(target.source, answers));
      return;
    }
    const docker = await requireEngine('no cluster can be running');
    const status = await clusterStatus(docker);
    const record = readImageRecord();
    if (!status) {
      if (args.json) process.stdout.write(JSON.stringify({ running: false, nodes: [], images: { chosen: record.chosen ?? null, pulls: record.pulls } }) + '\n');
      else process.stdout.write(`no lockbench cluster is running (start one with \`npm run up\`)\n${formatImages(record, undefined)}`);
      runContext.exitCode = 1;
      return;
    }
    const inUse = await imagesInUse(docker, status.config.name);
    process.stdout.write(
      args.json ? JSON.stringify({ running: true, ...status, images: { chosen: record.chosen ?? null, pulls: record.pulls, inUse } }, null, 2) + '\n' : formatStatus(status) + formatImages(record, inUse),
    );
  },
};
