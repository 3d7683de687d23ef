// Records ops into history.jsonl the way Jepsen does: an invoke line before the call, one
// completion line (ok / fail / info) after it, each stamped with the host monotonic clock.
// Several worker processes and the nemesis append to the same file at once. That is safe because
// JsonlWriter opens it with O_APPEND and writes each line with one write(2): the kernel places each
// whole line at the end of the file, so lines from different processes interleave but never tear.
import { monoMs, type Clock } from './clock.ts';
import { CRASH_F, type LeaseRecord, type Op, type Process } from './history.ts';
import { JsonlWriter } from './jsonl.ts';

/** An invoked op that has not completed yet; pass it to complete(). */
export interface OpHandle {
  readonly process: Process;
  readonly f: string;
  readonly key?: string;
  readonly invokeMs: number;
}

export interface InvokeFields {
  readonly key?: string;
  readonly value?: unknown;
}

export interface CompleteFields {
  readonly value?: unknown;
  readonly lease?: LeaseRecord;
  readonly error?: string;
}

export type CompletionType = 'ok' | 'fail' | 'info';

export class HistoryRecorder implements Disposable {
  private readonly writer: JsonlWriter;
  private readonly nowMs: () => number;
  // Per recorder: each worker process owns its process numbers, so this is enough to catch a
  // worker that invokes twice without completing, which would make its history unpairable.
  private readonly outstanding = new Map<Process, OpHandle>();

  constructor(path: string, options: { readonly clock?: Pick<Clock, 'nowMs'> } = {}) {
    this.writer = new JsonlWriter(path);
    const clock = options.clock;
    this.nowMs = clock ? () => clock.nowMs() : monoMs;
  }

  get path(): string {
    return this.writer.path;
  }

  /** Appends the invoke line. Throws if `process` already has an op outstanding (a harness bug). */
  invoke(process: Process, f: string, fields: InvokeFields = {}): OpHandle {
    const current = this.outstanding.get(process);
    if (current !== undefined) {
      throw new Error(`history: process ${process} invoked ${f} while its ${current.f} is still outstanding (a process has at most one op in flight)`);
    }
    const timeMs = this.nowMs();
    const op: Op = {
      type: 'invoke',
      f,
      process,
      timeMs,
      ...(fields.key !== undefined && { key: fields.key }),
      ...(fields.value !== undefined && { value: fields.value }),
    };
    this.writer.append(op);
    const handle: OpHandle = { process, f, ...(fields.key !== undefined && { key: fields.key }), invokeMs: timeMs };
    this.outstanding.set(process, handle);
    return handle;
  }

  /** Appends the completion of `handle`'s op. Throws if that op is not the one outstanding. */
  complete(handle: OpHandle, type: CompletionType, fields: CompleteFields = {}): Op {
    if (this.outstanding.get(handle.process) !== handle) {
      throw new Error(`history: completion of ${handle.f} by process ${handle.process}, which is not its outstanding op (completed twice, or from another recorder)`);
    }
    const op: Op = {
      type,
      f: handle.f,
      process: handle.process,
      timeMs: this.nowMs(),
      ...(handle.key !== undefined && { key: handle.key }),
      ...(fields.value !== undefined && { value: fields.value }),
      ...(fields.lease !== undefined && { lease: fields.lease }),
      ...(fields.error !== undefined && { error: fields.error }),
    };
    this.writer.append(op);
    this.outstanding.delete(handle.process);
    return op;
  }

  /**
   * Appends the crash line of a client process that died on its own (another process wrote its
   * ops; this recorder saw it die): the op it had in flight completes `info` there, and it does
   * nothing after it (core/history.ts CRASH_F).
   */
  crashed(process: number): Op {
    const op: Op = { type: 'info', f: CRASH_F, process, timeMs: this.nowMs(), error: 'crashed' };
    this.writer.append(op);
    return op;
  }

  /** Processes with an op in flight; at the end of a run their ops stay incomplete (unknown). */
  outstandingProcesses(): Process[] {
    return [...this.outstanding.keys()];
  }

  close(): void {
    this.writer.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
