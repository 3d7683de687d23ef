// The data plane: toxics patched into connections that are already open (lockbench's Redis and
// ZooKeeper clients keep one long-lived connection), disable/enable, /reset, an unreachable
// upstream, and close propagation. Real sockets on 127.0.0.1; timing only as lower or generous bounds.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ICreateToxicBody } from 'toxiproxy-node-client';
import { Fixture, connectPeer, withDeadline, nowMs, portOf, sleep, tryConnect, unusedPort, type Upstream } from './helpers.ts';

const latency = (latencyMs: number, stream: 'upstream' | 'downstream' = 'downstream'): ICreateToxicBody<{ latency: number; jitter: number }> => ({
  name: `latency_${stream}`,
  type: 'latency',
  stream,
  toxicity: 1,
  attributes: { latency: latencyMs, jitter: 0 },
});

describe('toxiproxy-compat data plane', () => {
  let fx: Fixture;
  let echo: Upstream;
  before(async () => {
    fx = await Fixture.start();
    echo = await fx.echo();
  });
  after(async () => {
    await fx.close();
  });

  test('bytes pass unchanged both ways, including a large payload', async () => {
    const proxy = await fx.proxy(echo.address);
    const peer = await fx.connect(proxy);
    const payload = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    peer.socket.write(payload);
    const received = await peer.waitForBytes(payload.length, 20_000);
    assert.ok(received.equals(payload));
  });

  test('a toxic added to an already-open connection takes effect; removing it restores the flow', async () => {
    const proxy = await fx.proxy(echo.address);
    const peer = await fx.connect(proxy);
    await peer.roundTrip('warm', 5000);

    const slow = await proxy.addToxic(latency(1000));
    assert.ok((await peer.roundTrip('slow', 5000)) >= 1000);

    // A reply held by the toxic is flushed at once when the toxic goes away.
    const startMs = nowMs();
    peer.socket.write('held');
    await sleep(100);
    await slow.remove();
    await peer.waitForBytes(12, 5000);
    assert.ok(nowMs() - startMs < 1000, 'the held chunk waited out the removed latency');
    assert.ok((await peer.roundTrip('fast', 5000)) < 1000);
    assert.equal(peer.text, 'warmslowheldfast');
    assert.equal(peer.closedAtMs, undefined);
  });

  test('a toxic updated on an open connection applies its new attributes', async () => {
    const proxy = await fx.proxy(echo.address);
    const peer = await fx.connect(proxy);
    const toxic = await proxy.addToxic(latency(50));
    assert.ok((await peer.roundTrip('a', 5000)) >= 50);
    await toxic.update({ ...latency(400), name: toxic.name });
    assert.ok((await peer.roundTrip('b', 5000)) >= 400);
  });

  test('disable closes open connections and refuses new ones; enable serves again', async () => {
    const proxy = await fx.proxy(echo.address);
    const peer = await fx.connect(proxy);
    await peer.roundTrip('up', 5000);

    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(disabled.enabled, false);
    await peer.waitForClose(5000);
    assert.equal(await tryConnect(portOf(proxy.listen)), 'ECONNREFUSED');

    const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(enabled.enabled, true);
    assert.equal(enabled.listen, proxy.listen);
    const again = await fx.connect(enabled);
    await again.roundTrip('back', 5000);
  });

  test('reset re-enables every proxy and removes every toxic, without deleting proxies', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(latency(1000, 'upstream'));
    await proxy.addToxic(latency(1000));
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    const dormant = await fx.toxiproxy.createProxy({ name: 'reset-dormant', listen: '127.0.0.1:0', upstream: echo.address, enabled: false });

    await fx.toxiproxy.reset();

    const after = await fx.toxiproxy.get(proxy.name);
    assert.equal(after.enabled, true);
    await assert.rejects(after.getToxic('latency_downstream'));
    await assert.rejects(after.getToxic('latency_upstream'));
    const woken = await fx.toxiproxy.get(dormant.name);
    assert.equal(woken.enabled, true);
    const peer = await fx.connect(after);
    assert.ok((await peer.roundTrip('clean', 5000)) < 1000);
    await woken.remove();
  });

  test('upstream down: the client connects, then is closed at once', async () => {
    const proxy = await fx.proxy(`127.0.0.1:${await unusedPort()}`);
    const peer = await connectPeer(portOf(proxy.listen));
    try {
      await peer.waitForClose(5000);
      assert.equal(peer.received.length, 0);
      assert.ok(peer.endedAtMs !== undefined || peer.error !== undefined);
    } finally {
      peer.socket.destroy();
    }
  });

  test('a close on either side tears the whole connection down', async () => {
    const proxy = await fx.proxy(echo.address);
    const clientSide = await fx.connect(proxy);
    await clientSide.roundTrip('x', 5000);
    const upstreamSocket = echo.sockets[echo.sockets.length - 1];
    assert.ok(upstreamSocket !== undefined);
    const upstreamClosed = new Promise<void>((resolve) => upstreamSocket.once('close', () => resolve()));
    clientSide.socket.end();
    await withDeadline(upstreamClosed, 5000, 'upstream socket close');

    // The other way round: the upstream closes, the client sees EOF.
    const closer = await fx.upstream((socket) => setTimeout(() => socket.end(), 50));
    const proxy2 = await fx.proxy(closer.address);
    const peer = await fx.connect(proxy2);
    await peer.waitForClose(5000);
    assert.ok(peer.endedAtMs !== undefined);
  });

  test('deleting a proxy closes its connections', async () => {
    const proxy = await fx.proxy(echo.address);
    const peer = await fx.connect(proxy);
    await peer.roundTrip('bye', 5000);
    await proxy.remove();
    await peer.waitForClose(5000);
  });
});
