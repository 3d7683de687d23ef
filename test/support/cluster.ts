// The cluster Docker tests run against: started (or reused) once per test file.
import { clusterUp } from '../../clusters/cluster.ts';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { ClusterControl } from '../../clusters/node-faults.ts';
import { defaultClusterConfig } from '../../clusters/topology.ts';

export async function testCluster(): Promise<ClusterControl> {
  const env = await ensureEnvironment();
  await clusterUp(defaultClusterConfig, env.images);
  return ClusterControl.attach();
}
