// The cluster Docker tests run against: started (or reused) once per test file.
import { after, before } from 'node:test';
import { clusterUp } from '../../clusters/cluster.ts';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { ClusterControl } from '../../clusters/node-faults.ts';
import { defaultClusterConfig } from '../../clusters/topology.ts';

export async function testCluster(): Promise<ClusterControl> {
  const env = await ensureEnvironment();
  await clusterUp(defaultClusterConfig, env.images);
  return ClusterControl.attach();
}

/**
 * The cluster for one test file: started (or reused) before its tests, every fault healed after
 * them. Returns a getter, since the cluster exists only once the hook has run.
 */
export function useTestCluster(): () => ClusterControl {
  let cluster: ClusterControl | undefined;
  before(async () => {
    cluster = await testCluster();
  }, { timeout: 15 * 60_000 });
  after(async () => {
    await cluster?.healAll();
  });
  return () => {
    if (cluster === undefined) throw new Error('the test cluster is used before its before() hook ran');
    return cluster;
  };
}
