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
