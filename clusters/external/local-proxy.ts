// The proxy between lockbench's clients and an external target's endpoints: lockbench's
// Toxiproxy-compatible server (toxiproxy-compat/), in this process, on 127.0.0.1 only. It lives as
// long as the command: closing it (also on Ctrl-C, when the process ends) removes every link and
// every toxic, so no fault outlives the run on someone else's service.
import { startToxiproxyCompat, type ToxiproxyCompatServer } from '../../toxiproxy-compat/server.ts';
import { HarnessError, errorMessage } from '../../core/errors.ts';
import type { ClusterPlan } from '../topology.ts';
import { endpointOf } from './plan.ts';

export async function startLocalProxy(plan: ClusterPlan): Promise<ToxiproxyCompatServer> {
  const proxies = plan.nodes.flatMap((n) => n.proxies.map((p) => ({ name: p.name, listen: `127.0.0.1:${p.port}`, upstream: endpointOf(n), enabled: true })));
  try {
    return await startToxiproxyCompat({ host: '127.0.0.1', port: plan.toxiproxy.apiPort, proxies });
  } catch (err) {
    throw new HarnessError('CLUSTER_START_FAILED', `starting the local proxy for the external target on 127.0.0.1:${plan.toxiproxy.apiPort} (and its link ports from --port-base ${plan.config.portBase}): ${errorMessage(err)}; free those ports or choose another --port-base`, { cause: err });
  }
}
