// Toxic implementations and the registry keyed by Toxiproxy type name.
//
// A toxic runs as a "stage" on one link (one direction of one connection). Stages see chunks (one
// socket read each, stamped with its receive time) and an end-of-stream marker, and hand them on
// through a StageOutput. Keeping the stage free of sockets is what lets a link insert, replace or
// remove a stage while the connection stays open.
//
// Intentional deviations from Toxiproxy 2.12 (everything else follows its source and observed
// behaviour, as the API tests in toxiproxy-compat/test/ pin it):
// - bandwidth: `rate` <= 0 is rejected with 400. The real server accepts rate 0 and then stalls all
//   data forever (a negative rate would panic it).
// - slicer: `average_size` <= 0 is rejected with 400 (the real server dies of a stack overflow on the
//   first chunk), and split points are clamped inside the chunk, so a `size_variation` larger than
//   half a chunk cannot produce an out-of-range slice (a panic in Go).
// - latency, bandwidth, slicer and slow_close keep what they hold in one queue per link; the real
//   server keeps at most 1024 chunks per stage and then blocks the reader. Here the link pauses its
//   source socket once the stages hold more than a byte budget (see link.ts), which has the same
//   effect (TCP backpressure) with a bound in bytes instead of chunks.
// - reset_peer: like the real one it waits for the first chunk on its link, drops it, waits `timeout`
//   ms and closes; the close is an RST only for connections opened while a reset_peer toxic existed
//   on the proxy (Go sets SO_LINGER 0 at connect time), and a plain FIN otherwise. Its wait is
//   interruptible here (removing the toxic does not block the API as it can in Go).
// - Toxicity and jitter use Math.random, not a seedable source (no -seed flag).
//
// Deviations outside the toxics, listed here so there is one place to look:
// - Every HTTP response carries `X-Toxiproxy-Compat: lockbench`, so lockbench can tell this server
//   from Shopify's; proxy JSON omits Go's leaked `"Logger":{}` field.
// - POST /populate with [] answers {"proxies":[]} instead of {"proxies":null} (on which
//   toxiproxy-node-client 4.1.0 throws). A replaced proxy whose new listener fails to bind is
//   removed rather than left stopped in the collection.
// - The upstream dial runs beside the accept loop (Go dials inside it, so one black-holed upstream
//   stalls every new accept on that proxy) and gives up after 30 s (Go has no dial timeout).
// - Closing a connection first flushes node's user-space write buffer (Go writes synchronously, so
//   it has none), giving a peer that does not read at most 2 s. Unread input still turns the close
//   into an RST, as in Go.
// - API calls run one at a time; there is no 25 s TimeoutHandler (nothing here blocks that long),
//   no /metrics, no -seed / -proxy-metrics / -runtime-metrics flags. Request bodies above 1 MiB
//   are refused with 400.
// - Bind/resolve errors are worded like Go's but not guaranteed byte-identical beyond the
//   "listen tcp <addr>: bind: address already in use" family; JSON syntax errors carry V8's text.

/** One socket read, stamped with the monotonic time it arrived at the proxy. */
export interface Chunk {
  readonly data: Buffer;
  readonly receivedAtMs: number;
}

export type Direction = 'upstream' | 'downstream';

/** Integer attributes by name; every toxic attribute in Toxiproxy is an integer. */
export type Attributes = Readonly<Record<string, number>>;

/** Where a stage sends what it lets through. */
export interface StageOutput {
  push(chunk: Chunk): void;
  /** End of stream: the link closes the whole connection once this reaches the socket. */
  end(): void;
}

export interface Stage {
  write(chunk: Chunk): void;
  /** The input ended (the source closed, or an earlier toxic closed the stream). */
  end(): void;
  /** Stops timers and returns the chunks still held, in order; the stage is dead afterwards. */
  detach(): Chunk[];
  /** Bytes held back right now, so the link can apply backpressure. */
  readonly heldBytes: number;
}

/** Per-link state that survives updates of a toxic (Go's StatefulToxic). */
export interface StageState {
  transmittedBytes: number;
}

export interface ToxicDefinition {
  readonly type: string;
  /** The Go struct name, used in Go-like decode error messages. */
  readonly goStruct: string;
  /** Attribute names in the order the real server prints them, with their Go types. */
  readonly attributes: readonly { readonly name: string; readonly goType: 'int' | 'int64' }[];
  /** Removing the toxic closes every connection of the proxy (timeout's Cleanup). */
  readonly closesOnRemove: boolean;
  /** Our own rejections of values that would stall or crash the real server. */
  validate(attributes: Attributes): string | undefined;
  createStage(attributes: Attributes, out: StageOutput, state: StageState): Stage;
}

export function monoNowMs(): number {
  return performance.now();
}

function attr(attributes: Attributes, name: string): number {
  return attributes[name] ?? 0;
}

/** Lets everything through unchanged: noop, and toxics whose toxicity roll said "not this link". */
export class PassThroughStage implements Stage {
  readonly heldBytes = 0;
  constructor(private readonly out: StageOutput) {}
  write(chunk: Chunk): void {
    this.out.push(chunk);
  }
  end(): void {
    this.out.end();
  }
  detach(): Chunk[] {
    return [];
  }
}

interface Scheduled {
  /** null marks the end of stream. */
  readonly data: Buffer | null;
  readonly receivedAtMs: number;
  readonly releaseAtMs: number;
}

interface Piece {
  readonly data: Buffer;
  readonly releaseAtMs: number;
}

/**
 * A FIFO whose items each carry a release time. Order is never changed: an item waits for the
 * ones ahead of it even if its own time has come, which is what Go's one-chunk-at-a-time loop does.
 */
class ScheduledStage implements Stage {
  private readonly queue: Scheduled[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private held = 0;
  private dead = false;

  constructor(
    private readonly out: StageOutput,
    private readonly plan: (chunk: Chunk, nowMs: number) => Piece[],
    private readonly endDelayMs: number,
  ) {}

  get heldBytes(): number {
    return this.held;
  }

  write(chunk: Chunk): void {
    for (const piece of this.plan(chunk, monoNowMs())) {
      this.queue.push({ data: piece.data, receivedAtMs: chunk.receivedAtMs, releaseAtMs: piece.releaseAtMs });
      this.held += piece.data.length;
    }
    this.pump();
  }

  end(): void {
    const nowMs = monoNowMs();
    this.queue.push({ data: null, receivedAtMs: nowMs, releaseAtMs: nowMs + this.endDelayMs });
    this.pump();
  }

  detach(): Chunk[] {
    this.dead = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const rest: Chunk[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const item = this.queue[i];
      if (item?.data) rest.push({ data: item.data, receivedAtMs: item.receivedAtMs });
    }
    this.queue.length = 0;
    this.head = 0;
    this.held = 0;
    return rest;
  }

  private isDead(): boolean {
    return this.dead;
  }

  private pump(): void {
    if (this.timer !== undefined || this.dead) return;
    const nowMs = monoNowMs();
    for (;;) {
      const item = this.queue[this.head];
      if (item === undefined) {
        this.queue.length = 0;
        this.head = 0;
        return;
      }
      if (item.releaseAtMs > nowMs) {
        // Ceil, and re-check on wake-up: releasing early would break "adds at least its latency".
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.max(1, Math.ceil(item.releaseAtMs - nowMs)));
        return;
      }
      this.head++;
      if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
        // A link that never drains (bandwidth under steady load) must not grow the array forever.
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      if (item.data === null) {
        this.out.end();
      } else {
        this.held -= item.data.length;
        this.out.push({ data: item.data, receivedAtMs: item.receivedAtMs });
      }
      // Pushing can tear the connection down, which detaches this stage.
      if (this.isDead()) return;
    }
  }
}

/** Drops everything; with timeoutMs > 0 closes after that long without a chunk arriving. */
class TimeoutStage implements Stage {
  readonly heldBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: StageOutput,
    private readonly timeoutMs: number,
  ) {
    this.arm();
  }

  write(_chunk: Chunk): void {
    // Go re-arms time.After on every loop iteration, so traffic keeps the connection alive.
    this.arm();
  }

  end(): void {
    this.disarm();
    this.out.end();
  }

  detach(): Chunk[] {
    this.disarm();
    return [];
  }

  private arm(): void {
    if (this.timeoutMs <= 0) return;
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.out.end();
    }, this.timeoutMs);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Waits for the first chunk (or the end), drops it, and closes timeoutMs later. */
class ResetPeerStage implements Stage {
  readonly heldBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private triggered = false;

  constructor(
    private readonly out: StageOutput,
    private readonly timeoutMs: number,
  ) {}

  write(_chunk: Chunk): void {
    this.trigger();
  }

  end(): void {
    this.trigger();
  }

  detach(): Chunk[] {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return [];
  }

  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.out.end();
      },
      Math.max(0, this.timeoutMs),
    );
  }
}

/** Passes at most `bytes` bytes counted in the link's state, then closes. */
class LimitDataStage implements Stage {
  readonly heldBytes = 0;
  private closed = false;

  constructor(
    private readonly out: StageOutput,
    private readonly limitBytes: number,
    private readonly state: StageState,
  ) {}

  write(chunk: Chunk): void {
    if (this.closed) return;
    const remainingBytes = Math.max(0, this.limitBytes - this.state.transmittedBytes);
    const data = chunk.data.length > remainingBytes ? chunk.data.subarray(0, remainingBytes) : chunk.data;
    if (data.length > 0) {
      this.state.transmittedBytes += data.length;
      this.out.push({ data, receivedAtMs: chunk.receivedAtMs });
    }
    if (this.limitBytes - this.state.transmittedBytes <= 0) {
      this.closed = true;
      this.out.end();
    }
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.end();
  }

  detach(): Chunk[] {
    return [];
  }
}

function latencyStage(attributes: Attributes, out: StageOutput): Stage {
  const latencyMs = attr(attributes, 'latency');
  const jitterMs = attr(attributes, 'jitter');
  return new ScheduledStage(
    out,
    (chunk) => {
      // Go: latency + rand.Int63n(2*jitter) - jitter, an integer in [-jitter, +jitter).
      const offsetMs = jitterMs > 0 ? Math.floor(Math.random() * 2 * jitterMs) - jitterMs : 0;
      return [{ data: chunk.data, releaseAtMs: chunk.receivedAtMs + latencyMs + offsetMs }];
    },
    0,
  );
}

function bandwidthStage(attributes: Attributes, out: StageOutput): Stage {
  // rate KB/s with 1 KB = 1000 B is exactly bytes per millisecond.
  const rateBytesPerMs = attr(attributes, 'rate');
  const sliceBytes = rateBytesPerMs * 100;
  let nextFreeMs = 0;
  return new ScheduledStage(
    out,
    (chunk, nowMs) => {
      const startMs = Math.max(nowMs, nextFreeMs);
      const pieces: Piece[] = [];
      // Like Go, big chunks go out in 100 ms slices instead of one late burst.
      for (let offset = 0; offset < chunk.data.length; offset += sliceBytes) {
        const end = Math.min(chunk.data.length, offset + sliceBytes);
        pieces.push({ data: chunk.data.subarray(offset, end), releaseAtMs: startMs + end / rateBytesPerMs });
      }
      nextFreeMs = startMs + chunk.data.length / rateBytesPerMs;
      return pieces;
    },
    0,
  );
}

function slowCloseStage(attributes: Attributes, out: StageOutput): Stage {
  return new ScheduledStage(out, (chunk) => [{ data: chunk.data, releaseAtMs: 0 }], Math.max(0, attr(attributes, 'delay')));
}

/** Split points of one chunk, as Go's recursive halving with ± variation; bounded by the chunk size. */
export function slicePoints(lengthBytes: number, averageBytes: number, variationBytes: number): number[] {
  const points: number[] = [];
  const stack: [number, number][] = [[0, lengthBytes]];
  // Depth-first, right half pushed first, so the pieces come out left to right.
  while (stack.length > 0) {
    const range = stack.pop();
    if (range === undefined) break;
    const [start, end] = range;
    if (end - start - averageBytes <= variationBytes || end - start < 2) {
      points.push(end);
      continue;
    }
    let mid = start + Math.floor((end - start) / 2);
    if (variationBytes > 0) mid += Math.floor(Math.random() * 2 * variationBytes) - variationBytes;
    mid = Math.min(end - 1, Math.max(start + 1, mid));
    stack.push([mid, end], [start, mid]);
  }
  return points;
}

function slicerStage(attributes: Attributes, out: StageOutput): Stage {
  const averageBytes = attr(attributes, 'average_size');
  const variationBytes = attr(attributes, 'size_variation');
  const delayMs = Math.max(0, attr(attributes, 'delay')) / 1000;
  let nextFreeMs = 0;
  return new ScheduledStage(
    out,
    (chunk, nowMs) => {
      let atMs = Math.max(nowMs, nextFreeMs);
      const pieces: Piece[] = [];
      let start = 0;
      for (const end of slicePoints(chunk.data.length, averageBytes, variationBytes)) {
        pieces.push({ data: chunk.data.subarray(start, end), releaseAtMs: atMs });
        start = end;
        // Go sleeps `delay` after every piece, the last one included.
        atMs += delayMs;
      }
      nextFreeMs = atMs;
      return pieces;
    },
    0,
  );
}

const ok = (): string | undefined => undefined;

const definitions: readonly ToxicDefinition[] = [
  {
    type: 'latency',
    goStruct: 'LatencyToxic',
    attributes: [
      { name: 'latency', goType: 'int64' },
      { name: 'jitter', goType: 'int64' },
    ],
    closesOnRemove: false,
    validate: ok,
    createStage: latencyStage,
  },
  {
    type: 'bandwidth',
    goStruct: 'BandwidthToxic',
    attributes: [{ name: 'rate', goType: 'int64' }],
    closesOnRemove: false,
    validate: (a) =>
      attr(a, 'rate') > 0 ? undefined : 'bandwidth rate must be at least 1 KB/s (rate 0 would stall all data)',
    createStage: bandwidthStage,
  },
  {
    type: 'slow_close',
    goStruct: 'SlowCloseToxic',
    attributes: [{ name: 'delay', goType: 'int64' }],
    closesOnRemove: false,
    validate: ok,
    createStage: slowCloseStage,
  },
  {
    type: 'timeout',
    goStruct: 'TimeoutToxic',
    attributes: [{ name: 'timeout', goType: 'int64' }],
    // Dropped bytes would corrupt the stream, so the real server closes on removal (PR #168).
    closesOnRemove: true,
    validate: ok,
    createStage: (a, out) => new TimeoutStage(out, attr(a, 'timeout')),
  },
  {
    type: 'reset_peer',
    goStruct: 'ResetToxic',
    attributes: [{ name: 'timeout', goType: 'int64' }],
    closesOnRemove: false,
    validate: ok,
    createStage: (a, out) => new ResetPeerStage(out, attr(a, 'timeout')),
  },
  {
    type: 'slicer',
    goStruct: 'SlicerToxic',
    attributes: [
      { name: 'average_size', goType: 'int' },
      { name: 'size_variation', goType: 'int' },
      { name: 'delay', goType: 'int' },
    ],
    closesOnRemove: false,
    validate: (a) => (attr(a, 'average_size') > 0 ? undefined : 'slicer average_size must be at least 1 byte'),
    createStage: slicerStage,
  },
  {
    type: 'limit_data',
    goStruct: 'LimitDataToxic',
    attributes: [{ name: 'bytes', goType: 'int64' }],
    closesOnRemove: false,
    validate: ok,
    createStage: (a, out, state) => new LimitDataStage(out, attr(a, 'bytes'), state),
  },
  {
    type: 'noop',
    goStruct: 'NoopToxic',
    attributes: [],
    closesOnRemove: false,
    validate: ok,
    createStage: (_a, out) => new PassThroughStage(out),
  },
];

const registry = new Map<string, ToxicDefinition>(definitions.map((d) => [d.type, d]));

/** The definition for a Toxiproxy type name, or undefined ("invalid toxic type"). */
export function toxicDefinition(type: string): ToxicDefinition | undefined {
  return registry.get(type);
}

export function toxicTypes(): string[] {
  return definitions.map((d) => d.type);
}
