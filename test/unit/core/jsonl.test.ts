// JSONL reading: which lines become records, which are skipped and counted, and on which line
// numbers; the same answers whatever block the reader happens to cut the file at.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAuditEntry, isOp } from '../../../core/history.ts';
import { readAllJsonl, readJsonl, readJsonlFile, readLineBlocks } from '../../../core/jsonl.ts';

const dir = mkdtempSync(join(tmpdir(), 'lockbench-jsonl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(text: string | Buffer): string {
  files += 1;
  const path = join(dir, `f${files}.jsonl`);
  writeFileSync(path, text);
  return path;
}

const op = (timeMs: number): string => JSON.stringify({ type: 'invoke', f: 'acquire', process: 1, timeMs, key: 'k' });
const isObject = (x: unknown): boolean => typeof x === 'object' && x !== null;

async function allLines(path: string, blockBytes: number): Promise<string[]> {
  const out: string[] = [];
  for await (const lines of readLineBlocks(path, blockBytes)) out.push(...lines);
  return out;
}

describe('readJsonlFile', () => {
  test('an empty file has no records and nothing malformed', async () => {
    assert.deepEqual(await readJsonlFile(file('')), { records: [], malformedLines: 0, malformedSamples: [] });
  });

  test('every well-formed line is a record, in file order, with or without a final newline', async () => {
    const text = [op(1), op(2), op(3)].join('\n');
    for (const path of [file(text), file(text + '\n')]) {
      const r = await readJsonlFile<{ timeMs: number }>(path, isOp);
      assert.deepEqual(
        r.records.map((x) => x.timeMs),
        [1, 2, 3],
      );
      assert.equal(r.malformedLines, 0);
    }
  });

  test('malformed lines in the middle are skipped and counted, with their line numbers', async () => {
    const r = await readJsonlFile<{ timeMs: number }>(file([op(1), '{"type":"invo', op(3), 'not json', op(5), ''].join('\n')), isOp);
    assert.deepEqual(
      r.records.map((x) => x.timeMs),
      [1, 3, 5],
    );
    assert.equal(r.malformedLines, 2);
    assert.deepEqual(r.malformedSamples, [2, 4]);
  });

  test('a torn last line, with or without its newline, is skipped and counted', async () => {
    for (const text of [`${op(1)}\n${op(2)}\n{"type":"ok","f":"acq`, `${op(1)}\n${op(2)}\n{"type":"ok","f":"acq\n`]) {
      const r = await readJsonlFile(file(text), isOp);
      assert.equal(r.records.length, 2);
      assert.equal(r.malformedLines, 1);
      assert.deepEqual(r.malformedSamples, [3]);
    }
  });

  test('blank and whitespace-only lines are skipped, not counted, and still numbered', async () => {
    const r = await readJsonlFile(file(`\n${op(1)}\n\n   \n\t\nbroken\n${op(2)}\n\n`), isOp);
    assert.equal(r.records.length, 2);
    assert.equal(r.malformedLines, 1);
    assert.deepEqual(r.malformedSamples, [6]);
  });

  test('CRLF line ends read like LF ones', async () => {
    const r = await readJsonlFile<{ timeMs: number }>(file(`${op(1)}\r\n\r\nbroken\r\n${op(4)}\r\n`), isOp);
    assert.deepEqual(
      r.records.map((x) => x.timeMs),
      [1, 4],
    );
    assert.deepEqual(r.malformedSamples, [3]);
  });

  test('a line that is JSON but fails the shape check is skipped and counted', async () => {
    const lines = [op(1), '{"type":"invoke","f":"acquire","process":"worker-1","timeMs":2}', '[1,2]', 'null', '42', op(6)];
    const r = await readJsonlFile(file(lines.join('\n') + '\n'), isOp);
    assert.equal(r.records.length, 2);
    assert.equal(r.malformedLines, 4);
    assert.deepEqual(r.malformedSamples, [2, 3, 4, 5]);
  });

  test('without a shape check, any JSON value is a record', async () => {
    const r = await readJsonlFile(file('1\n"two"\nnull\n[3]\n{"four":4}\n{bad\n'));
    assert.deepEqual(r.records, [1, 'two', null, [3], { four: 4 }]);
    assert.deepEqual(r.malformedSamples, [6]);
  });

  test('every malformed line is counted; the first 20 line numbers are kept', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 60; i++) lines.push(i % 2 === 0 ? `{"torn":${i}` : op(i));
    const r = await readJsonlFile(file(lines.join('\n')), isOp);
    assert.equal(r.records.length, 30);
    assert.equal(r.malformedLines, 30);
    assert.deepEqual(
      r.malformedSamples,
      Array.from({ length: 20 }, (_, i) => 2 * (i + 1)),
    );
  });

  test('audit entries with their own shape check; UTF-8 text survives', async () => {
    const entry = { timeMs: 1, event: 'write', key: 'clé-ü-🔒', client: 3, value: 7 };
    const r = await readJsonlFile(file(`${JSON.stringify(entry)}\n{"timeMs":2,"event":"teleport","key":"k","client":3}\n`), isAuditEntry);
    assert.deepEqual(r.records, [entry]);
    assert.deepEqual(r.malformedSamples, [2]);
  });

  test('lines around the reader\'s block boundary (8 MiB) keep their records and line numbers', async () => {
    // Filler lines up to just before 8 MiB, then malformed and good lines straddling the boundary.
    const filler = op(0);
    const blockBytes = 8 * 1024 * 1024;
    const count = Math.floor((blockBytes - 40) / (filler.length + 1));
    const head = `${filler}\n`.repeat(count);
    const tail = [`{"type":"ok","f":"acquire","process":1,"timeMs":1.5,"note":"${'x'.repeat(60)}`, op(2), '', 'garbage', op(3)].join('\n');
    const r = await readJsonlFile<{ timeMs: number }>(file(head + tail + '\n'), isOp);
    assert.ok(Buffer.byteLength(head) < blockBytes && Buffer.byteLength(head + tail) > blockBytes, 'the tail straddles the block boundary');
    assert.equal(r.records.length, count + 2);
    assert.deepEqual(
      r.records.slice(-2).map((x) => x.timeMs),
      [2, 3],
    );
    assert.equal(r.malformedLines, 2);
    assert.deepEqual(r.malformedSamples, [count + 1, count + 4]);
  });
});

describe('readLineBlocks', () => {
  test('lines come out whole whatever the block size: split characters, long lines, no final newline', async () => {
    const lines = ['{"a":"ü€🔒"}', '', 'x'.repeat(50), '{"b":"🔒🔒🔒"}\r', 'last'];
    const path = file(lines.join('\n'));
    for (const blockBytes of [1, 2, 3, 5, 7, 16, 64, 1024]) assert.deepEqual(await allLines(path, blockBytes), lines, `block of ${blockBytes} bytes`);
  });

  test('a file ending in a newline has no empty last line; an empty file has no lines', async () => {
    assert.deepEqual(await allLines(file('a\nb\n'), 4), ['a', 'b']);
    assert.deepEqual(await allLines(file(''), 4), []);
    assert.deepEqual(await allLines(file('\n'), 4), ['']);
  });
});

describe('readAllJsonl / readJsonl', () => {
  test('skip blank lines and a torn last line', async () => {
    const path = file(`${op(1)}\n\n${op(2)}\n{"type":"ok"`);
    assert.equal((await readAllJsonl(path)).length, 2);
    const streamed: unknown[] = [];
    for await (const r of readJsonl(path)) streamed.push(r);
    assert.equal(streamed.length, 2);
    assert.ok(streamed.every(isObject));
  });

  test('a malformed line before the last is an error, not a skip', async () => {
    const path = file(`${op(1)}\n{"type":"ok"\n${op(3)}\n`);
    await assert.rejects(readAllJsonl(path), SyntaxError);
    const streamed: unknown[] = [];
    await assert.rejects(async () => {
      for await (const r of readJsonl(path)) streamed.push(r);
    }, SyntaxError);
    assert.equal(streamed.length, 1, 'the records before the bad line were streamed');
  });
});
