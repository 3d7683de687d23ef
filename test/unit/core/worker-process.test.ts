// core/worker-process.ts against a real child process (test/support/echo-worker.ts): the round trip,
// validation on receipt, deadlines, exits, stop's SIGKILL, disposal, log piping and SIGSTOP/SIGCONT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { HarnessError, WaitTimeoutError } from '../../../core/errors.ts';
import { WorkerProcess, type WorkerProcessOptions } from '../../../core/worker-process.ts';
import { parseEchoAnswer, type EchoAnswer, type EchoRequest } from '../../support/echo-protocol.ts';
import { alive } from '../../support/process-alive.ts';

/** Generous: tsx compiles the child on start, and the machine may be busy. */
const ANSWER_MS = 60_000;

function echo(o: Partial<WorkerProcessOptions<EchoRequest, EchoAnswer>> = {}): WorkerProcess<EchoRequest, EchoAnswer> {
  return new WorkerProcess<EchoRequest, EchoAnswer>({
    name: 'echo worker',
    module: new URL('../../support/echo-worker.ts', import.meta.url),
    validate: parseEchoAnswer,
    exitRequest: { type: 'exit' },
    ...o,
  });
}

const pong = (m: EchoAnswer): number | undefined => (m.type === 'pong' ? m.n : undefined);
const said = (m: EchoAnswer): true | undefined => (m.type === 'said' ? true : undefined);


test('a typed request gets its typed answer', async () => {
  await using w = echo();
  assert.equal(await w.request({ type: 'ping', n: 41 }, 'pong 41', ANSWER_MS, pong), 41);
  assert.equal(await w.request({ type: 'ping', n: 42 }, 'pong 42', ANSWER_MS, pong), 42);
});

test('a malformed message fails the wait with an error naming the worker and what came', async () => {
  await using w = echo();
  await w.request({ type: 'ping', n: 1 }, 'the first pong', ANSWER_MS, pong);
  await assert.rejects(w.request({ type: 'bad' }, 'a pong', ANSWER_MS, pong), (err: unknown) => {
    assert.ok(err instanceof HarnessError);
    assert.equal(err.code, 'WORKER_PROTOCOL');
    assert.match(err.message, /echo worker sent a malformed message/);
    assert.match(err.message, /pong\.n: expected a number, got "not a number"/);
    assert.match(err.message, /"not a number"/);
    assert.match(err.message, /while waiting for a pong/);
    return true;
  });
  // A worker that broke its protocol is not trusted with later waits either.
  await assert.rejects(w.request({ type: 'ping', n: 2 }, 'another pong', ANSWER_MS, pong), /malformed message.*cannot wait for another pong/);
});

test('the child side answers a malformed request instead of crashing', async () => {
  await using w = echo();
  const refused = (m: EchoAnswer): string | undefined => (m.type === 'refused' ? m.error : undefined);
  const answer = w.next('a refusal', ANSWER_MS, refused);
  w.send({ type: 'nonsense' } as unknown as EchoRequest);
  assert.match(await answer, /echo worker received a malformed message \(request\.type: expected one of ping/);
  assert.equal(await w.request({ type: 'ping', n: 7 }, 'pong 7', ANSWER_MS, pong), 7);
});

test('a deadline that expires names what was awaited', async () => {
  await using w = echo();
  await w.request({ type: 'ping', n: 1 }, 'the first pong', ANSWER_MS, pong);
  await assert.rejects(w.request({ type: 'silent' }, 'an answer to silence', 200, pong), (err: unknown) => {
    assert.ok(err instanceof WaitTimeoutError);
    assert.match(err.message, /^echo worker: an answer to silence did not happen within 200 ms$/);
    return true;
  });
});

test('a child that exits while awaited fails the wait, saying so', async () => {
  await using w = echo();
  await assert.rejects(w.request({ type: 'crash' }, 'a pong that never comes', ANSWER_MS, pong), (err: unknown) => {
    assert.ok(err instanceof HarnessError);
    assert.equal(err.code, 'WORKER_EXITED');
    assert.match(err.message, /echo worker \(pid \d+\) exited \(code 3\) while waiting for a pong that never comes/);
    return true;
  });
  assert.deepEqual(await w.exited, { code: 3, signal: null });
});

test('stop asks, then SIGKILLs a child that ignores the request', async () => {
  const w = echo();
  await w.request({ type: 'stubborn' }, 'stubbornness', ANSWER_MS, said);
  const pid = w.pid;
  const exit = await w.stop(300);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(alive(pid), false);
});

test('stop of a willing child is a clean exit', async () => {
  const w = echo();
  await w.request({ type: 'ping', n: 1 }, 'a pong', ANSWER_MS, pong);
  assert.deepEqual(await w.stop(), { code: 0, signal: null });
});

test('disposal leaves no process behind, even a paused one', async () => {
  let pid = 0;
  {
    await using w = echo();
    await w.request({ type: 'ping', n: 1 }, 'a pong', ANSWER_MS, pong);
    pid = w.pid;
    w.pause();
  }
  assert.ok(pid > 0);
  assert.equal(alive(pid), false);
});

test("the child's stdout and stderr reach the log stream, line by line with its name", async () => {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (b: Buffer) => (text += b.toString()));
  const w = echo({ log: sink, name: 'echo worker 9' });
  await w.request({ type: 'say', text: 'hello from the child' }, 'the words said', ANSWER_MS, said);
  await w.stop();
  assert.match(text, /^\[echo worker 9\] hello from the child$/m);
  assert.match(text, /^\[echo worker 9\] err: hello from the child$/m);
});

test('pause stops the process (SIGSTOP) and resume lets it go on (SIGCONT)', async () => {
  await using w = echo();
  await w.request({ type: 'ping', n: 1 }, 'a pong', ANSWER_MS, pong);
  const state = (): string => readFileSync(`/proc/${w.pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '?';
  w.pause();
  assert.equal(w.paused, true);
  // The stop is asynchronous in the kernel; look a few times.
  for (let i = 0; i < 50 && state() !== 'T'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(state(), 'T');
  w.resume();
  assert.equal(w.paused, false);
  assert.equal(await w.request({ type: 'ping', n: 2 }, 'a pong after resuming', ANSWER_MS, pong), 2);
});
