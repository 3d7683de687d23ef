// The one-way drop and packet loss primitives on the real cluster: each has its observable effect
// in the direction it names, is listed while in place, and is gone after a heal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execIn } from '../../clusters/docker-objects.ts';
import { redisPing } from '../../clusters/probes.ts';
import { useTestCluster } from '../support/cluster.ts';

const HOST = '127.0.0.1';
const clusterOf = useTestCluster();

/**
 * Does a UDP datagram from `from` reach `to`? UDP needs no answer, so unlike a TCP connect it
 * shows one direction alone. The sender repeats for 3 s so the listener's start-up cannot miss it.
 */
async function udpArrives(from: string, to: string): Promise<boolean> {
  const listener = execIn(clusterOf().docker, clusterOf().node(to).container, ['timeout', '4', 'nc', '-u', '-l', '9999'], 15_000);
  await execIn(clusterOf().docker, clusterOf().node(from).container, ['bash', '-c', `for i in $(seq 1 15); do echo lbprobe > /dev/udp/${to}/9999 2>/dev/null; sleep 0.2; done`], 15_000);
  return (await listener).stdout.includes('lbprobe');
}

async function ipOf(name: string): Promise<string> {
  const info = await clusterOf().docker.getContainer(clusterOf().node(name).container).inspect();
  return info.NetworkSettings.Networks[clusterOf().plan.network]?.IPAddress ?? '';
}

describe('one-way drop', () => {
  test('outbound: the node\'s datagrams to the peer are lost, the peer\'s to it still arrive; heal removes it', async () => {
    assert.ok(await udpArrives('zk-1', 'zk-2'), 'before: zk-1 reaches zk-2');
    await clusterOf().oneWayDrop('zk-1', ['zk-2'], 'outbound');
    try {
      assert.equal(await udpArrives('zk-1', 'zk-2'), false, 'zk-1 → zk-2 is dropped');
      assert.equal(await udpArrives('zk-2', 'zk-1'), true, 'zk-2 → zk-1 still arrives');
      assert.ok((await clusterOf().rulesOf('zk-1')).includes(`-A LOCKBENCH-OUT -d ${await ipOf('zk-2')}/32 -j DROP`));
      assert.deepEqual((await clusterOf().leftoverRules()).map((l) => l.node), ['zk-1']);
    } finally {
      await clusterOf().heal('zk-1');
    }
    assert.ok(await udpArrives('zk-1', 'zk-2'), 'after heal: zk-1 reaches zk-2 again');
    await clusterOf().waitServing('zk-1');
  });

  test('inbound: the peer\'s datagrams to the node are lost, the node\'s to it still arrive; healAll removes it', async () => {
    await clusterOf().oneWayDrop('zk-1', ['zk-2'], 'inbound');
    try {
      assert.equal(await udpArrives('zk-2', 'zk-1'), false, 'zk-2 → zk-1 is dropped');
      assert.equal(await udpArrives('zk-1', 'zk-2'), true, 'zk-1 → zk-2 still arrives');
      assert.ok((await clusterOf().rulesOf('zk-1')).includes(`-A LOCKBENCH-IN -s ${await ipOf('zk-2')}/32 -j DROP`));
    } finally {
      await clusterOf().healAll();
    }
    assert.deepEqual(await clusterOf().leftoverRules(), []);
    assert.ok(await udpArrives('zk-2', 'zk-1'), 'after healAll: zk-2 reaches zk-1 again');
  });
});

describe('packet loss', () => {
  test('probability 1 drops every packet, 0.5 is read back and drops some; healAll removes it', async () => {
    const port = clusterOf().node('redis-5').directPort;
    await clusterOf().packetLoss('redis-5', 1);
    try {
      assert.equal((await redisPing(HOST, port, 800)).state, 'timeout', 'nothing gets through');
      await clusterOf().packetLoss('redis-5', 0.5);
      const loss = (await clusterOf().rulesOf('redis-5')).filter((r) => r.startsWith('-A LOCKBENCH-LOSS '));
      assert.equal(loss.length, 1, 'the second call replaced the first');
      assert.match(loss[0] ?? '', /--probability 0\.5/);
      for (let i = 0; i < 20; i++) await redisPing(HOST, port, 300);
      const counters = await execIn(clusterOf().docker, clusterOf().node('redis-5').container, ['iptables', '-L', 'LOCKBENCH-LOSS', '-v', '-x', '-n']);
      const dropped = Number(/^\s*(\d+)\s+\d+\s+DROP/m.exec(counters.stdout)?.[1] ?? 0);
      assert.ok(dropped > 0, `the rule dropped packets:\n${counters.stdout}`);
      assert.deepEqual((await clusterOf().leftoverRules()).map((l) => l.node), ['redis-5']);
    } finally {
      await clusterOf().healAll();
    }
    assert.equal((await redisPing(HOST, port)).state, 'answered');
    assert.deepEqual(await clusterOf().leftoverRules(), []);
  });

  test('a probability outside (0, 1] is a usage error', async () => {
    await assert.rejects(clusterOf().packetLoss('redis-5', 0), /probability must be above 0 and at most 1/);
    await assert.rejects(clusterOf().packetLoss('redis-5', 1.5), /probability must be above 0 and at most 1/);
  });
});
