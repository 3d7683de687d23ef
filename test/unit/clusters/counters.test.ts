// Parsing the nodes' own counters from output captured on a real cluster (Redis 7.0 INFO after a
// bench run, ZooKeeper 3.8 mntr of the leader): the names lockbench keeps, counters against
// gauges, and the RESP framing the raw-socket read waits for. Also /proc/stat and cgroup text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { engineSample, parseKeyValues } from '../../../clusters/container-stats.ts';
import { bulkBody, parseRedisInfo, redisCounters, redisNodeCounters } from '../../../clusters/systems/redis/counters.ts';
import { parseMntr, zookeeperCounters, zookeeperNodeCounters } from '../../../clusters/systems/zookeeper/counters.ts';
import { hostIdlePercent, parseProcStat } from '../../../core/host-cpu.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/server-counters/${name}`, import.meta.url), 'utf8');

test('Redis INFO: the whole bulk reply is awaited, then commands, memory and per-command calls are kept', () => {
  const reply = fixture('redis-info.txt');
  assert.equal(bulkBody(reply.slice(0, 1000)), undefined, 'a partial reply is not complete');
  const body = bulkBody(reply);
  assert.ok(body);
  const info = parseRedisInfo(body);
  assert.equal(info['total_commands_processed'], 237244);
  assert.equal(info['cmd_set'], 232867);
  assert.equal(info['cmd_eval'], 1946);
  assert.equal(info['used_memory_human'], undefined, 'non-numeric fields are left out');
  const kept = redisCounters(info);
  assert.deepEqual(
    { commands: kept['commands'], used_memory: kept['used_memory'], aof_enabled: kept['aof_enabled'], cmd_incr: kept['cmd_incr'] },
    { commands: 237244, used_memory: 1114232, aof_enabled: 0, cmd_incr: 779 },
  );
  assert.ok(redisNodeCounters.isGauge('used_memory'));
  assert.ok(!redisNodeCounters.isGauge('commands') && !redisNodeCounters.isGauge('cmd_set'));
  assert.equal(redisNodeCounters.memoryMetric, 'used_memory');
  assert.equal(redisNodeCounters.requestMetric?.metric, 'commands');
});

test('ZooKeeper mntr: every numeric line parsed, the kept ones split into counters and gauges', () => {
  const all = parseMntr(fixture('zookeeper-mntr.txt'));
  assert.ok(Object.keys(all).length > 300, 'mntr has some 400 numeric lines');
  assert.equal(all['version'], undefined, 'the version line is text');
  assert.equal(all['server_state'], undefined);
  assert.equal(all['packets_received'], 735);
  assert.equal(all['avg_fsynctime'], 1.0076);
  const kept = zookeeperCounters(all);
  assert.deepEqual(
    { packets: kept['packets_received'], znodes: kept['znode_count'], bytes: kept['approximate_data_size'], fsyncs: kept['cnt_fsynctime'], fsyncMs: kept['sum_fsynctime'], avg: kept['avg_latency'] },
    { packets: 735, znodes: 7, bytes: 187, fsyncs: 790, fsyncMs: 796, avg: 8.4635 },
  );
  assert.ok(Object.keys(kept).length < 40, 'only the kept metrics go into bench.json');
  for (const g of ['znode_count', 'approximate_data_size', 'avg_latency']) assert.ok(zookeeperNodeCounters.isGauge(g), g);
  for (const c of ['packets_received', 'cnt_fsynctime', 'sum_fsynctime']) assert.ok(!zookeeperNodeCounters.isGauge(c), c);
});

test('/proc/stat: idle counts iowait, and the idle share is over the window', () => {
  const a = parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n');
  const b = parseProcStat('cpu  250 0 100 850 50 0 0 0 0 0\n');
  assert.deepEqual(a, { idleTicks: 850, totalTicks: 1000 });
  assert.ok(b);
  assert.equal(hostIdlePercent(a, b), 20);
  assert.equal(hostIdlePercent(a, a), undefined, 'no time passed');
  assert.equal(parseProcStat('intr 1 2 3'), undefined);
});

test('cgroup key/value files and the engine stats fallback', () => {
  const m = parseKeyValues('cache 71634944\ntotal_inactive_file 61820928\nbogus\n');
  assert.equal(m.get('total_inactive_file'), 61820928);
  const ref = { name: 'zk-1', role: 'node', system: 'zookeeper', id: 'x' } as const;
  // Docker 20.10 on cgroup v1, as captured: usage minus total_inactive_file; `read` mapped onto the monotonic clock.
  const s = engineSample(ref, { read: '2026-12-01T23:10:26.000Z', cpu_stats: { cpu_usage: { total_usage: 1010387181 } }, memory_stats: { usage: 126955520, stats: { total_inactive_file: 61820928 } } }, 5000, Date.parse('2026-12-01T23:10:27.000Z'));
  assert.deepEqual(s, { ref, cpuNs: 1010387181, atMs: 4000, memoryBytes: 65134592, source: 'engine' });
  assert.equal(engineSample(ref, {}, 0, 0), undefined);
});
