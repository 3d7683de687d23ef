// One test per toxic, asserting its observable effect on bytes and timing through real sockets on
// 127.0.0.1. Timing is only ever checked as a lower bound or with a generous margin: the machines
// that run this have two noisy cores.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ICreateToxicBody, ToxicType } from 'toxiproxy-node-client';
import { Fixture, nowMs, sleep, type Upstream } from './helpers.ts';

function toxic<T>(type: ToxicType | 'noop', stream: 'upstream' | 'downstream', attributes: T, name = `${type}_${stream}`): ICreateToxicBody<T> {
  return { name, type: type as ToxicType, stream, toxicity: 1, attributes };
}

describe('toxiproxy-compat toxics', () => {
  let fx: Fixture;
  let echo: Upstream;
  before(async () => {
    fx = await Fixture.start();
    echo = await fx.echo();
  });
  after(async () => {
    await fx.close();
  });

  test('latency delays each direction by at least its latency', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('latency', 'downstream', { latency: 150, jitter: 0 }));
    const peer = await fx.connect(proxy);
    assert.ok((await peer.roundTrip('ping', 5000)) >= 150);
    await proxy.addToxic(toxic('latency', 'upstream', { latency: 100, jitter: 0 }));
    assert.ok((await peer.roundTrip('ping', 5000)) >= 250);
    assert.equal(peer.text, 'pingping');
  });

  test('latency counts from each chunk\'s arrival, so back-to-back chunks do not accumulate', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('latency', 'downstream', { latency: 300, jitter: 0 }));
    const peer = await fx.connect(proxy);
    const startMs = nowMs();
    for (let i = 0; i < 5; i++) {
      peer.socket.write(`m${i};`);
      await sleep(40);
    }
    await peer.waitForBytes(15, 10_000);
    const elapsedMs = nowMs() - startMs;
    assert.equal(peer.text, 'm0;m1;m2;m3;m4;');
    assert.ok(elapsedMs >= 300 + 4 * 40, `elapsed ${elapsedMs}`);
    // Accumulating per-chunk delays would take at least 5 × 300 ms.
    assert.ok(elapsedMs < 1500, `elapsed ${elapsedMs}: latencies accumulated`);
  });

  test('timeout 0 drops everything and keeps the connection open', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('timeout', 'downstream', { timeout: 0 }));
    const peer = await fx.connect(proxy);
    peer.socket.write('into the void');
    await sleep(500);
    assert.equal(peer.received.length, 0);
    assert.equal(peer.endedAtMs, undefined);
    assert.equal(peer.closedAtMs, undefined);
    assert.equal(peer.socket.writable, true);
  });

  test('timeout > 0 drops data and closes after that long without a chunk', async () => {
    let upstreamBytes = 0;
    const counter = await fx.upstream((socket) => socket.on('data', (data: Buffer) => (upstreamBytes += data.length)));
    const proxy = await fx.proxy(counter.address);
    await proxy.addToxic(toxic('timeout', 'upstream', { timeout: 300 }));
    const startMs = nowMs();
    const peer = await fx.connect(proxy);
    peer.socket.write('lost');
    const closedAtMs = await peer.waitForClose(5000);
    assert.ok(closedAtMs - startMs >= 300, `closed after ${closedAtMs - startMs} ms`);
    assert.equal(peer.received.length, 0);
    assert.equal(upstreamBytes, 0);
  });

  test('removing a timeout toxic closes the affected connections', async () => {
    const proxy = await fx.proxy(echo.address);
    const blackhole = await proxy.addToxic(toxic('timeout', 'downstream', { timeout: 0 }));
    const peer = await fx.connect(proxy);
    peer.socket.write('x');
    await sleep(50);
    assert.equal(peer.closedAtMs, undefined);
    await blackhole.remove();
    await peer.waitForClose(5000);
  });

  test('reset_peer resets new connections with ECONNRESET after its timeout', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('reset_peer', 'upstream', { timeout: 100 }));
    const startMs = nowMs();
    const peer = await fx.connect(proxy);
    peer.socket.write('hello');
    const closedAtMs = await peer.waitForClose(5000);
    assert.equal(peer.error?.code, 'ECONNRESET');
    assert.ok(closedAtMs - startMs >= 100, `reset after ${closedAtMs - startMs} ms`);
    assert.equal(peer.received.length, 0);
  });

  test('bandwidth bounds the rate (1 KB = 1000 B)', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('bandwidth', 'downstream', { rate: 100 }));
    const peer = await fx.connect(proxy);
    const payloadBytes = 100_000;
    const startMs = nowMs();
    peer.socket.write(Buffer.alloc(payloadBytes, 0x61));
    await peer.waitForBytes(payloadBytes, 20_000);
    const elapsedMs = nowMs() - startMs;
    // 100 000 B at 100 000 B/s is one second; the delivery also arrived in pieces, not one burst.
    assert.ok(elapsedMs >= 950, `elapsed ${elapsedMs} ms`);
    assert.ok(peer.dataEvents.length >= 5, `${peer.dataEvents.length} reads`);
  });

  test('limit_data passes exactly N bytes, truncating the crossing chunk, then closes', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('limit_data', 'downstream', { bytes: 5 }));
    const peer = await fx.connect(proxy);
    await peer.roundTrip('abc', 5000);
    peer.socket.write('defgh');
    await peer.waitForClose(5000);
    assert.equal(peer.text, 'abcde');
    assert.ok(peer.endedAtMs !== undefined, 'expected a clean EOF');
  });

  test('slow_close lets data through at once and holds the close for its delay', async () => {
    const greeter = await fx.upstream((socket) => socket.end('bye'));
    const proxy = await fx.proxy(greeter.address);
    await proxy.addToxic(toxic('slow_close', 'downstream', { delay: 500 }));
    const startMs = nowMs();
    const peer = await fx.connect(proxy);
    await peer.waitForBytes(3, 5000);
    const endedAtMs = await peer.waitForClose(5000);
    assert.equal(peer.text, 'bye');
    assert.ok(endedAtMs - startMs >= 500, `closed after ${endedAtMs - startMs} ms`);
    const firstData = peer.dataEvents[0];
    assert.ok(firstData !== undefined && firstData.atMs < endedAtMs);
  });

  test('slicer splits chunks into small delayed pieces, bytes intact', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('slicer', 'downstream', { average_size: 10, size_variation: 2, delay: 5000 }));
    const peer = await fx.connect(proxy);
    const message = 'abcdefghij'.repeat(10);
    const startMs = nowMs();
    peer.socket.write(message);
    await peer.waitForBytes(100, 5000);
    assert.equal(peer.text, message);
    assert.ok(peer.dataEvents.length > 1, `${peer.dataEvents.length} reads`);
    // At least 8 pieces (about 10 ± 2 bytes of 100), each followed by 5 ms.
    assert.ok(nowMs() - startMs >= 35, `elapsed ${nowMs() - startMs}`);
  });

  test('noop passes data unchanged', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(toxic('noop', 'upstream', {}));
    const peer = await fx.connect(proxy);
    await peer.roundTrip('unchanged', 5000);
    assert.equal(peer.text, 'unchanged');
  });

  test('toxicity 0 never applies the toxic', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic({ ...toxic('timeout', 'downstream', { timeout: 0 }), toxicity: 0 });
    const peer = await fx.connect(proxy);
    await peer.roundTrip('through', 5000);
    assert.equal(peer.text, 'through');
  });
});
