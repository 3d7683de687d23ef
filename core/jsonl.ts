// JSON Lines I/O. Appends are synchronous writes of whole lines so that a crash of the writer never
// leaves a half line behind anything that was already acknowledged.
//
// Reading is built for runs of a million lines: the file is read in large blocks, each block is cut
// into lines with one split, and each line is parsed with one JSON.parse. Readline's per-line
// events cost about as much again as the parsing itself.
import { isAscii } from 'node:buffer';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** An append-only JSONL file. Each append is one write(2) of one whole line. */
export class JsonlWriter implements Disposable {
  private fd: number | undefined;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(record: unknown): void {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    writeSync(this.fd, JSON.stringify(record) + '\n');
  }

  /** Forces what was appended to disk (for acknowledgements that must survive a machine crash). */
  sync(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Bytes read per block; the block's text and its lines are garbage once parsed, bounding memory. */
const READ_BLOCK_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * The lines of a file, a block at a time. Lines end at '\n'; a '\r' before it stays on the line
 * (JSON.parse and trim() treat it as whitespace, so CRLF files read the same). A block is cut at
 * its last '\n', so a UTF-8 character is never split; a line longer than a block grows the buffer.
 */
export async function* readLineBlocks(path: string, blockBytes = READ_BLOCK_BYTES): AsyncGenerator<string[]> {
  const file = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(blockBytes);
    let carried = 0; // bytes at buf's start that follow the last '\n' seen
    for (;;) {
      if (carried === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
      }
      const { bytesRead } = await file.read(buf, carried, buf.length - carried, null);
      if (bytesRead === 0) break;
      const end = carried + bytesRead;
      // The carried bytes hold no '\n', so this finds one in the new bytes or none at all.
      const lastNewline = buf.lastIndexOf(NEWLINE, end - 1);
      if (lastNewline < 0) {
        carried = end;
        continue;
      }
      // Logs are almost always ASCII, which latin1 decodes to the same string about twice as fast.
      const encoding = isAscii(buf.subarray(0, lastNewline)) ? 'latin1' : 'utf8';
      yield buf.toString(encoding, 0, lastNewline).split('\n');
      carried = end - lastNewline - 1;
      buf.copy(buf, 0, lastNewline + 1, end);
    }
    // The last line, when the file does not end with '\n'.
    if (carried > 0) yield [buf.toString('utf8', 0, carried)];
  } finally {
    await file.close();
  }
}

const isBlank = (line: string): boolean => line.length === 0 || line.trim() === '';

/**
 * The rule of readJsonl / readAllJsonl: blank lines are skipped, every other line must be JSON
 * except the file's last line, which may be torn (its writer was killed mid-write). A line is
 * judged when the next one arrives, because only then is it known not to be the last.
 */
class TornTailRule {
  private pending: string | undefined;

  /** The record of the line before this one, if there was one (throws if that line is not JSON). */
  next(line: string): { readonly record: unknown } | undefined {
    const previous = this.pending;
    this.pending = isBlank(line) ? undefined : line;
    return previous === undefined ? undefined : { record: JSON.parse(previous) };
  }

  /** The last line's record, unless it was torn. */
  finish(): { readonly record: unknown } | undefined {
    const last = this.pending;
    this.pending = undefined;
    if (last === undefined) return undefined;
    try {
      return { record: JSON.parse(last) };
    } catch {
      // A torn final line can only be the one being written when the writer died.
      return undefined;
    }
  }
}

/** Streams a JSONL file; a torn last line (writer killed mid-write) is skipped, not fatal. */
export async function* readJsonl<T>(path: string): AsyncGenerator<T> {
  const rule = new TornTailRule();
  for await (const lines of readLineBlocks(path)) {
    for (const line of lines) {
      const r = rule.next(line);
      if (r !== undefined) yield r.record as T;
    }
  }
  const r = rule.finish();
  if (r !== undefined) yield r.record as T;
}

/** Every record of a JSONL file, as readJsonl streams them (without an await per record). */
export async function readAllJsonl<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  const rule = new TornTailRule();
  for await (const lines of readLineBlocks(path)) {
    for (const line of lines) {
      const r = rule.next(line);
      if (r !== undefined) out.push(r.record as T);
    }
  }
  const r = rule.finish();
  if (r !== undefined) out.push(r.record as T);
  return out;
}

/** What a whole JSONL file held: its records, and the lines that were not records. */
export interface JsonlContents<T> {
  readonly records: T[];
  /** Lines skipped because they were not JSON, or failed the caller's shape check (the torn last line included). */
  readonly malformedLines: number;
  /** 1-based line numbers of the first skipped lines (at most 20), so a person can look. */
  readonly malformedSamples: readonly number[];
}

const MALFORMED_SAMPLES = 20;
/** Stands for "this line is not JSON", which no JSON.parse result can be. */
const NOT_JSON: unique symbol = Symbol('not JSON');

function parseOrMark(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return NOT_JSON;
  }
}

/**
 * Reads a whole JSONL file, skipping (and counting) lines that are not JSON or fail `accept`.
 * A writer killed mid-line leaves a torn line; with several writers appending, that line can sit
 * in the middle of the file, so no position is special. Blank lines are skipped and not counted.
 */
export async function readJsonlFile<T>(path: string, accept?: (record: unknown) => boolean): Promise<JsonlContents<T>> {
  const records: T[] = [];
  const malformedSamples: number[] = [];
  let malformedLines = 0;
  let lineNo = 0;
  for await (const lines of readLineBlocks(path)) {
    for (const line of lines) {
      lineNo += 1;
      if (line.length === 0) continue;
      // Parse first and test for blankness only on failure: blank lines are rare.
      const record = parseOrMark(line);
      if (record === NOT_JSON) {
        if (isBlank(line)) continue;
      } else if (accept === undefined || accept(record)) {
        records.push(record as T);
        continue;
      }
      malformedLines += 1;
      if (malformedSamples.length < MALFORMED_SAMPLES) malformedSamples.push(lineNo);
    }
  }
  return { records, malformedLines, malformedSamples };
}
