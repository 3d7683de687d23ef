// etcd's own counters, from its Prometheus /metrics page on the client port: Raft proposals, gRPC
// requests handled, keys and database size, and the time spent in WAL fsync and backend commits.
// The page has several hundred series; lockbench keeps the ones that say what a lock costs the
// cluster, summed over their labels, since bench.json holds them for every node of every case.
import { HarnessError } from '../../../core/errors.ts';
import type { NodeCounters } from '../driver.ts';
import { etcdHttp } from './probes.ts';

/** Every sample of a Prometheus text page, summed by metric name (labels dropped). */
export function parsePrometheus(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m?.[1] || m[3] === undefined) continue;
    const v = Number(m[3]);
    if (Number.isFinite(v)) out[m[1]] = (out[m[1]] ?? 0) + v;
  }
  return out;
}

/**
 * Kept metrics under lockbench's names: levels are gauges (reported at the end), the rest grow
 * (reported as deltas). Seconds become ms, so the fsync counters read like ZooKeeper's.
 */
const KEPT: Readonly<Record<string, { readonly from: string; readonly kind: 'gauge' | 'counter'; readonly scale?: number }>> = {
  grpc_requests: { from: 'grpc_server_handled_total', kind: 'counter' },
  proposals_committed: { from: 'etcd_server_proposals_committed_total', kind: 'counter' },
  proposals_applied: { from: 'etcd_server_proposals_applied_total', kind: 'counter' },
  proposals_failed: { from: 'etcd_server_proposals_failed_total', kind: 'counter' },
  leader_changes: { from: 'etcd_server_leader_changes_seen_total', kind: 'counter' },
  wal_fsync_count: { from: 'etcd_disk_wal_fsync_duration_seconds_count', kind: 'counter' },
  wal_fsync_sum_ms: { from: 'etcd_disk_wal_fsync_duration_seconds_sum', kind: 'counter', scale: 1000 },
  backend_commit_count: { from: 'etcd_disk_backend_commit_duration_seconds_count', kind: 'counter' },
  backend_commit_sum_ms: { from: 'etcd_disk_backend_commit_duration_seconds_sum', kind: 'counter', scale: 1000 },
  keys: { from: 'etcd_debugging_mvcc_keys_total', kind: 'gauge' },
  db_size_bytes: { from: 'etcd_mvcc_db_total_size_in_bytes', kind: 'gauge' },
  db_size_in_use_bytes: { from: 'etcd_mvcc_db_total_size_in_use_in_bytes', kind: 'gauge' },
  watchers: { from: 'etcd_debugging_mvcc_watcher_total', kind: 'gauge' },
  leases_granted: { from: 'etcd_debugging_lease_granted_total', kind: 'counter' },
  resident_memory_bytes: { from: 'process_resident_memory_bytes', kind: 'gauge' },
};

export function etcdCounters(all: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, k] of Object.entries(KEPT)) {
    const v = all[k.from];
    if (v !== undefined) out[name] = Math.round(v * (k.scale ?? 1) * 1000) / 1000;
  }
  return out;
}

export const etcdNodeCounters: NodeCounters = {
  async read(host, port, timeoutMs) {
    const r = await etcdHttp(host, port, 'GET', '/metrics', timeoutMs);
    if (r.state !== 'answered') throw new HarnessError('INTERNAL', `GET /metrics on ${host}:${port}: ${r.detail}`);
    if (r.reply.status !== 200) throw new HarnessError('INTERNAL', `GET /metrics on ${host}:${port}: HTTP ${r.reply.status}`);
    const kept = etcdCounters(parsePrometheus(r.reply.body));
    if (kept['grpc_requests'] === undefined && kept['proposals_applied'] === undefined) throw new HarnessError('INTERNAL', `GET /metrics on ${host}:${port}: no etcd metrics in the reply`);
    return kept;
  },
  isGauge: (metric) => KEPT[metric]?.kind === 'gauge',
  // The MVCC database's bytes in use: what the keys and their revisions hold.
  memoryMetric: 'db_size_in_use_bytes',
  requestMetric: { metric: 'grpc_requests', unit: 'etcd gRPC requests handled' },
  fsyncMetric: { count: 'wal_fsync_count', sumMs: 'wal_fsync_sum_ms' },
};
