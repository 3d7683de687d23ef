import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateEtcdConfig } from '../../../clusters/systems/etcd/config.ts';
import { etcdCounters, etcdNodeCounters, parsePrometheus } from '../../../clusters/systems/etcd/counters.ts';
import { clusterFormed } from '../../../clusters/systems/etcd/driver.ts';
import { parseEtcdStatus, parseHttpReply, roleOf, type EtcdStatus } from '../../../clusters/systems/etcd/probes.ts';

test('--etcd-nodes: odd, 1 to 9, and the message says why', () => {
  for (const n of [1, 3, 5, 9]) assert.doesNotThrow(() => validateEtcdConfig({ etcdNodes: n }));
  for (const n of [0, 2, 4, 11, 1.5, Number.NaN]) assert.throws(() => validateEtcdConfig({ etcdNodes: n }), /--etcd-nodes must be an odd whole number from 1 to 9 .*strict majority.*got/);
});

test('HTTP replies: status, lower-cased headers, plain and chunked bodies', () => {
  const plain = parseHttpReply('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Wed, 02 Dec 2026 02:00:00 GMT\r\nContent-Length: 16\r\n\r\n{"health":"true"}');
  assert.ok(plain);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['date'], 'Wed, 02 Dec 2026 02:00:00 GMT');
  assert.equal(plain.body, '{"health":"true"}');
  const chunked = parseHttpReply('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
  assert.equal(chunked?.body, 'hello world');
  assert.equal(parseHttpReply('-ERR not http\r\n'), undefined);
  assert.equal(parseHttpReply('HTTP/1.1 503 Service Unavailable\r\n\r\n')?.status, 503);
});

test("a member's role comes from its own status: leader when the leader it knows is itself", () => {
  // The shape etcd 3.4's JSON gateway returns (uint64 ids as decimal strings).
  const body = '{"header":{"cluster_id":"1","member_id":"7","revision":"9","raft_term":"2"},"version":"3.4.23","dbSize":"20480","leader":"7","raftIndex":"12","raftTerm":"2"}';
  const s = parseEtcdStatus(body);
  assert.deepEqual(s, { memberId: '7', leaderId: '7', raftTerm: 2, version: '3.4.23' });
  assert.equal(roleOf(s), 'leader');
  assert.equal(roleOf(parseEtcdStatus(body.replace('"leader":"7"', '"leader":"8"'))), 'follower');
  assert.equal(roleOf(parseEtcdStatus(body.replace('"leader":"7"', '"leader":"0"'))), 'no-leader');
  assert.equal(roleOf(parseEtcdStatus('{"error":"etcdserver: no leader"}')), 'unreachable');
  assert.equal(roleOf(parseEtcdStatus('not json')), 'unreachable');
});

test('the cluster is formed when every member answers, all name one leader, and exactly one is it', () => {
  const m = (memberId: string, leaderId: string): EtcdStatus => ({ memberId, leaderId, raftTerm: 2, version: '3.4.23' });
  assert.ok(clusterFormed([m('1', '2'), m('2', '2'), m('3', '2')]));
  assert.ok(clusterFormed([m('1', '1')]));
  assert.ok(!clusterFormed([m('1', '2'), m('2', '2'), undefined]), 'a member that does not answer');
  assert.ok(!clusterFormed([m('1', '1'), m('2', '2'), m('3', '2')]), 'two members think they lead');
  assert.ok(!clusterFormed([m('1', '0'), m('2', '2'), m('3', '2')]), 'one member knows no leader');
  assert.ok(!clusterFormed([]));
});

test('metrics: samples summed over their labels, seconds as ms, only the kept ones, gauges told apart', () => {
  const page = [
    '# HELP grpc_server_handled_total Total number of RPCs completed on the server.',
    '# TYPE grpc_server_handled_total counter',
    'grpc_server_handled_total{grpc_code="OK",grpc_method="Put",grpc_service="etcdserverpb.KV",grpc_type="unary"} 120',
    'grpc_server_handled_total{grpc_code="OK",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 30',
    'etcd_disk_wal_fsync_duration_seconds_sum 0.25',
    'etcd_disk_wal_fsync_duration_seconds_count 100',
    'etcd_mvcc_db_total_size_in_use_in_bytes 49152',
    'etcd_server_proposals_committed_total 77',
    'go_goroutines 80',
  ].join('\n');
  const all = parsePrometheus(page);
  assert.equal(all['grpc_server_handled_total'], 150);
  const kept = etcdCounters(all);
  assert.deepEqual(kept, { grpc_requests: 150, proposals_committed: 77, wal_fsync_count: 100, wal_fsync_sum_ms: 250, db_size_in_use_bytes: 49152 });
  assert.ok(etcdNodeCounters.isGauge('db_size_in_use_bytes'));
  assert.ok(!etcdNodeCounters.isGauge('wal_fsync_count'));
  assert.equal(etcdNodeCounters.fsyncMetric?.sumMs, 'wal_fsync_sum_ms');
});
