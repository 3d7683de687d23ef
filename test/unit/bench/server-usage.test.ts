// The arithmetic of a server-usage window: CPU % of one core between two container snapshots,
// counters as deltas (the end value after a restart), gauges as end values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerUsage, type ContainerSample } from '../../../clusters/container-stats.ts';
import { defaultClusterConfig, planCluster } from '../../../clusters/topology.ts';
import { counterDeltas } from '../../../bench/server-usage.ts';

const sample = (name: string, id: string, cpuNs: number, atMs: number, memoryBytes = 1000): ContainerSample => ({ ref: { name, role: name === 'toxiproxy' ? 'proxy' : 'node', id }, cpuNs, atMs, memoryBytes, source: 'cgroup' });

test('container CPU is CPU time ÷ wall time in % of one core; a container seen only once is left out', () => {
  const a = { samples: [sample('redis-1', 'a', 1e9, 0), sample('zk-1', 'b', 0, 0), sample('toxiproxy', 'c', 0, 0)], missing: [] };
  const b = { samples: [sample('redis-1', 'a', 1.5e9, 1000, 2000), sample('zk-1', 'b', 1.2e9, 1000), sample('gone', 'd', 1, 1000)], missing: [] };
  assert.deepEqual(containerUsage(a, b), [
    { name: 'redis-1', role: 'node', cpuPercent: 50, memoryBytes: 2000 },
    { name: 'zk-1', role: 'node', cpuPercent: 120, memoryBytes: 1000 },
  ]);
});

test('counters are deltas, gauges end values, a counter that went down counts from the restart, one first seen at the end from zero', () => {
  const plan = planCluster({ ...defaultClusterConfig, name: 'unit' });
  const a = new Map([
    ['redis-1', { commands: 100, used_memory: 5000 }],
    ['zk-1', { packets_received: 50, znode_count: 7 }],
    ['redis-2', { commands: 900 }],
  ]);
  const b = new Map([
    ['redis-1', { commands: 350, used_memory: 4000, cmd_new: 3 }],
    ['zk-1', { packets_received: 80, znode_count: 9 }],
    ['redis-2', { commands: 20 }],
    ['redis-3', { commands: 1 }],
  ]);
  assert.deepEqual(counterDeltas(plan, a, b), {
    'redis-1': { commands: 250, used_memory: 4000, cmd_new: 3 },
    'redis-2': { commands: 20 },
    'zk-1': { packets_received: 30, znode_count: 9 },
  });
});
