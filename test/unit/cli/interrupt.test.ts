// One Ctrl-C is one interrupt, whoever relays it (issue 16): a terminal signals the whole process
// group and npm relays once more, so the same press arrives two or three times within
// milliseconds. A deliberate second press still forces the exit, and says what it leaves in force.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { SAME_PRESS_MS, forcedExitMessage, signalCounter } from '../../../cli/context.ts';
import { markInForce, inForceNow } from '../../../core/in-force.ts';
import { repoRoot } from '../../support/cli.ts';

test('signals within SAME_PRESS_MS of the first are the same press; a later one forces', () => {
  let now = 1000;
  const classify = signalCounter(() => now);
  assert.equal(classify('SIGINT'), 'interrupt');
  now += 3;
  assert.equal(classify('SIGINT'), 'repeat');
  now += 20;
  assert.equal(classify('SIGTERM'), 'repeat');
  now = 1000 + SAME_PRESS_MS + 1;
  assert.equal(classify('SIGINT'), 'force');
});

test('a forced exit names what is still in force and how to undo it', () => {
  const a = markInForce('clock-skew #2 {"node":"redis-3"}');
  const b = markInForce('pause #3 {"node":"zk-1"}');
  b.release();
  try {
    const text = forcedExitMessage('SIGINT', inForceNow());
    assert.match(text, /clock-skew #2/);
    assert.doesNotMatch(text, /pause #3/, 'a released mark is not listed');
    assert.match(text, /npm run down/);
  } finally {
    a.release();
  }
  assert.match(forcedExitMessage('SIGINT', []), /nothing was left in force/);
});

test('a mark told more once the fault is applied keeps its place; a released one stays gone', () => {
  const a = markInForce('partition #1 (being applied)');
  const b = markInForce('pause #2 {"node":"zk-1"}');
  try {
    a.describe('partition #1 {"cut":["redis-1"]}');
    assert.deepEqual(inForceNow(), ['partition #1 {"cut":["redis-1"]}', 'pause #2 {"node":"zk-1"}']);
    b.release();
    b.describe('pause #2 again');
    assert.deepEqual(inForceNow(), ['partition #1 {"cut":["redis-1"]}']);
  } finally {
    a.release();
    b.release();
  }
});

/** Starts the probe in its own process group, as a shell starts a foreground job. */
async function startProbe(): Promise<{ pid: number; out: () => string; err: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/interrupt-probe.ts'], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + 30_000;
  while (!out.includes('ready')) {
    if (Date.now() > deadline) throw new Error(`the probe did not start within 30 s: ${err}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { pid: child.pid ?? 0, out: () => out, err: () => err, exit };
}

test('one press relayed three times: one interrupt, cleanup runs to the end', { timeout: 60_000 }, async () => {
  const p = await startProbe();
  // The terminal's SIGINT to the group, then two relays.
  process.kill(-p.pid, 'SIGINT');
  process.kill(p.pid, 'SIGINT');
  process.kill(p.pid, 'SIGINT');
  assert.equal(await p.exit, 130);
  assert.match(p.out(), /cleaned/, 'the cleanup finished');
  assert.equal(p.err().match(/received, cleaning up/g)?.length, 1, p.err());
  assert.doesNotMatch(p.err(), /without cleanup/);
});

test('a deliberate second press forces the exit and lists the fault left in force', { timeout: 60_000 }, async () => {
  const p = await startProbe();
  process.kill(-p.pid, 'SIGINT');
  await new Promise((r) => setTimeout(r, SAME_PRESS_MS + 300));
  process.kill(-p.pid, 'SIGINT');
  assert.equal(await p.exit, 130);
  assert.doesNotMatch(p.out(), /cleaned/, 'the cleanup was cut short');
  assert.match(p.err(), /exiting without cleanup\. Still in force:\n {2}- partition #1/);
  assert.match(p.err(), /npm run down/);
});
