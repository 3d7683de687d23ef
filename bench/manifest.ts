// bench's manifest.json, written before the first case runs, as a chaos run writes its own: what
// ran (options, cluster or external target, image ids), on which commit and with which versions,
// so a figure quoted from bench.json can be traced to the code and images that measured it.
import type Docker from 'dockerode';
import { imageIds } from '../clusters/docker-objects.ts';
import type { ClusterPlan } from '../clusters/topology.ts';
import { provenance } from '../core/provenance.ts';
import type { RunDir } from '../core/store.ts';
import { lockPackageVersions } from '../locks/labels.ts';
import type { SuiteOptions } from './plan.ts';

export interface BenchManifestInput {
  readonly run: RunDir;
  readonly startedAt: Date;
  readonly options: SuiteOptions;
  readonly plan: ClusterPlan;
  /** The lab's cluster config, or the external target as results files describe it. */
  readonly cluster: unknown;
  readonly toxiproxy: unknown;
  /** For the lab's image ids; absent against an external target, which has no containers of ours. */
  readonly docker?: Docker;
}

export async function writeBenchManifest(m: BenchManifestInput): Promise<string> {
  return m.run.writeJson('manifest.json', {
    runId: m.run.id,
    kind: 'bench',
    startedAt: m.startedAt.toISOString(),
    options: m.options,
    cluster: m.cluster,
    images: m.docker ? await imageIds(m.docker, m.plan) : {},
    toxiproxy: m.toxiproxy,
    ...(await provenance({ lockPackages: lockPackageVersions() })),
  });
}
