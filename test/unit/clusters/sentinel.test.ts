// The Sentinel topology without Docker: its plan (groups, peer proxies, the addresses members
// know each other by), its config checks, the RESP it reads, the rules that call it settled, and
// which faults and locks fit it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memberAddress, type NodePlan } from '../../../clusters/node-plan.ts';
import { dataNodeArgs, sentinelConf, validateSentinelConfig } from '../../../clusters/systems/redis-sentinel/config.ts';
import { encodeCommand, fieldsOf, infoFields, parseResp, RespError } from '../../../clusters/systems/redis-sentinel/resp.ts';
import { judge, rolesOf, sentinelsPrimary, type Observed } from '../../../clusters/systems/redis-sentinel/topology-view.ts';
import type { DataNodeView, SentinelView } from '../../../clusters/systems/redis-sentinel/probes.ts';
import { defaultClusterConfig, nodesOf, planCluster, portSpan, publishedPorts } from '../../../clusters/topology.ts';
import { endpointsFor } from '../../../locks/context.ts';
import { resolveChaosOptions } from '../../../chaos/options.ts';
import { applies, renderMatrix } from '../../../chaos/matrix.ts';
import { faultAppliesTo, faultModule } from '../../../chaos/faults/registry.ts';
import { planSchedule } from '../../../chaos/schedule.ts';
import { lockSpecs } from '../../../locks/registry.ts';

const plan = planCluster({ ...defaultClusterConfig, name: 'lbtest', portBase: 17000 });
const nodes = nodesOf(plan, 'redis-sentinel');
const node = (name: string): NodePlan => {
  const n = nodes.find((x) => x.name === name);
  assert.ok(n, name);
  return n;
};

test('the Sentinel topology plans three data nodes and three Sentinels, numbered across both groups, each with a peer proxy', () => {
  assert.deepEqual(nodes.map((n) => `${n.name}/${n.group}/${n.internalPort}`), ['rs-1/rs/6379', 'rs-2/rs/6379', 'rs-3/rs/6379', 'sentinel-1/sentinel/26379', 'sentinel-2/sentinel/26379', 'sentinel-3/sentinel/26379']);
  // Port block 3: direct at +301.., client proxies at +2200 + 10·slot + i − 1, peer proxies at +2200 + 320 + i − 1.
  assert.deepEqual(nodes.map((n) => n.directPort), [17301, 17302, 17303, 17304, 17305, 17306]);
  assert.equal(node('sentinel-1').proxies[2]?.port, 17000 + 2200 + 20 + 3);
  assert.deepEqual(nodes.map((n) => n.peerProxy?.port), [19520, 19521, 19522, 19523, 19524, 19525]);
  assert.equal(memberAddress(node('rs-2')), 'toxiproxy:19521');
  // Peer proxies are never published: they listen inside the Toxiproxy container only.
  const published = new Set(publishedPorts(plan));
  for (const n of nodes) assert.ok(n.peerProxy && !published.has(n.peerProxy.port), `${n.name}'s peer proxy is not published`);
  for (const n of nodes) assert.ok((n.peerProxy?.port ?? 0) <= 17000 + portSpan(), 'inside the layout');
  // Systems without peer links keep reaching each other by name.
  const zk = nodesOf(plan, 'zookeeper')[0];
  assert.ok(zk);
  assert.equal(zk.peerProxy, undefined);
  assert.equal(memberAddress(zk), 'zk-1:2181');
});

test("a lock client's endpoints name each node, its group and the address a Sentinel reports for it", () => {
  const eps = endpointsFor(plan, 2, 'redis-sentinel');
  assert.deepEqual(eps[0], { host: '127.0.0.1', port: node('rs-1').proxies[2]?.port, node: 'rs-1', group: 'rs', announced: 'toxiproxy:19520' });
  assert.equal(eps.filter((e) => e.group === 'sentinel').length, 3);
  assert.equal(endpointsFor(plan, 2, 'redis-sentinel', 'direct')[3]?.port, 17304);
});

test('--sentinel-replicas 1-4 and --sentinels odd 1-5, with messages that say what is allowed', () => {
  const ok = { sentinelReplicas: 2, sentinels: 3, sentinelPersistence: 'none' } as const;
  assert.doesNotThrow(() => validateSentinelConfig(ok));
  for (const r of [0, 5, 1.5]) assert.throws(() => validateSentinelConfig({ ...ok, sentinelReplicas: r }), /--sentinel-replicas must be a whole number from 1 to 4 .*got/);
  for (const s of [0, 2, 7]) assert.throws(() => validateSentinelConfig({ ...ok, sentinels: s }), /--sentinels must be an odd whole number from 1 to 5 .*majority.*got/);
  assert.throws(() => validateSentinelConfig({ ...ok, sentinelPersistence: 'sometimes' as never }), /--sentinel-persistence must be one of none, everysec, always, got sometimes/);
});

test('data nodes announce their peer proxy, rs-1 is preferred for promotion, replicas follow rs-1; Sentinels monitor it with the stated timings', () => {
  const primary = dataNodeArgs({ ordinal: 1, announce: { host: 'toxiproxy', port: 19520 }, primary: undefined, persistence: 'none' });
  assert.ok(primary.join(' ').includes('--replica-announce-ip toxiproxy --replica-announce-port 19520 --replica-priority 1'));
  assert.ok(!primary.includes('--replicaof'));
  const replica = dataNodeArgs({ ordinal: 2, announce: { host: 'toxiproxy', port: 19521 }, primary: { host: 'toxiproxy', port: 19520 }, persistence: 'always' });
  assert.ok(replica.join(' ').includes('--appendonly yes --appendfsync always'));
  assert.ok(replica.join(' ').endsWith('--replica-priority 100 --replicaof toxiproxy 19520'));
  const conf = sentinelConf({ primary: { host: 'toxiproxy', port: 19520 }, quorum: 2 });
  for (const line of ['sentinel monitor lockbench toxiproxy 19520 2', 'sentinel down-after-milliseconds lockbench 2000', 'sentinel failover-timeout lockbench 6000', 'sentinel resolve-hostnames yes', 'sentinel announce-hostnames yes']) {
    assert.ok(conf.split('\n').includes(line), line);
  }
});

test('RESP: nested arrays, bulk strings with CRLF inside, nulls, errors, and incomplete replies', () => {
  assert.deepEqual(parseResp('*2\r\n$9\r\ntoxiproxy\r\n$5\r\n19520\r\n'), ['toxiproxy', '19520']);
  assert.deepEqual(parseResp('*2\r\n$8\r\nsentinel\r\n*1\r\n$9\r\nlockbench\r\n'), ['sentinel', ['lockbench']]);
  assert.equal(parseResp('$4\r\na\r\nb\r\n'), 'a\r\nb');
  assert.equal(parseResp('*-1\r\n'), null);
  assert.equal(parseResp(':42\r\n'), 42);
  assert.ok(parseResp('-ERR no such master\r\n') instanceof RespError);
  assert.equal(parseResp('*2\r\n$9\r\ntoxiproxy\r\n'), undefined);
  assert.equal(parseResp('$10\r\nshort'), undefined);
  assert.equal(encodeCommand(['SENTINEL', 'master', 'lockbench']), '*3\r\n$8\r\nSENTINEL\r\n$6\r\nmaster\r\n$9\r\nlockbench\r\n');
  assert.deepEqual(fieldsOf(['ip', 'toxiproxy', 'port', '19520', 'flags', 'master']), { ip: 'toxiproxy', port: '19520', flags: 'master' });
  assert.deepEqual(infoFields('# Replication\r\nrole:master\r\nconnected_slaves:2\r\n'), { role: 'master', connected_slaves: '2' });
});

const primaryView = (offset: number, replicas: [string, number][]): DataNodeView => ({ role: 'primary', offset, replicas: replicas.map(([address, o]) => ({ address, state: 'online', offset: o })) });
const replicaView = (primary: string, offset: number, linkUp = true): DataNodeView => ({ role: 'replica', primary, linkUp, offset });
const sentinel = (primary: string, flags = ['master']): SentinelView => ({ primary, flags, replicas: 2, otherSentinels: 2, quorum: 2 });
const [a1, a2, a3] = ['toxiproxy:19520', 'toxiproxy:19521', 'toxiproxy:19522'];

function observed(data: (DataNodeView | undefined)[], sentinels: (SentinelView | undefined)[]): Observed {
  return {
    data: data.map((view, i) => ({ node: node(`rs-${i + 1}`), view })),
    sentinels: sentinels.map((view, i) => ({ node: node(`sentinel-${i + 1}`), view })),
  };
}

test('settled: one primary every Sentinel names, every replica following it with its link up', () => {
  const healthy = observed([primaryView(1000, [[a2, 1000], [a3, 986]]), replicaView(a1, 1000), replicaView(a1, 986)], [sentinel(a1), sentinel(a1), sentinel(a1)]);
  const j = judge(healthy);
  assert.ok(j.settled && j.primary.name === 'rs-1');
  assert.equal(sentinelsPrimary(healthy)?.name, 'rs-1');
  const roles = rolesOf(healthy);
  assert.equal(roles.get('rs-1'), 'primary, 2 replicas');
  assert.equal(roles.get('rs-3'), 'replica of rs-1, lag 14 B');
  assert.equal(roles.get('sentinel-2'), 'sentinel: primary rs-1, 2 replicas, 2 other sentinels');

  const cases: [string, Observed, RegExp][] = [
    ['a silent node', observed([primaryView(1, [[a2, 1], [a3, 1]]), undefined, replicaView(a1, 1)], [sentinel(a1), sentinel(a1), sentinel(a1)]), /no answer from rs-2/],
    ['two primaries (split brain)', observed([primaryView(1, []), primaryView(1, [[a3, 1]]), replicaView(a2, 1)], [sentinel(a1), sentinel(a2), sentinel(a2)]), /2 data nodes say they are primary/],
    ['a Sentinel naming another node', observed([primaryView(1, [[a2, 1], [a3, 1]]), replicaView(a1, 1), replicaView(a1, 1)], [sentinel(a1), sentinel(a2), sentinel(a1)]), /sentinel-2 names rs-2 as primary, not rs-1/],
    ['a failover in progress', observed([primaryView(1, [[a2, 1], [a3, 1]]), replicaView(a1, 1), replicaView(a1, 1)], [sentinel(a1, ['master', 'failover_in_progress']), sentinel(a1), sentinel(a1)]), /flags the primary failover_in_progress/],
    ['a replica with its link down', observed([primaryView(1, [[a2, 1]]), replicaView(a1, 1), replicaView(a1, 1, false)], [sentinel(a1), sentinel(a1), sentinel(a1)]), /rs-3 does not replicate from rs-1/],
  ];
  for (const [what, o, why] of cases) {
    const r = judge(o);
    assert.match(r.settled ? 'settled' : r.why, why, what);
  }
  // Promotion: a majority of the Sentinels naming rs-2 is the new primary; a split vote names none.
  assert.equal(sentinelsPrimary(observed([undefined, primaryView(1, []), undefined], [sentinel(a1), sentinel(a2), sentinel(a2)]))?.name, 'rs-2');
  assert.equal(sentinelsPrimary(observed([undefined, undefined, undefined], [sentinel(a1), sentinel(a2), undefined])), undefined);
});

test('the failover faults apply to the Sentinel locks only: a usage error for another lock, n/a in the matrix, never drawn by mix', () => {
  for (const fault of ['failover', 'split-brain', 'replica-lag']) {
    assert.equal(faultAppliesTo(fault, lockSpecs.sentinel.model), undefined);
    assert.equal(applies('sentinel-wait', fault), true);
    assert.equal(applies('redis', fault), false);
    assert.throws(() => resolveChaosOptions({ lock: 'zookeeper', fault }), new RegExp(`--fault ${fault} needs a lock on a system with replicas and automatic failover .*this lock runs on zookeeper`));
  }
  assert.equal(faultAppliesTo('crash', lockSpecs.redis.model), undefined);
  const md = renderMatrix([], ['redis', 'sentinel'], ['failover'], 0);
  assert.ok(md.includes('| redis | n/a |'), md);
  assert.ok(md.includes('| sentinel |  |'), md);
  const nodesBySystem = { redis: ['redis-1', 'redis-2', 'redis-3', 'redis-4', 'redis-5'], 'redis-sentinel': nodes.map((n) => n.name) };
  for (let seed = 1; seed <= 20; seed++) {
    const kinds = planSchedule(resolveChaosOptions({ lock: 'redis', fault: 'mix', seed, durationMs: 60_000 }), nodesBySystem).map((s) => s.kind);
    assert.ok(!kinds.some((k) => ['failover', 'split-brain', 'replica-lag'].includes(k)), kinds.join(','));
  }
  const sentinelKinds = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) for (const s of planSchedule(resolveChaosOptions({ lock: 'sentinel', fault: 'mix', seed, durationMs: 120_000 }), nodesBySystem)) sentinelKinds.add(s.kind);
  assert.ok(sentinelKinds.has('failover') && sentinelKinds.has('split-brain'), [...sentinelKinds].join(','));
});

test('clock-skew on the Sentinel primary: the literature expects two holders, for the WAIT variant too', () => {
  for (const lock of ['sentinel', 'sentinel-wait']) {
    const o = resolveChaosOptions({ lock, fault: 'clock-skew' });
    assert.ok(o.skewMs > o.ttlMs, 'the default jump outlasts the TTL');
    assert.equal(faultModule('clock-skew').expect?.(o)?.overlap, true, lock);
    const shortJump = { ...o, skewMs: o.ttlMs / 2 };
    assert.equal(faultModule('clock-skew').expect?.(shortJump), undefined, `${lock}: a jump shorter than the TTL claims nothing`);
  }
});

test('a failover fault gives the run what it needs: one key, holds that outlast a promotion, a TTL longer still', () => {
  const o = resolveChaosOptions({ lock: 'sentinel', fault: 'failover' });
  assert.equal(o.keys, 1);
  assert.ok(o.holdMs > 2000 && o.ttlMs > o.holdMs, `${o.holdMs} / ${o.ttlMs}`);
  assert.throws(() => resolveChaosOptions({ lock: 'sentinel', fault: 'replica-lag', replicaLagMs: 5000 }), /--replica-lag must be a whole number of ms from 50 to 1500, got 5000/);
});
