// The native ZooKeeper binding prints its errors with printf on stdout, where `bench --json` puts
// its result (CI's bench run could not parse one that began "yield:zookeeper_interest returned
// error: -7"). A client lockbench makes prints nothing, on either stream, while it cannot connect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { collect, repoRoot } from '../../support/cli.ts';

test('a ZooKeeper client that cannot connect writes nothing to stdout or stderr', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/zookeeper-refused-probe.ts'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const r = await collect(child, 30_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
});
