// The HTTP API of the compat server as toxiproxy-node-client 4.1.0 sees it: status codes, defaults,
// JSON shapes, listen normalisation and Go-worded errors. Plain fetch appears only where the client
// cannot make the call or discards what the test must see (headers, error bodies, PATCH, lists).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ToxiproxyError, type ICreateToxicBody, type ToxicType } from 'toxiproxy-node-client';
import { reportedListen, splitHostPort } from '../address.ts';
import { Fixture, LOCALHOST, portOf, tryConnect, type Upstream } from './helpers.ts';

async function rejectsWithStatus(promise: Promise<unknown>, status: number): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ToxiproxyError, `expected ToxiproxyError, got ${String(err)}`);
    assert.equal(err.message, `Request failed with status code ${status}`);
    return true;
  });
}

/** A toxic body with only some fields, so the server's defaults apply (the client's type wants all). */
function partialToxic<T>(body: Partial<ICreateToxicBody<T>>): ICreateToxicBody<T> {
  return body as ICreateToxicBody<T>;
}

describe('toxiproxy-compat API', () => {
  let fx: Fixture;
  let echo: Upstream;
  before(async () => {
    fx = await Fixture.start();
    echo = await fx.echo();
  });
  after(async () => {
    await fx.close();
  });

  test('GET /version answers like 2.12.0 (the client returns the raw text)', async () => {
    assert.equal(await fx.toxiproxy.getVersion(), '{"version": "2.12.0"}\n');
  });

  test('every response carries X-Toxiproxy-Compat, and errors are Go-shaped text/plain', async () => {
    // Plain fetch: the client exposes neither headers nor error bodies.
    const version = await fetch(`${fx.server.url}/version`);
    assert.equal(version.headers.get('x-toxiproxy-compat'), 'lockbench');
    assert.equal(version.headers.get('content-type'), 'application/json;charset=utf-8');
    await version.text();

    const missing = await fetch(`${fx.server.url}/proxies/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-toxiproxy-compat'), 'lockbench');
    assert.equal(missing.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await missing.text(), '{"error":"proxy not found","status":404}\n');

    const unknown = await fetch(`${fx.server.url}/no/such/path`);
    assert.equal(unknown.status, 404);
    assert.equal(await unknown.text(), '404 page not found\n');
    assert.equal(unknown.headers.get('x-toxiproxy-compat'), 'lockbench');

    const wrongMethod = await fetch(`${fx.server.url}/version`, { method: 'DELETE' });
    assert.equal(wrongMethod.status, 405);
    assert.equal(await wrongMethod.text(), '');
  });

  test('createProxy: 201, enabled by default, port 0 replaced by the real port, listed by name', async () => {
    const proxy = await fx.toxiproxy.createProxy({ name: 'created', listen: `${LOCALHOST}:0`, upstream: echo.address });
    assert.equal(proxy.enabled, true);
    assert.equal(proxy.upstream, echo.address);
    assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(portOf(proxy.listen), 0);
    const all = await fx.toxiproxy.getAll();
    assert.equal(all['created']?.listen, proxy.listen);
    assert.equal((await fx.toxiproxy.get('created')).listen, proxy.listen);
    assert.equal(await tryConnect(portOf(proxy.listen)), 'connected');
    await proxy.remove();
  });

  test('proxy JSON has Go field order and lists toxics upstream first', async () => {
    const proxy = await fx.proxy(echo.address);
    await proxy.addToxic(partialToxic({ type: 'latency', attributes: { latency: 5, jitter: 0 } }));
    await proxy.addToxic(partialToxic({ type: 'noop' as ToxicType, stream: 'upstream', attributes: {} }));
    // Plain fetch: the client drops `toxics` from proxies and has no list-toxics call.
    const text = await (await fetch(`${fx.server.url}/proxies/${proxy.name}`)).text();
    assert.equal(
      text,
      `{"name":"${proxy.name}","listen":"${proxy.listen}","upstream":"${echo.address}","enabled":true,"toxics":[` +
        `{"attributes":{},"name":"noop_upstream","type":"noop","stream":"upstream","toxicity":1},` +
        `{"attributes":{"latency":5,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}]}`,
    );
    const list = (await (await fetch(`${fx.server.url}/proxies/${proxy.name}/toxics`)).json()) as { name: string }[];
    assert.deepEqual(
      list.map((t) => t.name),
      ['noop_upstream', 'latency_downstream'],
    );
    await proxy.remove();
  });

  test('duplicate proxy name → 409', async () => {
    const proxy = await fx.proxy(echo.address);
    await rejectsWithStatus(fx.toxiproxy.createProxy({ name: proxy.name, listen: `${LOCALHOST}:0`, upstream: echo.address }), 409);
    await proxy.remove();
  });

  test('missing proxy or toxic → 404', async () => {
    await rejectsWithStatus(fx.toxiproxy.get('no-such-proxy'), 404);
    const proxy = await fx.proxy(echo.address);
    await rejectsWithStatus(proxy.getToxic('no-such-toxic'), 404);
    await proxy.remove();
    await rejectsWithStatus(proxy.remove(), 404);
  });

  test('bad bodies → 400: missing upstream or name, bad stream, bad type, non-integer attributes', async () => {
    await rejectsWithStatus(fx.toxiproxy.createProxy({ name: 'no-upstream', listen: `${LOCALHOST}:0` } as never), 400);
    await rejectsWithStatus(fx.toxiproxy.createProxy({ listen: `${LOCALHOST}:0`, upstream: echo.address } as never), 400);
    const proxy = await fx.proxy(echo.address);
    await rejectsWithStatus(proxy.addToxic(partialToxic({ type: 'latency', stream: 'sideways' as never, attributes: {} })), 400);
    await rejectsWithStatus(proxy.addToxic(partialToxic({ type: 'down', attributes: {} })), 400);
    await rejectsWithStatus(proxy.addToxic(partialToxic({ type: 'latency', attributes: { latency: 1.5, jitter: 0 } })), 400);
    await rejectsWithStatus(proxy.addToxic(partialToxic({ type: 'latency', attributes: { latency: '10' as never, jitter: 0 } })), 400);
    // Our deviations: values that stall or crash the real server are refused.
    await rejectsWithStatus(proxy.addToxic(partialToxic({ type: 'bandwidth', attributes: { rate: 0 } })), 400);
    await rejectsWithStatus(proxy.addToxic(partialToxic({ type: 'slicer', attributes: { average_size: 0, size_variation: 0, delay: 0 } })), 400);

    // Plain fetch: the client discards error bodies, and these texts are the contract.
    const stream = await fetch(`${fx.server.url}/proxies/${proxy.name}/toxics`, {
      method: 'POST',
      body: JSON.stringify({ type: 'latency', stream: 'sideways' }),
    });
    assert.equal(await stream.text(), '{"error":"stream was invalid, can be either upstream or downstream","status":400}\n');
    const type = await fetch(`${fx.server.url}/proxies/${proxy.name}/toxics`, { method: 'POST', body: '{"type":"down"}' });
    assert.equal(await type.text(), '{"error":"invalid toxic type","status":400}\n');
    const float = await fetch(`${fx.server.url}/proxies/${proxy.name}/toxics`, {
      method: 'POST',
      body: '{"type":"latency","attributes":{"latency":1.5}}',
    });
    assert.equal(
      ((await float.json()) as { error: string }).error,
      'bad request body: json: cannot unmarshal number 1.5 into Go struct field LatencyToxic.attributes.latency of type int64',
    );
    const missing = await fetch(`${fx.server.url}/proxies`, { method: 'POST', body: '{"name":"x"}' });
    assert.equal(await missing.text(), '{"error":"missing required field: upstream","status":400}\n');
    const garbage = await fetch(`${fx.server.url}/proxies`, { method: 'POST', body: '{' });
    assert.equal(garbage.status, 400);
    await garbage.text();
    await proxy.remove();
  });

  test('toxic create: defaults (downstream, toxicity 1, name <type>_<stream>), 200, 409 on duplicate', async () => {
    const proxy = await fx.proxy(echo.address);
    const toxic = await proxy.addToxic(partialToxic({ type: 'latency', attributes: { latency: 10, jitter: 0 } }));
    assert.equal(toxic.name, 'latency_downstream');
    assert.equal(toxic.stream, 'downstream');
    assert.equal(toxic.toxicity, 1);
    assert.deepEqual(toxic.attributes, { latency: 10, jitter: 0 });
    // Names are unique across both directions.
    await rejectsWithStatus(
      proxy.addToxic(partialToxic({ name: 'latency_downstream', type: 'latency', stream: 'upstream', attributes: { latency: 1, jitter: 0 } })),
      409,
    );
    const fetched = await proxy.getToxic<{ latency: number; jitter: number }>('latency_downstream');
    assert.equal(fetched.attributes.latency, 10);
    await proxy.remove();
  });

  test('toxic update merges attributes and toxicity only; remove → 204 then 404', async () => {
    const proxy = await fx.proxy(echo.address);
    const toxic = await proxy.addToxic({
      name: 'lat',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 100, jitter: 10 },
    });
    const updated = await toxic.update({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 20, jitter: 10 } });
    assert.equal(updated.toxicity, 0.5);
    assert.deepEqual(updated.attributes, { latency: 20, jitter: 10 });
    // Plain fetch: the client always sends a full body with POST; a PATCH with one attribute shows the merge.
    const patched = await fetch(`${fx.server.url}/proxies/${proxy.name}/toxics/lat`, {
      method: 'PATCH',
      body: JSON.stringify({ attributes: { jitter: 3 }, type: 'timeout', stream: 'downstream' }),
    });
    assert.deepEqual(await patched.json(), {
      attributes: { latency: 20, jitter: 3 },
      name: 'lat',
      type: 'latency',
      stream: 'upstream',
      toxicity: 0.5,
    });
    await toxic.remove();
    await rejectsWithStatus(proxy.getToxic('lat'), 404);
    await rejectsWithStatus(toxic.remove(), 404);
    await proxy.remove();
  });

  test('bind error → 500 with Go wording, and no proxy is left behind', async () => {
    await rejectsWithStatus(fx.toxiproxy.createProxy({ name: 'clash', listen: echo.address, upstream: echo.address }), 500);
    await rejectsWithStatus(fx.toxiproxy.get('clash'), 404);
    // Plain fetch: the message is in the body the client discards.
    const res = await fetch(`${fx.server.url}/proxies`, {
      method: 'POST',
      body: JSON.stringify({ name: 'clash', listen: echo.address, upstream: echo.address }),
    });
    assert.deepEqual(await res.json(), { error: `listen tcp ${echo.address}: bind: address already in use`, status: 500 });
  });

  test('update: re-sending the reported listen keeps connections; a new listen restarts elsewhere', async () => {
    const proxy = await fx.proxy(echo.address);
    const peer = await fx.connect(proxy);
    await peer.roundTrip('before', 5000);
    const same = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    assert.equal(same.listen, proxy.listen);
    await peer.roundTrip('after', 5000);
    assert.equal(peer.closedAtMs, undefined);

    const moved = await proxy.update({ enabled: true, listen: `${LOCALHOST}:0`, upstream: proxy.upstream });
    assert.notEqual(moved.listen, proxy.listen);
    await peer.waitForClose(5000);
    assert.equal(await tryConnect(portOf(moved.listen)), 'connected');
    await moved.remove();
  });

  test('created disabled: nothing bound, listen echoed as given; DELETE frees the port', async () => {
    const disabled = await fx.toxiproxy.createProxy({ name: 'dormant', listen: `${LOCALHOST}:0`, upstream: echo.address, enabled: false });
    assert.equal(disabled.enabled, false);
    assert.equal(disabled.listen, `${LOCALHOST}:0`);
    await disabled.remove();

    const proxy = await fx.proxy(echo.address);
    await proxy.remove();
    assert.equal(await tryConnect(portOf(proxy.listen)), 'ECONNREFUSED');
  });

  test('populate: 201 with the proxies, validates all first, keeps an unchanged proxy as it is, [] for []', async () => {
    const created = await fx.toxiproxy.populate([
      { name: 'pop-a', listen: `${LOCALHOST}:0`, upstream: echo.address },
      { name: 'pop-b', listen: `${LOCALHOST}:0`, upstream: echo.address, enabled: false },
    ]);
    assert.deepEqual(Object.keys(created).sort(), ['pop-a', 'pop-b']);
    const a = created['pop-a'];
    assert.ok(a !== undefined);
    assert.equal(a.enabled, true);
    assert.equal(created['pop-b']?.enabled, false);

    // Same listen (as reported) and upstream: kept, toxics included.
    await a.addToxic(partialToxic({ type: 'latency', attributes: { latency: 1, jitter: 0 } }));
    const again = await fx.toxiproxy.populate([{ name: 'pop-a', listen: a.listen, upstream: echo.address, enabled: false }]);
    assert.equal(again['pop-a']?.enabled, true);
    await a.getToxic('latency_downstream');

    // The second entry is invalid, so nothing at all is created.
    await rejectsWithStatus(
      fx.toxiproxy.populate([
        { name: 'pop-c', listen: `${LOCALHOST}:0`, upstream: echo.address },
        { name: 'pop-d', listen: `${LOCALHOST}:0` } as never,
      ]),
      400,
    );
    await rejectsWithStatus(fx.toxiproxy.get('pop-c'), 404);

    // The real server answers {"proxies":null} here, on which this client throws a TypeError.
    assert.deepEqual(await fx.toxiproxy.populate([]), {});
    await a.remove();
    await fx.toxiproxy.get('pop-b').then((p) => p.remove());
  });

  test('address helpers follow Go: [::] for wildcard binds, split host:port', () => {
    assert.equal(reportedListen({ address: '0.0.0.0', family: 'IPv4', port: 8666 }), '[::]:8666');
    assert.equal(reportedListen({ address: '::', family: 'IPv6', port: 8666 }), '[::]:8666');
    assert.equal(reportedListen({ address: '::1', family: 'IPv6', port: 1 }), '[::1]:1');
    assert.deepEqual(splitHostPort('[::]:8666'), { host: '::', port: 8666 });
    assert.deepEqual(splitHostPort(':8666'), { host: '', port: 8666 });
    assert.deepEqual(splitHostPort('redis1:6379'), { host: 'redis1', port: 6379 });
    assert.throws(() => splitHostPort('nocolon'), /missing port in address/);
  });
});
