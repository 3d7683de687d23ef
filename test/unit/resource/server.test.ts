// The resource in this process, over real sockets on 127.0.0.1: the protocol, fencing, the audit
// lines each call produces, and recovering state from an existing audit log.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../../../core/history.ts';
import { withDeadline } from '../../../core/wait.ts';
import { ResourceClient, ResourceError } from '../../../resource/client.ts';
import { startResource } from '../../../resource/server.ts';
import { replayAudit } from '../../../resource/state.ts';

const dir = mkdtempSync(join(tmpdir(), 'lockbench-resource-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const auditPath = (): string => join(dir, `audit-${++files}.jsonl`);

function readAudit(path: string): AuditEntry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
}

/** The audit lines without their timestamps, which the tests cannot predict. */
function untimed(path: string): Omit<AuditEntry, 'timeMs'>[] {
  return readAudit(path).map(({ timeMs: _, ...rest }) => rest);
}

describe('resource protocol', () => {
  test('enter, read, write, exit round trip and the audit lines they produce', async () => {
    const path = auditPath();
    await using resource = await startResource({ port: 0, auditPath: path, fencing: false });
    await using client = await ResourceClient.connect(resource.port);
    await client.ping();
    await client.enter('k1', 3);
    assert.equal(await client.read('k1', 3), 0);
    assert.deepEqual(await client.write('k1', 3, 1), { accepted: true });
    assert.equal(await client.read('k1', 3), 1);
    await client.exit('k1', 3);
    assert.equal(await client.read('other', 4), 0, 'each key starts at 0');

    const audit = readAudit(path);
    assert.deepEqual(untimed(path), [
      { event: 'enter', key: 'k1', client: 3 },
      { event: 'read', key: 'k1', client: 3, value: 0 },
      { event: 'write', key: 'k1', client: 3, value: 1 },
      { event: 'read', key: 'k1', client: 3, value: 1 },
      { event: 'exit', key: 'k1', client: 3 },
      { event: 'read', key: 'other', client: 4, value: 0 },
    ]);
    for (const [i, e] of audit.entries()) {
      assert.equal(typeof e.timeMs, 'number');
      if (i > 0) assert.ok(e.timeMs >= (audit[i - 1]?.timeMs ?? 0), 'timestamps non-decreasing');
    }
  });

  test('fencing rejects a lower or equal token and a missing one, records each, accepts a higher one', async () => {
    const path = auditPath();
    await using resource = await startResource({ port: 0, auditPath: path, fencing: true });
    await using client = await ResourceClient.connect(resource.port);
    await client.enter('k', 1, { token: '10' });
    assert.deepEqual(await client.write('k', 1, 1, { token: '10' }), { accepted: true });
    assert.deepEqual(await client.write('k', 2, 2, { token: '9' }), { accepted: false, reason: 'stale-token', highestToken: '10' });
    assert.deepEqual(await client.write('k', 2, 2, { token: '10' }), { accepted: false, reason: 'stale-token', highestToken: '10' });
    assert.deepEqual(await client.write('k', 2, 2), { accepted: false, reason: 'missing-token', highestToken: '10' });
    assert.equal(await client.read('k', 2), 1, 'rejected writes change nothing');
    // Tokens beyond 2^53 (ZooKeeper zxids) must compare exactly.
    assert.deepEqual(await client.write('k', 2, 2, { token: '9007199254740993' }), { accepted: true });
    assert.deepEqual(await client.write('k', 1, 3, { token: '9007199254740992' }), { accepted: false, reason: 'stale-token', highestToken: '9007199254740993' });
    // Tokens are per key.
    assert.deepEqual(await client.write('k2', 1, 1, { token: '1' }), { accepted: true });

    assert.deepEqual(untimed(path), [
      { event: 'enter', key: 'k', client: 1, token: '10' },
      { event: 'write', key: 'k', client: 1, token: '10', value: 1 },
      { event: 'reject', key: 'k', client: 2, token: '9', value: 2, reason: 'stale-token' },
      { event: 'reject', key: 'k', client: 2, token: '10', value: 2, reason: 'stale-token' },
      { event: 'reject', key: 'k', client: 2, value: 2, reason: 'missing-token' },
      { event: 'read', key: 'k', client: 2, value: 1 },
      { event: 'write', key: 'k', client: 2, token: '9007199254740993', value: 2 },
      { event: 'reject', key: 'k', client: 1, token: '9007199254740992', value: 3, reason: 'stale-token' },
      { event: 'write', key: 'k2', client: 1, token: '1', value: 1 },
    ]);
  });

  test('fencing: a write with no token on a fresh key is rejected as missing-token', async () => {
    const path = auditPath();
    await using resource = await startResource({ port: 0, auditPath: path, fencing: true });
    await using client = await ResourceClient.connect(resource.port);
    assert.deepEqual(await client.write('fresh', 1, 1), { accepted: false, reason: 'missing-token' });
  });

  test('without fencing any write is accepted, whatever its token', async () => {
    const path = auditPath();
    await using resource = await startResource({ port: 0, auditPath: path, fencing: false });
    await using client = await ResourceClient.connect(resource.port);
    assert.deepEqual(await client.write('k', 1, 1, { token: '10' }), { accepted: true });
    assert.deepEqual(await client.write('k', 2, 2, { token: '3' }), { accepted: true });
    assert.deepEqual(await client.write('k', 2, 3), { accepted: true });
    assert.equal(await client.read('k', 1), 3);
    assert.deepEqual(
      readAudit(path).map((e) => [e.event, e.value]),
      [['write', 1], ['write', 2], ['write', 3], ['read', 3]],
    );
  });

  test('malformed requests get an error reply, are not audited, and leave the connection usable', async () => {
    const path = auditPath();
    await using resource = await startResource({ port: 0, auditPath: path, fencing: false });
    const socket = connect({ port: resource.port, host: '127.0.0.1' });
    try {
      socket.setEncoding('utf8');
      const lines: string[] = [];
      let buffered = '';
      const replies = new Promise<void>((resolve) => {
        socket.on('data', (chunk: string) => {
          buffered += chunk;
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            lines.push(buffered.slice(0, nl));
            buffered = buffered.slice(nl + 1);
          }
          if (lines.length >= 7) resolve();
        });
      });
      // All in one write: the server must answer each pipelined line, matched by id.
      socket.write(
        [
          'not json',
          JSON.stringify({ id: 1, op: 'fly', key: 'k', client: 1 }),
          JSON.stringify({ id: 2, op: 'write', key: 'k', client: 1 }),
          JSON.stringify({ id: 3, op: 'write', key: 'k', client: 1, value: 1, token: '0x10' }),
          JSON.stringify({ id: 4, op: 'read', key: '', client: 1 }),
          JSON.stringify({ id: 'five', op: 'write', key: 'k', client: 1, value: 7 }),
          JSON.stringify({ id: 6, op: 'read', key: 'k', client: 1 }),
        ].join('\n') + '\n',
      );
      await withDeadline(replies, 'seven replies from the resource', 5000);
      const parsed = lines.map((l) => JSON.parse(l) as { id: unknown; ok: boolean; error?: string; value?: number });
      assert.deepEqual(
        parsed.map((r) => [r.id, r.ok]),
        [[null, false], [1, false], [2, false], [3, false], [4, false], ['five', true], [6, true]],
      );
      assert.equal(parsed[0]?.error, 'bad-json');
      assert.match(parsed[2]?.error ?? '', /^bad-request: write needs an integer value/);
      assert.equal(parsed[6]?.value, 7);
      assert.deepEqual(
        readAudit(path).map((e) => e.event),
        ['write', 'read'],
      );
    } finally {
      socket.destroy();
    }
  });

  test('calls overlap on one connection and each gets its own reply', async () => {
    const path = auditPath();
    await using resource = await startResource({ port: 0, auditPath: path, fencing: false });
    await using client = await ResourceClient.connect(resource.port);
    const writes = Array.from({ length: 100 }, (_, i) => client.write(`k${i}`, 1, i));
    await Promise.all(writes);
    const reads = await Promise.all(Array.from({ length: 100 }, (_, i) => client.read(`k${i}`, 1)));
    assert.deepEqual(reads, Array.from({ length: 100 }, (_, i) => i));
  });

  test('the final state is recoverable from the audit alone, and a restart continues from it', async () => {
    const path = auditPath();
    {
      await using resource = await startResource({ port: 0, auditPath: path, fencing: true });
      await using client = await ResourceClient.connect(resource.port);
      for (let i = 1; i <= 5; i++) await client.write('a', 1, i, { token: String(i * 10) });
      await client.write('b', 2, 42, { token: '7' });
      await client.write('b', 2, 99, { token: '6' });
    }
    const replayed = replayAudit(readAudit(path)).snapshot();
    assert.deepEqual(Object.fromEntries(replayed), { a: { value: 5, highestToken: '50' }, b: { value: 42, highestToken: '7' } });

    // A line torn by a crash mid-write was never acknowledged; the restart cuts it off.
    appendFileSync(path, '{"timeMs":1,"event":"wri');
    await using resource = await startResource({ port: 0, auditPath: path, fencing: true });
    assert.equal(resource.recoveredEntries, 7);
    await using client = await ResourceClient.connect(resource.port);
    assert.equal(await client.read('a', 1), 5);
    assert.deepEqual(await client.write('a', 1, 6, { token: '50' }), { accepted: false, reason: 'stale-token', highestToken: '50' });
    assert.deepEqual(await client.write('a', 1, 6, { token: '51' }), { accepted: true });
    const audit = readAudit(path);
    assert.equal(audit.length, 10, 'every line parses: the torn fragment is gone');
  });

  test('a corrupt line inside an existing audit log stops the resource from starting', async () => {
    const path = auditPath();
    appendFileSync(path, '{"timeMs":1,"event":"write","key":"k","client":1,"value":1}\ngarbage\n');
    await assert.rejects(startResource({ port: 0, auditPath: path, fencing: false }), /line 2 is not JSON/);
  });

  test('client errors: a closed resource fails calls with conn-closed, a refused connect with conn-refused', async () => {
    const path = auditPath();
    const resource = await startResource({ port: 0, auditPath: path, fencing: false });
    const port = resource.port;
    await using client = await ResourceClient.connect(port);
    await client.ping();
    await resource.close();
    await assert.rejects(client.read('k', 1), (err: unknown) => err instanceof ResourceError && err.tag === 'conn-closed');
    await assert.rejects(ResourceClient.connect(port), (err: unknown) => err instanceof ResourceError && err.tag === 'conn-refused');
  });
});
