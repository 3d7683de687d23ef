// The anchors: each system's own benchmark tool (its driver's AnchorSpec) with the raw pair's
// command at the floor's concurrency, run inside the cluster beside the harness's own figure from
// the same run (raw pairs/s × commands per pair, on the direct path). The ratio says how close the
// harness's Node clients come to a C client on the same machine; a low ratio is the harness's
// ceiling, not the system's. The tool runs in the second node's container against the first over
// the cluster network (container to container), so it does not share a process with the server.
import type Docker from 'dockerode';
import { execIn } from '../clusters/docker-objects.ts';
import { drivers } from '../clusters/systems/registry.ts';
import { nodesOf, type ClusterPlan } from '../clusters/topology.ts';
import { errorMessage } from '../core/errors.ts';
import type { AnchorResult, FloorResult, PairsAt } from './results.ts';

/** Requests per anchor run: about a second at the rates seen on this lab, bounded in count. */
const ANCHOR_REQUESTS = 50_000;
const ANCHOR_TIMEOUT_MS = 30_000;

/** The floor's direct-path pairs of `system` at `clients`, wherever the section keeps them. */
export function directPairs(floor: FloorResult | null, system: string, clients: number): PairsAt | undefined {
  const sec = floor?.[system];
  if (!sec) return undefined;
  const parts = [sec, ...(sec.otherPaths ?? [])];
  return parts.find((p) => (p as { path?: unknown }).path === 'direct')?.pairs.find((p) => p.clients === clients);
}

export interface AnchorRun {
  readonly system: string;
  readonly tool: string;
  readonly command: string;
  readonly clients: number;
  readonly commandsPerPair: number;
  readonly toolOpsPerSec: number;
}

/** Runs every driver's anchor tool once; a tool that fails is reported through `warn` and left out. */
export async function runAnchors(docker: Docker, plan: ClusterPlan, clients: number, warn: (msg: string) => void): Promise<AnchorRun[]> {
  const out: AnchorRun[] = [];
  for (const d of drivers) {
    const a = d.anchor;
    const nodes = nodesOf(plan, d.name);
    const target = nodes[0];
    const from = nodes[1] ?? target;
    if (!a || !target || !from) continue;
    try {
      const r = await execIn(docker, from.container, a.argv({ host: target.name, port: target.internalPort }, clients, ANCHOR_REQUESTS), ANCHOR_TIMEOUT_MS);
      const rps = r.exitCode === 0 ? a.parse(r.stdout) : undefined;
      if (rps === undefined) throw new Error(`exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
      out.push({ system: d.name, tool: a.tool, command: a.command, clients, commandsPerPair: a.commandsPerPair, toolOpsPerSec: Math.round(rps) });
    } catch (err) {
      warn(`anchor: ${a.tool} on ${from.name} → ${target.name} failed (${errorMessage(err)}); bench.json has no anchor for ${d.name}`);
    }
  }
  return out;
}

/** The anchors beside the harness's direct raw pairs from the run's final floor. */
export function anchorResults(runs: readonly AnchorRun[], floor: FloorResult | null): AnchorResult[] {
  return runs.flatMap((r) => {
    const pairs = directPairs(floor, r.system, r.clients);
    if (!pairs) return [];
    const harnessOpsPerSec = pairs.pairsPerSec * r.commandsPerPair;
    return [{ system: r.system, tool: r.tool, command: r.command, clients: r.clients, toolOpsPerSec: r.toolOpsPerSec, harnessOpsPerSec, ratio: Math.round((harnessOpsPerSec / r.toolOpsPerSec) * 100) / 100 }];
  });
}
