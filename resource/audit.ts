// Opening audit.jsonl for the resource. A restarted resource continues the same file: it replays
// what is there so values and fencing tokens carry on, instead of silently restarting from 0 and
// making every later write look like a lost update.
import { existsSync, readFileSync, truncateSync } from 'node:fs';
import type { AuditEntry } from '../core/history.ts';
import { JsonlWriter } from '../core/jsonl.ts';
import { ResourceState } from './state.ts';

export interface OpenedAudit {
  readonly writer: JsonlWriter;
  readonly state: ResourceState;
  /** Entries replayed from an existing file. */
  readonly recoveredEntries: number;
  /** Bytes of a torn last line that were cut off (never acknowledged: the ack follows the write). */
  readonly truncatedBytes: number;
}

export function openAudit(path: string): OpenedAudit {
  const state = new ResourceState();
  let recoveredEntries = 0;
  let truncatedBytes = 0;
  if (existsSync(path)) {
    const bytes = readFileSync(path);
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end < bytes.length) {
      // Appending after a torn line would glue the next entry onto it and corrupt both.
      truncateSync(path, end);
      truncatedBytes = bytes.length - end;
    }
    const lines = bytes.subarray(0, end).toString('utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      let entry: AuditEntry;
      try {
        entry = JSON.parse(line) as AuditEntry;
      } catch {
        throw new Error(`${path} line ${index + 1} is not JSON; refusing to append to a corrupt audit log`);
      }
      state.apply(entry);
      recoveredEntries += 1;
    }
  }
  return { writer: new JsonlWriter(path), state, recoveredEntries, truncatedBytes };
}
