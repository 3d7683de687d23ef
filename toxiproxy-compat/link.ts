// One direction of one proxied connection: source socket → toxic stages → destination socket.
// The chain is patched in place while the connection is open (add appends, update replaces one
// stage, remove splices it out and flushes what it held), because lockbench's Redis and ZooKeeper
// clients keep a single long-lived connection that faults must reach.
import type { Socket } from 'node:net';
import {
  PassThroughStage,
  monoNowMs,
  type Attributes,
  type Chunk,
  type Direction,
  type Stage,
  type StageOutput,
  type StageState,
  type ToxicDefinition,
} from './toxics.ts';

/** A toxic as the link needs it: what to run and how often. */
export interface ToxicSpec {
  readonly name: string;
  readonly definition: ToxicDefinition;
  readonly attributes: Attributes;
  readonly toxicity: number;
}

interface Slot {
  readonly name: string;
  readonly state: StageState;
  stage: Stage;
  /** Bumped whenever the stage is replaced, so a replaced stage's late output is ignored. */
  generation: number;
  /** The end of stream reached this slot's input. */
  endedIn: boolean;
  /** This slot already sent the end of stream on. */
  endedOut: boolean;
}

// Stop reading from the source while toxics hold this much; resume below the low mark. Mirrors
// Go's bounded channels, which block the reader and so push back on the sender over TCP.
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const LOW_WATER_BYTES = 1024 * 1024;

export class Link {
  private readonly slots: Slot[] = [];
  private inputEnded = false;
  private sinkEnded = false;
  private closed = false;
  private waitingForDrain = false;
  private pausedForHeld = false;

  constructor(
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly dest: Socket,
    /** Called once when the end of stream reaches the destination: the connection must close. */
    private readonly onEnd: () => void,
    toxics: readonly ToxicSpec[],
  ) {
    for (const spec of toxics) this.addToxic(spec);
  }

  start(): void {
    this.source.on('data', this.onData);
    this.source.on('end', this.endInput);
    this.source.resume();
  }

  /** The source is gone (end, error or close): send the end of stream through the chain. */
  readonly endInput = (): void => {
    if (this.inputEnded || this.closed) return;
    this.inputEnded = true;
    this.deliverEnd(0);
  };

  addToxic(spec: ToxicSpec): void {
    if (this.closed) return;
    const slot: Slot = {
      name: spec.name,
      state: { transmittedBytes: 0 },
      stage: new PassThroughStage({ push: () => undefined, end: () => undefined }),
      generation: 0,
      endedIn: false,
      endedOut: false,
    };
    // A toxic added behind an end of stream that already passed must not resurrect the link.
    if (this.slots.length > 0 ? this.slots[this.slots.length - 1]?.endedOut === true : this.inputEnded) {
      slot.endedIn = true;
      slot.endedOut = true;
    }
    this.slots.push(slot);
    slot.stage = this.createStage(slot, spec);
  }

  /** Interrupts the stage like Go does: what it held goes on at once, then the new one runs. */
  updateToxic(spec: ToxicSpec): void {
    const slot = this.slots.find((s) => s.name === spec.name);
    if (slot === undefined || this.closed) return;
    const held = slot.stage.detach();
    slot.generation++;
    const index = this.slots.indexOf(slot);
    for (const chunk of held) this.deliver(index + 1, chunk);
    // Flushing can reach the sink's end of stream and close the whole connection.
    if (this.isClosed()) return;
    slot.stage = this.createStage(slot, spec);
    if (slot.endedIn && !slot.endedOut) slot.stage.end();
  }

  removeToxic(name: string): void {
    const index = this.slots.findIndex((s) => s.name === name);
    const slot = this.slots[index];
    if (slot === undefined || this.closed) return;
    const held = slot.stage.detach();
    slot.generation++;
    this.slots.splice(index, 1);
    for (const chunk of held) this.deliver(index, chunk);
    if (slot.endedIn && !slot.endedOut) this.deliverEnd(index);
    this.maybeResume();
  }

  /** Stops every stage and stops reading; the connection closes the sockets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) {
      slot.generation++;
      slot.stage.detach();
    }
    this.slots.length = 0;
    this.source.off('data', this.onData);
    this.source.off('end', this.endInput);
    this.dest.off('drain', this.onDrain);
  }

  private createStage(slot: Slot, spec: ToxicSpec): Stage {
    const generation = ++slot.generation;
    const live = (): boolean => slot.generation === generation && !this.closed;
    const out: StageOutput = {
      push: (chunk) => {
        if (!live() || slot.endedOut) return;
        const index = this.slots.indexOf(slot);
        if (index < 0) return;
        this.deliver(index + 1, chunk);
        this.maybeResume();
      },
      end: () => {
        if (!live() || slot.endedOut) return;
        slot.endedOut = true;
        const index = this.slots.indexOf(slot);
        if (index >= 0) this.deliverEnd(index + 1);
      },
    };
    // Toxicity is rolled once per link and stage start (Go's ToxicStub.Run), not per chunk.
    const active = Math.random() < spec.toxicity;
    return active ? spec.definition.createStage(spec.attributes, out, slot.state) : new PassThroughStage(out);
  }

  private readonly onData = (data: Buffer): void => {
    if (this.closed || this.inputEnded) return;
    this.deliver(0, { data, receivedAtMs: monoNowMs() });
    if (!this.pausedForHeld && !this.isClosed() && this.heldBytes() > HIGH_WATER_BYTES) {
      this.pausedForHeld = true;
      this.source.pause();
    }
  };

  private readonly onDrain = (): void => {
    this.waitingForDrain = false;
    this.updateFlow();
  };

  private deliver(index: number, chunk: Chunk): void {
    const slot = this.slots[index];
    if (slot === undefined) {
      this.writeSink(chunk);
      return;
    }
    if (slot.endedIn || slot.endedOut) return;
    slot.stage.write(chunk);
  }

  private deliverEnd(index: number): void {
    const slot = this.slots[index];
    if (slot === undefined) {
      this.endSink();
      return;
    }
    if (slot.endedIn) return;
    slot.endedIn = true;
    if (!slot.endedOut) slot.stage.end();
  }

  private writeSink(chunk: Chunk): void {
    if (this.closed || this.sinkEnded || this.dest.destroyed || !this.dest.writable) return;
    if (!this.dest.write(chunk.data) && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.source.pause();
      this.dest.once('drain', this.onDrain);
    }
  }

  private endSink(): void {
    if (this.sinkEnded) return;
    this.sinkEnded = true;
    this.onEnd();
  }

  private isClosed(): boolean {
    return this.closed;
  }

  private heldBytes(): number {
    let total = 0;
    for (const slot of this.slots) total += slot.stage.heldBytes;
    return total;
  }

  private maybeResume(): void {
    if (this.pausedForHeld && this.heldBytes() <= LOW_WATER_BYTES) {
      this.pausedForHeld = false;
      this.updateFlow();
    }
  }

  private updateFlow(): void {
    if (!this.closed && !this.waitingForDrain && !this.pausedForHeld) this.source.resume();
  }
}
