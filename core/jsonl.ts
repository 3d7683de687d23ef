// JSON Lines I/O. Appends are synchronous writes of whole lines so that a crash of the writer never
// leaves a half line behind anything that was already acknowledged.
import { closeSync, createReadStream, fsyncSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

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

/** Streams a JSONL file; a torn last line (writer killed mid-write) is skipped, not fatal. */
export async function* readJsonl<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let pending: string | undefined;
  for await (const line of lines) {
    if (pending !== undefined) yield JSON.parse(pending) as T;
    pending = line.trim() === '' ? undefined : line;
  }
  if (pending !== undefined) {
    try {
      yield JSON.parse(pending) as T;
    } catch {
      // A torn final line can only be the one being written when the writer died.
    }
  }
}

export async function readAllJsonl<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  for await (const record of readJsonl<T>(path)) out.push(record);
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

/**
 * Reads a whole JSONL file, skipping (and counting) lines that are not JSON or fail `accept`.
 * A writer killed mid-line leaves a torn line; with several writers appending, that line can sit
 * in the middle of the file, so no position is special.
 */
export async function readJsonlFile<T>(path: string, accept?: (record: unknown) => boolean): Promise<JsonlContents<T>> {
  const records: T[] = [];
  const malformedSamples: number[] = [];
  let malformedLines = 0;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      record = undefined;
    }
    if (record === undefined || (accept !== undefined && !accept(record))) {
      malformedLines += 1;
      if (malformedSamples.length < MALFORMED_SAMPLES) malformedSamples.push(lineNo);
      continue;
    }
    records.push(record as T);
  }
  return { records, malformedLines, malformedSamples };
}
