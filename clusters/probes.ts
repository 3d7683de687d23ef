// The probes chaos/ and the tests import from here. The system-specific ones live with their
// drivers (clusters/systems/<system>/probes.ts); this file only gathers them under the old path.
export { tcpRequest, type ProbeResult } from './tcp-probe.ts';
export { redisPing } from './systems/redis/probes.ts';
export { zkCommand, zkMode, type ZkMode } from './systems/zookeeper/probes.ts';
