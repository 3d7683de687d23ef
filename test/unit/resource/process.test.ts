// The resource as its own OS process (resource/main.ts via spawnResource): start and stop, what a
// SIGKILL right after an acknowledgement leaves in audit.jsonl, many concurrent clients, bad flags.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../../../core/history.ts';
import { withDeadline } from '../../../core/wait.ts';
import { ResourceClient } from '../../../resource/client.ts';
import { spawnResource } from '../../../resource/process.ts';
import { replayAudit } from '../../../resource/state.ts';
import { collect, repoRoot } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'lockbench-resource-proc-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const auditPath = (): string => join(dir, `audit-${++files}.jsonl`);

const EVENTS = new Set(['enter', 'read', 'write', 'exit', 'reject']);

/** Parses every line and checks each is a complete AuditEntry; a torn line fails the test. */
function readWellFormedAudit(path: string): AuditEntry[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), 'audit ends with a whole line');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line, i) => {
      const e = JSON.parse(line) as AuditEntry;
      assert.equal(typeof e.timeMs, 'number', `line ${i + 1} timeMs`);
      assert.ok(EVENTS.has(e.event), `line ${i + 1} event ${e.event}`);
      assert.equal(typeof e.key, 'string', `line ${i + 1} key`);
      assert.ok(Number.isSafeInteger(e.client), `line ${i + 1} client`);
      if (e.event === 'read' || e.event === 'write' || e.event === 'reject') assert.ok(Number.isSafeInteger(e.value), `line ${i + 1} value`);
      return e;
    });
}

function runResourceCli(args: readonly string[]): ReturnType<typeof collect> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'resource/main.ts', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, 20_000);
}

describe('resource process', () => {
  test('round trip through the process; SIGTERM stops it with exit code 0', async () => {
    const path = auditPath();
    const resource = await spawnResource({ auditPath: path, fencing: true });
    try {
      assert.ok(resource.port > 0);
      await using client = await ResourceClient.connect(resource.port);
      await client.enter('k', 1, { token: '1' });
      assert.equal(await client.read('k', 1, { token: '1' }), 0);
      assert.deepEqual(await client.write('k', 1, 1, { token: '1' }), { accepted: true });
      assert.deepEqual(await client.write('k', 1, 2, { token: '1' }), { accepted: false, reason: 'stale-token', highestToken: '1' });
      await client.exit('k', 1, { token: '1' });
    } finally {
      assert.deepEqual(await resource.stop(), { code: 0, signal: null });
    }
    assert.deepEqual(
      readWellFormedAudit(path).map((e) => e.event),
      ['enter', 'read', 'write', 'reject', 'exit'],
    );
  });

  test('every acknowledged write is in audit.jsonl after a SIGKILL right after the ack', async () => {
    const path = auditPath();
    await using resource = await spawnResource({ auditPath: path, fencing: false });
    const client = await ResourceClient.connect(resource.port, { timeoutMs: 10_000 });
    const acked: number[] = [];
    let killed = false;
    const total = 400;
    // All writes pipelined; the kill lands while later ones are still in flight.
    const writes = Array.from({ length: total }, (_, i) =>
      client.write('k', 1, i + 1).then(
        () => {
          acked.push(i + 1);
          if (acked.length === total / 2 && !killed) {
            killed = true;
            process.kill(resource.pid, 'SIGKILL');
          }
        },
        () => undefined,
      ),
    );
    await withDeadline(Promise.all(writes), 'all pipelined writes to be acknowledged or failed', 20_000);
    const exit = await withDeadline(resource.exited, 'the SIGKILLed resource process to exit', 10_000);
    assert.equal(exit.signal, 'SIGKILL');
    await client.close();

    assert.ok(acked.length >= total / 2);
    const written = new Set(readWellFormedAudit(path).filter((e) => e.event === 'write').map((e) => e.value));
    const missing = acked.filter((v) => !written.has(v));
    assert.deepEqual(missing, [], 'acknowledged writes missing from the audit');
  });

  test('32 concurrent clients x 200 ops produce a well-formed audit in time order', async () => {
    const path = auditPath();
    const clients = 32;
    const cycles = 50; // enter + read + write + exit: 200 ops per client
    {
      await using resource = await spawnResource({ auditPath: path, fencing: true });
      const conns = await Promise.all(Array.from({ length: clients }, () => ResourceClient.connect(resource.port, { timeoutMs: 20_000 })));
      try {
        await withDeadline(
          Promise.all(
            conns.map(async (c, client) => {
              const key = `k${client % 4}`;
              for (let i = 0; i < cycles; i++) {
                // Tokens interleave across clients on a key, so some writes are rejected: both paths run.
                const token = String(i * clients + client + 1);
                await c.enter(key, client, { token });
                const v = await c.read(key, client, { token });
                await c.write(key, client, v + 1, { token });
                await c.exit(key, client, { token });
              }
            }),
          ),
          `${clients} clients to finish ${cycles} cycles`,
          120_000,
        );
      } finally {
        await Promise.all(conns.map((c) => c.close()));
      }
    }

    const audit = readWellFormedAudit(path);
    assert.equal(audit.length, clients * cycles * 4);
    for (let i = 1; i < audit.length; i++) {
      assert.ok((audit[i]?.timeMs ?? 0) >= (audit[i - 1]?.timeMs ?? 0), `timestamps non-decreasing at line ${i + 1}`);
    }
    // Each client's own events are in the order it made them.
    const expected = ['enter', 'read', 'write', 'exit'];
    for (let client = 0; client < clients; client++) {
      const mine = audit.filter((e) => e.client === client).map((e) => (e.event === 'reject' ? 'write' : e.event));
      assert.deepEqual(mine, Array.from({ length: cycles }, () => expected).flat(), `client ${client}`);
    }
    // Accepted tokens strictly increase per key (fencing held under concurrency).
    const highest = new Map<string, bigint>();
    for (const e of audit) {
      if (e.event !== 'write' || e.token === undefined) continue;
      const t = BigInt(e.token);
      assert.ok(t > (highest.get(e.key) ?? -1n), `token ${e.token} on ${e.key}`);
      highest.set(e.key, t);
    }
    assert.equal(replayAudit(audit).snapshot().size, 4);
  });

  test('with --exit-with-parent the process exits when its stdin closes (the harness died)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'resource/main.ts', '--audit', auditPath(), '--exit-with-parent'], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const result = collect(child, 20_000);
    const ready = new Promise<string>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(b.toString())));
    assert.match(await withDeadline(ready, 'the resource to print its port', 20_000), /^\{"port":\d+,"pid":\d+\}\n/);
    child.stdin.end();
    const { code, stderr } = await result;
    assert.equal(code, 0, stderr);
  });

  test('resource/main.ts exits 254 on a bad flag, a missing --audit and a bad port', async () => {
    const bogus = await runResourceCli(['--audit', join(dir, 'x.jsonl'), '--bogus']);
    assert.equal(bogus.code, 254);
    assert.match(bogus.stderr, /--bogus/);
    assert.match(bogus.stderr, /usage:/);
    assert.equal(bogus.stdout, '');

    const missing = await runResourceCli(['--fencing']);
    assert.equal(missing.code, 254);
    assert.match(missing.stderr, /--audit PATH is required/);

    const port = await runResourceCli(['--audit', join(dir, 'y.jsonl'), '--port', '70000']);
    assert.equal(port.code, 254);
    assert.match(port.stderr, /--port must be an integer/);
  });
});
