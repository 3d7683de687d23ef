// The progress of a long command (bench's cases, a matrix's scenarios, trials, image builds). On a
// terminal: one bar on the last line of stderr with the count, an estimate of the time left and the
// step in hand, drawn by cli-progress. Anywhere else (CI, a pipe, a file): nothing at all, so the
// timestamped lines the commands log are the whole output there, exactly as before the bar.
//
// While the bar is up, every other write to its stream (log lines, the Ctrl-C notice, a warning)
// first clears the bar's line and the bar is drawn again under it, so lines scroll above the bar and
// never run into it. The bar is cleared and the stream handed back when stopped: by its owner
// (`using`, so also when the command throws), on the abort signal (Ctrl-C, before the cleanup's
// lines) and at process exit (a forced second Ctrl-C calls process.exit).
//
// Time is read from Date.now(), which is also what cli-progress schedules its redraws against, so a
// test that mocks Date and the timers controls everything the bar shows.
import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';

export interface Progress extends Disposable {
  /** A counted step starts: its name is shown until it ends. */
  begin(name: string): void;
  /** The step begun last is done. */
  end(): void;
  /** What is going on now, beside the step's name (an image build's Dockerfile step) or between steps (bench's floor). */
  note(text: string): void;
  /** Clears the bar and hands the stream back. Idempotent. */
  stop(): void;
}

/** What the bar draws on: process.stderr, or in tests a Writable that says it is a terminal. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ProgressOptions {
  /** First word on the bar: "bench", "matrix", "trials", "images". */
  readonly title: string;
  /** Steps planned. */
  readonly total: number;
  /** Expected time of one step, for an estimate before the first step ends (bench: warm-up + measured time). */
  readonly stepEstimateMs?: number;
  /** The bar is cleared when this fires: the cleanup after Ctrl-C logs plain lines. */
  readonly signal?: AbortSignal;
  readonly stream?: ProgressStream;
}

/** Progress that shows nothing: off a terminal, with LOCKBENCH_QUIET, or while another bar is up. */
const plain: Progress = {
  begin: () => undefined,
  end: () => undefined,
  note: () => undefined,
  stop: () => undefined,
  [Symbol.dispose]: () => undefined,
};

/** The timing an estimate is made from (all Date.now() milliseconds). */
export interface EtaInputs {
  readonly total: number;
  readonly done: number;
  readonly nowMs: number;
  /** When the first step began; undefined before. */
  readonly firstBeganMs: number | undefined;
  /** When the last step ended; undefined before the first ends. */
  readonly lastEndedMs: number | undefined;
  /** When the step in hand began; undefined between steps. */
  readonly stepBeganMs: number | undefined;
  readonly stepEstimateMs: number | undefined;
}

/**
 * Milliseconds left, or undefined when there is nothing to go on yet. Once a step has ended, a step
 * takes what the finished ones took on average, the gaps between them included (WAN set-up, the
 * floor's second measurement); before that, the caller's estimate. The step in hand counts down by
 * its time so far, never below the steps still to start.
 */
export function etaMs(t: EtaInputs): number | undefined {
  const left = t.total - t.done;
  if (left <= 0) return 0;
  const perStep = t.done > 0 && t.firstBeganMs !== undefined && t.lastEndedMs !== undefined ? (t.lastEndedMs - t.firstBeganMs) / t.done : t.stepEstimateMs;
  if (perStep === undefined) return undefined;
  const spent = t.stepBeganMs === undefined ? 0 : Math.min(perStep, Math.max(0, t.nowMs - t.stepBeganMs));
  return Math.max(0, left * perStep - spent);
}

/** "45s", "3m05s", "1h20m". */
export function formatEta(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

// cli-progress saves the cursor at start and restores it at stop; by then the log lines printed
// above the bar have scrolled the screen, so the saved spot is some other line. Those two codes are
// dropped on their way to the terminal; the bar's line is cleared by position instead.
const SAVE_CURSOR = '\x1B7';
const RESTORE_CURSOR = '\x1B8';
const CLEAR_LINE = '\r\x1B[2K';

/** The one bar of this process: a second (images built during a matrix) would draw over the first. */
let active: TerminalBar | undefined;

function endsLine(chunk: unknown): boolean {
  if (typeof chunk === 'string') return chunk.endsWith('\n');
  if (chunk instanceof Uint8Array) return chunk.length > 0 && chunk[chunk.length - 1] === 0x0a;
  return true;
}

/** A terminal that does not say its width (columns 0 under some emulators) is taken as 80 wide. */
function columnsOf(stream: ProgressStream): number {
  return stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
}

type WriteFn = (chunk: unknown, ...rest: unknown[]) => boolean;

class TerminalBar implements Progress {
  readonly #o: ProgressOptions;
  readonly #stream: ProgressStream;
  readonly #bar: cliProgress.SingleBar;
  /** The stream's own write, called with the stream as `this`. */
  readonly #write: WriteFn;
  readonly #patched: WriteFn;
  /** The stream's write as it was (its prototype's, as a rule), put back at stop. */
  readonly #before: unknown;
  /** Someone wrote part of a line: the bar stays off the screen until that line ends. */
  #midLine = false;
  #stopped = false;
  #done = 0;
  #name: string | undefined;
  #note = '';
  #firstBeganMs: number | undefined;
  #lastEndedMs: number | undefined;
  #stepBeganMs: number | undefined;

  constructor(o: ProgressOptions, stream: ProgressStream) {
    this.#o = o;
    this.#stream = stream;
    // Through Reflect: the method is taken off its object on purpose, to be put back as it was.
    const before: unknown = Reflect.get(stream, 'write');
    if (typeof before !== 'function') throw new TypeError('a progress stream needs a write method');
    this.#before = before;
    this.#write = (...args) => Reflect.apply(before, stream, args) !== false;
    // What cli-progress writes reaches the terminal through here (never through the patch below).
    const sink = new Writable({
      decodeStrings: false,
      write: (chunk: unknown, _encoding, done) => {
        const s = typeof chunk === 'string' ? chunk : String(chunk);
        if (!this.#midLine && s !== SAVE_CURSOR && s !== RESTORE_CURSOR) this.#write(s);
        done();
      },
    });
    Object.defineProperties(sink, { isTTY: { value: true }, columns: { get: () => stream.columns } });
    this.#bar = new cliProgress.SingleBar({
      stream: sink,
      format: (options, params) => this.#line(options, params),
      // Drawn again every half second for the estimate's countdown, and whether it changed or not:
      // a write that bypassed the patch (another process on the terminal) is painted over soon.
      fps: 2,
      forceRedraw: true,
      // Trimmed to the width by us; cli-progress's own option would switch the terminal's line
      // wrapping off, and a forced exit would leave it off.
      linewrap: true,
      clearOnComplete: true,
      hideCursor: false,
      gracefulExit: false,
      // A fifth of the width: the estimate and the step's name keep room on a narrow terminal.
      barsize: Math.max(8, Math.min(30, Math.floor(columnsOf(stream) / 5))),
      barCompleteChar: '█',
      barIncompleteChar: '░',
    });
    this.#patched = (chunk, ...rest) => {
      if (!this.#midLine) this.#write(CLEAR_LINE);
      const ok = this.#write(chunk, ...rest);
      this.#midLine = !endsLine(chunk);
      if (!this.#midLine) this.#bar.render();
      return ok;
    };
    Reflect.set(stream, 'write', this.#patched);
    o.signal?.addEventListener('abort', this.stop, { once: true });
    process.once('exit', this.stop);
    this.#bar.start(o.total, 0);
  }

  #line(options: cliProgress.Options, params: cliProgress.Params): string {
    const eta = etaMs({
      total: this.#o.total,
      done: this.#done,
      nowMs: Date.now(),
      firstBeganMs: this.#firstBeganMs,
      lastEndedMs: this.#lastEndedMs,
      stepBeganMs: this.#stepBeganMs,
      stepEstimateMs: this.#o.stepEstimateMs,
    });
    const doing = [this.#name, this.#note].filter((x): x is string => x !== undefined && x !== '').join(': ');
    const line = `${this.#o.title} ${cliProgress.Format.BarFormat(params.progress, options)} ${this.#done}/${this.#o.total} · ETA ${formatEta(eta)}${doing === '' ? '' : ` · ${doing}`}`;
    // One column spare: a line that fills the width leaves the cursor waiting to wrap.
    const width = Math.max(20, columnsOf(this.#stream) - 1);
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
  }

  #redraw(): void {
    if (this.#stopped) return;
    this.#bar.update(this.#done);
    if (!this.#midLine) this.#bar.render();
  }

  begin(name: string): void {
    const now = Date.now();
    this.#firstBeganMs ??= now;
    this.#stepBeganMs = now;
    this.#name = name;
    this.#note = '';
    this.#redraw();
  }

  end(): void {
    if (this.#stepBeganMs === undefined) return;
    this.#done = Math.min(this.#o.total, this.#done + 1);
    this.#lastEndedMs = Date.now();
    this.#stepBeganMs = undefined;
    this.#name = undefined;
    this.#note = '';
    this.#redraw();
  }

  note(text: string): void {
    this.#note = text;
    this.#redraw();
  }

  // An arrow function: handed to the signal and to process.once as it is.
  readonly stop = (): void => {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#o.signal?.removeEventListener('abort', this.stop);
    process.removeListener('exit', this.stop);
    // Someone may have wrapped the stream after us; theirs stays, and ours passes through.
    if (Reflect.get(this.#stream, 'write') === this.#patched) Reflect.set(this.#stream, 'write', this.#before);
    this.#bar.stop();
    if (!this.#midLine) this.#write(CLEAR_LINE);
    if (active === this) active = undefined;
  };

  [Symbol.dispose](): void {
    this.stop();
  }
}

/**
 * A bar on `stream` (process.stderr by default) when it is a terminal and no bar is up; otherwise
 * progress that shows nothing, the command's own log lines telling the story.
 */
export function startProgress(o: ProgressOptions): Progress {
  const stream = o.stream ?? process.stderr;
  if (stream.isTTY !== true || process.env['LOCKBENCH_QUIET'] || active !== undefined || o.signal?.aborted === true || o.total <= 0) return plain;
  active = new TerminalBar(o, stream);
  return active;
}
