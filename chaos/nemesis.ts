// The nemesis: executes the seeded schedule against the cluster, records each fault's start and
// heal as ops in the history (process "nemesis"), and heals everything in a finally, whatever
// happened. A fault that does not take effect stops the run with an error: a fault that silently
// did nothing would make the lock look safe.
import { monoMs, sleep } from '../core/clock.ts';
import { errorMessage } from '../core/errors.ts';
import type { HistoryRecorder } from '../core/history-recorder.ts';
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

export class Nemesis {
  readonly applied: AppliedRecord[] = [];
  private readonly active = new Map<number, AppliedFault>();
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
      try {
        const fault = await faultModule(step.kind).apply(step, this.ctx);
        this.history.complete(op, 'ok', { value: { id: step.id, ...fault.targets } });
        this.active.set(step.id, fault);
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

  private async heal(step: FaultStep): Promise<void> {
    const fault = this.active.get(step.id);
    if (!fault) return;
    await this.serial.run(async () => {
      const op = this.history.invoke('nemesis', `stop-${step.kind}`, { value: { id: step.id } });
      try {
        await fault.heal();
        this.history.complete(op, 'ok', { value: { id: step.id } });
      } catch (err) {
        this.history.complete(op, 'info', { error: errorMessage(err).slice(0, 300) });
        throw err;
      } finally {
        this.active.delete(step.id);
        const rec = this.applied.find((a) => a.id === step.id);
        if (rec) rec.healedMs = monoMs();
      }
    });
    log.info(`${step.kind} #${step.id} healed`);
  }

  /**
   * Runs the schedule from `phaseStartMs` (monotonic). Resolves when every step has been applied
   * and healed; rejects with the first fault that failed to take effect (after healing the rest).
   */
  async run(schedule: readonly FaultStep[], phaseStartMs: number, signal: AbortSignal): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(
      schedule.map(async (step) => {
        try {
          await sleep(Math.max(0, phaseStartMs + step.atMs - monoMs()), signal);
          const fault = await this.start(step);
          const untilMs = monoMs() + step.durationMs;
          if (fault.during) await fault.during(untilMs, signal);
          await sleep(Math.max(0, untilMs - monoMs()), signal);
        } catch (err) {
          if (!signal.aborted) failures.push(err);
        } finally {
          await this.heal(step).catch((err: unknown) => failures.push(err));
        }
      }),
    );
    if (failures.length > 0) throw failures[0];
  }

  /** Heals whatever is still applied, then everything the primitives can undo. */
  async healAll(): Promise<void> {
    for (const [id, fault] of [...this.active]) {
      await fault.heal().catch((err: unknown) => log.warn(`healing fault #${id}: ${errorMessage(err)}`));
      this.active.delete(id);
      const rec = this.applied.find((a) => a.id === id);
      if (rec) rec.healedMs ??= monoMs();
    }
    this.ctx.workers.resumeAll();
    await this.ctx.control.healAll();
  }
}
