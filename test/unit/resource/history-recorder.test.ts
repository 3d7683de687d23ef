// HistoryRecorder: Jepsen-style invoke/complete lines, one outstanding op per process, and two OS
// processes appending to one history.jsonl without tearing each other's lines.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryRecorder } from '../../../core/history-recorder.ts';
import type { Op } from '../../../core/history.ts';
import { pairOps } from '../../../checkers/pairs.ts';
import { collect, repoRoot } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'lockbench-history-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function readOps(path: string): Op[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Op);
}

/** A worker process: `ops` acquire pairs for each of its processes, with padding to make lines long. */
function writerScript(path: string, processes: readonly (number | 'nemesis')[], ops: number): string {
  return `
    import { HistoryRecorder } from './core/history-recorder.ts';
    const recorder = new HistoryRecorder(${JSON.stringify(path)});
    const processes = ${JSON.stringify(processes)};
    const pad = 'x'.repeat(2000);
    for (let i = 0; i < ${ops}; i++) {
      for (const p of processes) {
        const h = recorder.invoke(p, p === 'nemesis' ? 'start-partition' : 'acquire', { key: 'k' + i, value: { i, pad } });
        recorder.complete(h, i % 3 === 0 ? 'ok' : i % 3 === 1 ? 'fail' : 'info', { value: { i, pad }, ...(i % 3 === 1 && { error: 'busy' }) });
      }
    }
    recorder.close();
  `;
}

describe('history recorder', () => {
  test('invoke and complete write Jepsen op lines with monotonic timestamps', () => {
    const path = join(dir, 'single.jsonl');
    let now = 100;
    {
      using recorder = new HistoryRecorder(path, { clock: { nowMs: () => (now += 1.5) } });
      const a = recorder.invoke(1, 'acquire', { key: 'k' });
      recorder.complete(a, 'ok', { lease: { owner: 'w1-1', token: '7', validUntilMs: 10_100 } });
      const n = recorder.invoke('nemesis', 'start-partition', { value: { shape: 'majority' } });
      const w = recorder.invoke(1, 'write', { key: 'k', value: 1 });
      recorder.complete(n, 'info', { value: { targets: ['redis-1'] } });
      recorder.complete(w, 'fail', { error: 'timeout' });
      assert.deepEqual(recorder.outstandingProcesses(), []);
    }
    assert.deepEqual(readOps(path), [
      { type: 'invoke', f: 'acquire', process: 1, timeMs: 101.5, key: 'k' },
      { type: 'ok', f: 'acquire', process: 1, timeMs: 103, key: 'k', lease: { owner: 'w1-1', token: '7', validUntilMs: 10_100 } },
      { type: 'invoke', f: 'start-partition', process: 'nemesis', timeMs: 104.5, value: { shape: 'majority' } },
      { type: 'invoke', f: 'write', process: 1, timeMs: 106, key: 'k', value: 1 },
      { type: 'info', f: 'start-partition', process: 'nemesis', timeMs: 107.5, value: { targets: ['redis-1'] } },
      { type: 'fail', f: 'write', process: 1, timeMs: 109, key: 'k', error: 'timeout' },
    ]);
  });

  test('a second invoke of a process with an op outstanding throws, as does completing twice', () => {
    using recorder = new HistoryRecorder(join(dir, 'violations.jsonl'));
    const h = recorder.invoke(2, 'acquire', { key: 'k' });
    assert.throws(() => recorder.invoke(2, 'release', { key: 'k' }), /process 2 invoked release while its acquire is still outstanding/);
    recorder.invoke(3, 'acquire', { key: 'k' }); // other processes are independent
    recorder.complete(h, 'ok');
    assert.throws(() => recorder.complete(h, 'ok'), /not its outstanding op/);
    assert.deepEqual(recorder.outstandingProcesses(), [3]);
    const nemesis = recorder.invoke('nemesis', 'start-crash');
    assert.throws(() => recorder.invoke('nemesis', 'stop-crash'), /process nemesis/);
    recorder.complete(nemesis, 'ok');
  });

  test('two OS processes append well-formed invoke/complete pairs to one file without torn lines', async () => {
    const path = join(dir, 'shared.jsonl');
    const ops = 1000;
    const writers = [
      { processes: [0, 1], ops },
      { processes: [2, 'nemesis'] as const, ops },
    ].map((w) =>
      collect(
        spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writerScript(path, w.processes, w.ops)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }),
        60_000,
      ),
    );
    for (const result of await Promise.all(writers)) assert.equal(result.code, 0, result.stderr);

    // JSON.parse of every line: a torn or interleaved line would throw here.
    const history = readOps(path);
    assert.equal(history.length, 4 * 2 * ops);
    const byProcess = new Map<string, Op[]>();
    for (const op of history) {
      const list = byProcess.get(String(op.process)) ?? [];
      list.push(op);
      byProcess.set(String(op.process), list);
    }
    assert.deepEqual([...byProcess.keys()].sort(), ['0', '1', '2', 'nemesis']);
    for (const [p, list] of byProcess) {
      assert.equal(list.length, 2 * ops, `process ${p}`);
      for (let i = 0; i < list.length; i += 2) {
        const invoke = list[i];
        const completion = list[i + 1];
        const previous = list[i - 1];
        assert.ok(invoke !== undefined && completion !== undefined, `process ${p} op ${i}: pair present`);
        assert.equal(invoke.type, 'invoke', `process ${p} op ${i}`);
        assert.notEqual(completion.type, 'invoke', `process ${p} op ${i + 1}`);
        assert.equal(completion.f, invoke.f);
        assert.equal(completion.key, invoke.key);
        assert.ok(completion.timeMs >= invoke.timeMs, `process ${p}: completion not before invoke`);
        assert.ok(previous === undefined || invoke.timeMs >= previous.timeMs, `process ${p}: time order`);
      }
    }
    const paired = pairOps(history);
    assert.equal(paired.malformed, 0);
    assert.equal(paired.pairs.length, 3 * ops);
    assert.equal(paired.nemesis.length, 2 * ops);
  });
});
