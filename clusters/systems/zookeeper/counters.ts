// ZooKeeper's own counters from the `mntr` four-letter word (whitelisted in the image): requests
// received, znodes and their bytes, latency, and time spent in fsync. mntr prints some 400
// lines; lockbench keeps the ones that say what a lock costs the ensemble, since bench.json holds
// them for every node of every case.
import { HarnessError } from '../../../core/errors.ts';
import type { NodeCounters } from '../driver.ts';
import { zkCommand } from './probes.ts';

/** Every numeric `zk_<name>\t<value>` line of an mntr reply, without the `zk_` prefix. */
export function parseMntr(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^zk_(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const v = Number(m[2]);
    if (Number.isFinite(v)) out[m[1]] = v;
  }
  return out;
}

/** Kept metrics: levels are gauges (reported at the end), the rest grow (reported as deltas). */
const KEPT: Readonly<Record<string, 'gauge' | 'counter'>> = {
  packets_received: 'counter',
  packets_sent: 'counter',
  bytes_received_count: 'counter',
  proposal_count: 'counter',
  commit_count: 'counter',
  // fsync of the transaction log, ms: sum ÷ count is the mean fsync time over a window.
  cnt_fsynctime: 'counter',
  sum_fsynctime: 'counter',
  max_fsynctime: 'gauge',
  cnt_updatelatency: 'counter',
  sum_updatelatency: 'counter',
  cnt_readlatency: 'counter',
  sum_readlatency: 'counter',
  cnt_sync_processor_batch_size: 'counter',
  sum_sync_processor_batch_size: 'counter',
  cnt_jvm_pause_time_ms: 'counter',
  sum_jvm_pause_time_ms: 'counter',
  avg_latency: 'gauge',
  max_latency: 'gauge',
  outstanding_requests: 'gauge',
  znode_count: 'gauge',
  ephemerals_count: 'gauge',
  approximate_data_size: 'gauge',
  watch_count: 'gauge',
  num_alive_connections: 'gauge',
  global_sessions: 'gauge',
};

export function zookeeperCounters(all: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(KEPT)) {
    const v = all[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export const zookeeperNodeCounters: NodeCounters = {
  async read(host, port, timeoutMs) {
    const r = await zkCommand(host, port, 'mntr', timeoutMs);
    if (r.state !== 'answered') throw new HarnessError('INTERNAL', `mntr on ${host}:${port}: ${r.detail}`);
    const all = parseMntr(r.reply);
    // A node without a quorum answers "This ZooKeeper instance is not currently serving requests".
    if (all['packets_received'] === undefined) throw new HarnessError('INTERNAL', `mntr on ${host}:${port}: ${r.reply.slice(0, 80).trim()}`);
    return zookeeperCounters(all);
  },
  isGauge: (metric) => KEPT[metric] === 'gauge',
  // Bytes of znode paths and data: what the tree holds, not the JVM objects around it.
  memoryMetric: 'approximate_data_size',
  requestMetric: { metric: 'packets_received', unit: 'ZooKeeper packets received' },
  fsyncMetric: { count: 'cnt_fsynctime', sumMs: 'sum_fsynctime' },
};
