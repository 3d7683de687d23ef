// The nemesis: executes the seeded schedule against the cluster, records each fault's start and
// heal as ops in the history (process "nemesis"), and heals everything in a finally, whatever
// happened. A fault that does not take effect stops the run with an error: a fault that silently
// did nothing would make the lock look safe.
import { setMaxListeners } from 'node:events';
import { monoMs, sleep } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import type { HistoryRecorder } from '../core/history-recorder.ts';
import { markInForce, type InForce } from '../core/in-force.ts';
import { withDeadline } from '../core/wait.ts';
import { logger } from '../core/log.ts';
import type { AppliedFault, FaultContext } from './faults/fault.ts';
import { faultModule, type FaultStep } from './faults/registry.ts';

const log = logger('nemesis');
const HOLDER_WAIT_MS = 15_000;

/** A fault as it actually happened, for results.json and the summary. */
export interface AppliedRecord {
  readonly id: number;
  readonly kind: string;
  readonly construction: boolean;
  readonly scheduledAtMs: number;
  /** Host monotonic ms. */
  readonly startedMs: number;
  healedMs?: number;
  readonly targets: Record<string, unknown>;
  /** For faults aimed at a lock holder: whether one was holding when it struck. */
  readonly metHolder?: boolean;
}

/** Serializes nemesis ops: the history allows one outstanding op per process. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** How long past its planned end a step may still hold the next one's turn (holder waits, the queue, heals). */
const TURN_SLACK_MS = 120_000;

function settled(): { done: Promise<void>; settle: () => void } {
  let settle = (): void => undefined;
  const done = new Promise<void>((resolve) => (settle = resolve));
  return { done, settle };
}

/** Resolves once `done` does; rejects when the run stops, or with what it waited for after `timeoutMs`. */
async function turnAfter(done: Promise<void> | undefined, what: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (!done) return;
  let onAbort = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await withDeadline(Promise.race([done, stopped]), what, timeoutMs);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

export class Nemesis {
  readonly applied: AppliedRecord[] = [];
  private readonly active = new Map<number, AppliedFault>();
  /** Heals under way, by fault id: a fault is healed once, whoever asks (its step, or healAll). */
  private readonly healing = new Map<number, Promise<void>>();
  /** What a forced exit would leave behind, by fault id (core/in-force.ts). */
  private readonly marks = new Map<number, InForce>();
  private readonly serial = new Serial();

  constructor(
    private readonly ctx: FaultContext,
    private readonly history: HistoryRecorder,
  ) {}

  /** Faults in force right now, by kind. */
  activeKinds(): string[] {
    return this.applied.filter((a) => a.healedMs === undefined).map((a) => a.kind);
  }

  private async start(step: FaultStep): Promise<AppliedFault> {
    let metHolder: boolean | undefined;
    if (step.whenHolding && step.whenHolding.length > 0) {
      try {
        // Strike within the first third of a hold (at least 5 ms after the grant is still early).
        await this.ctx.workers.waitForHolder(step.whenHolding, HOLDER_WAIT_MS, Math.max(5, this.ctx.options.holdMs / 3));
        metHolder = true;
      } catch {
        metHolder = false;
        log.warn(`${step.kind} #${step.id}: no client held a lock within ${HOLDER_WAIT_MS} ms; striking anyway`);
      }
    }
    return this.serial.run(async () => {
      const op = this.history.invoke('nemesis', `start-${step.kind}`, { value: { id: step.id } });
      // Marked before it is applied: one that fails half-way is undone only by healAll.
      this.marks.set(step.id, markInForce(`${step.kind} #${step.id} (being applied)`));
      try {
        const fault = await faultModule(step.kind).apply(step, this.ctx);
        this.history.complete(op, 'ok', { value: { id: step.id, ...fault.targets } });
        this.active.set(step.id, fault);
        this.marks.get(step.id)?.describe(`${step.kind} #${step.id} ${JSON.stringify(fault.targets)}`);
        this.applied.push({
          id: step.id,
          kind: step.kind,
          construction: step.construction ?? false,
          scheduledAtMs: step.atMs,
          startedMs: monoMs(),
          targets: fault.targets,
          ...(metHolder !== undefined ? { metHolder } : {}),
        });
        log.info(`${step.kind} #${step.id} applied: ${JSON.stringify(fault.targets)}`);
        return fault;
      } catch (err) {
        this.history.complete(op, 'info', { error: errorMessage(err).slice(0, 300) });
        throw err;
      }
    });
  }

  /**
   * Heals one fault, recorded in the history. The fault leaves `active` before anything is awaited,
   * so a second caller (healAll after Ctrl-C, while the step's own heal waits its turn) joins the
   * heal under way instead of undoing the same thing twice (a toxic removed twice answers 404).
   */
  private heal(id: number, kind: string): Promise<void> {
    const under = this.healing.get(id);
    if (under) return under;
    const fault = this.active.get(id);
    if (!fault) return Promise.resolve();
    this.active.delete(id);
    const healed = this.serial.run(async () => {
      const op = this.history.invoke('nemesis', `stop-${kind}`, { value: { id } });
      try {
        await fault.heal();
        this.history.complete(op, 'ok', { value: { id } });
        this.marks.get(id)?.release();
      } catch (err) {
        this.history.complete(op, 'info', { error: errorMessage(err).slice(0, 300) });
        throw err;
      } finally {
        const rec = this.applied.find((a) => a.id === id);
        if (rec) rec.healedMs ??= monoMs();
      }
      log.info(`${kind} #${id} healed`);
    });
    this.healing.set(id, healed);
    return healed;
  }

  /**
   * Runs the schedule from `phaseStartMs` (monotonic). Resolves when every step has been applied
   * and healed; rejects with the first fault that failed to take effect (after healing the rest).
   */
  async run(schedule: readonly FaultStep[], phaseStartMs: number, signal: AbortSignal): Promise<void> {
    const failures: unknown[] = [];
    // Every step waits for its moment on the signal at once (and a fault's own wait on top, and the
    // run's phases): a bounded count, so Node's leak warning at 10 listeners would be a false alarm
    // that the half-hour soak printed.
    setMaxListeners(2 * schedule.length + 10, signal);
    // Settled once a step is over (healed, or failed): the steps that wait their turn after it.
    const over = new Map(schedule.map((step) => [step.id, settled()]));
    const byId = new Map(schedule.map((step) => [step.id, step]));
    await Promise.all(
      schedule.map(async (step) => {
        try {
          const before = step.after === undefined ? undefined : byId.get(step.after);
          if (before) await turnAfter(over.get(before.id)?.done, `${before.kind} #${before.id} to be healed before ${step.kind} #${step.id}`, before.atMs + before.durationMs + TURN_SLACK_MS, signal);
          await sleep(Math.max(0, phaseStartMs + step.atMs - monoMs()), signal);
          const fault = await this.start(step);
          const untilMs = monoMs() + step.durationMs;
          if (fault.during) await fault.during(untilMs, signal);
          await sleep(Math.max(0, untilMs - monoMs()), signal);
        } catch (err) {
          if (!signal.aborted) failures.push(err);
        } finally {
          await this.heal(step.id, step.kind).catch((err: unknown) => failures.push(err));
          over.get(step.id)?.settle();
        }
      }),
    );
    if (failures.length > 0) throw failures[0];
  }

  /** Heals whatever is still applied, then everything the primitives can undo. */
  async healAll(): Promise<void> {
    const kinds = new Map(this.applied.map((a) => [a.id, a.kind]));
    for (const id of [...this.active.keys()]) void this.heal(id, kinds.get(id) ?? 'fault');
    // Handlers attached at once, so no heal's failure goes unhandled while another is awaited.
    await Promise.all([...this.healing].map(([id, healed]) => healed.catch((err: unknown) => log.warn(`healing fault #${id}: ${errorMessage(err)}`))));
    this.ctx.workers.resumeAll();
    await this.ctx.control.healAll();
    // Every primitive is undone now, whatever a fault's own heal said.
    for (const mark of this.marks.values()) mark.release();
  }
}
