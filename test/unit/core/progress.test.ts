// The progress bar (core/progress.ts) against a fake terminal: a Writable that says it is a TTY,
// whose output is replayed by a small screen model (the cursor and erase codes readline and
// cli-progress write), so the tests read what a person would see. Only time is mocked (Date and the
// timers cli-progress redraws with).
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { etaMs, formatEta, startProgress } from '../../../core/progress.ts';
import { logger } from '../../../core/log.ts';

class FakeStream extends Writable {
  readonly chunks: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 100,
  ) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? chunk : String(chunk));
    done();
  }
  get output(): string {
    return this.chunks.join('');
  }
}

const ESC = String.fromCharCode(27);
const CSI = new RegExp(`^${ESC}\\[(\\d*)([GK])`);
const OTHER_ESCAPE = new RegExp(`^${ESC}(7|8|\\[\\?\\d+[hl])`);
/** Writable's own write: what a stream's write is again once the bar hands it back. */
const protoWrite: unknown = Reflect.get(Writable.prototype, 'write');

/** Replays terminal output: printable text, \r, \n (as a tty's onlcr turns it into CR LF), ESC[nG, ESC[nK. */
function screen(output: string, columns = 100): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  const line = (): string[] => rows[row] ?? [];
  for (let i = 0; i < output.length; i++) {
    const ch = output[i] ?? '';
    if (ch === ESC) {
      const csi = CSI.exec(output.slice(i));
      if (csi) {
        const n = Number(csi[1] === '' ? '0' : csi[1]);
        if (csi[2] === 'G') col = Math.max(0, (n || 1) - 1);
        else if (n === 0) line().length = Math.min(line().length, col);
        else if (n === 2) rows[row] = [];
        i += csi[0].length - 1;
        continue;
      }
      const other = OTHER_ESCAPE.exec(output.slice(i));
      assert.ok(other, `unexpected escape sequence at ${JSON.stringify(output.slice(i, i + 8))}`);
      i += other[0].length - 1;
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      col = 0;
      rows[row] ??= [];
    } else {
      assert.ok(col < columns, `text ran past the right edge: ${line().join('')}${ch}`);
      const l = line();
      while (l.length < col) l.push(' ');
      l[col] = ch;
      col += 1;
    }
  }
  return rows.map((r) => r.join('').trimEnd());
}

const lastRow = (s: FakeStream): string => screen(s.output).at(-1) ?? '';

describe('progress on a terminal', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 0 }));
  afterEach(() => mock.timers.reset());

  test('the bar shows the count, an estimate from the plan, then from the steps done, and the step in hand', () => {
    const tty = new FakeStream(true);
    using bar = startProgress({ title: 'bench', total: 4, stepEstimateMs: 10_000, stream: tty });
    bar.note('measuring the floor');
    assert.match(lastRow(tty), /^bench [█░]+ 0\/4 · ETA 40s · measuring the floor$/);
    bar.begin('redis-lock/contention/c16-k1');
    assert.match(lastRow(tty), /^bench [█░]+ 0\/4 · ETA 40s · redis-lock\/contention\/c16-k1$/);
    // cli-progress's own redraws count the estimate down while the step runs.
    mock.timers.tick(5000);
    assert.match(lastRow(tty), / 0\/4 · ETA 35s · redis-lock\/contention\/c16-k1$/);
    mock.timers.tick(3000);
    bar.end();
    // One step took 8 s: three more take 24 s.
    assert.match(lastRow(tty), / 1\/4 · ETA 24s$/);
    bar.begin('zookeeper-lock/uncontended/c1');
    bar.note('step 3/9');
    assert.match(lastRow(tty), / 1\/4 · ETA 24s · zookeeper-lock\/uncontended\/c1: step 3\/9$/);
  });

  test('log lines scroll above the bar whole, and a line written in parts is left alone until it ends', () => {
    const tty = new FakeStream(true);
    const log = logger('bench', tty);
    using bar = startProgress({ title: 'bench', total: 2, stepEstimateMs: 1000, stream: tty });
    bar.begin('case-a');
    mock.timers.tick(1500);
    log.info('case-a: 1234 cycles/s');
    tty.write('partial ');
    mock.timers.tick(1000); // a redraw falls due mid-line: it must not land after "partial "
    tty.write('line\n');
    const rows = screen(tty.output);
    assert.deepEqual(rows.slice(0, -1), ['00:00:01.500 [bench] case-a: 1234 cycles/s', 'partial line']);
    assert.match(rows.at(-1) ?? '', /^bench [█░]+ 0\/2 · ETA \d+s · case-a$/);
  });

  test('stop clears the bar, puts the stream back and drops its exit hook; ending the scope stops it too', () => {
    const tty = new FakeStream(true);
    const exitHooks = process.listenerCount('exit');
    {
      using bar = startProgress({ title: 'images', total: 1, stream: tty });
      bar.begin('lockbench/redis:0123');
      assert.match(lastRow(tty), /^images [█░]+ 0\/1 · ETA \? · lockbench\/redis:0123$/);
      assert.notEqual(Reflect.get(tty, 'write'), protoWrite);
      assert.equal(process.listenerCount('exit'), exitHooks + 1);
    }
    assert.equal(lastRow(tty), '');
    assert.equal(Reflect.get(tty, 'write'), protoWrite);
    assert.equal(process.listenerCount('exit'), exitHooks);
    const before = tty.output.length;
    mock.timers.tick(5000);
    tty.write('after\n');
    assert.equal(tty.output.slice(before), 'after\n', 'no redraw and no clearing after stop');
  });

  test('Ctrl-C (the abort signal) clears the bar before the cleanup logs, and the notice before it stays', () => {
    const tty = new FakeStream(true);
    const ctrlC = new AbortController();
    using bar = startProgress({ title: 'matrix', total: 3, stepEstimateMs: 20_000, signal: ctrlC.signal, stream: tty });
    bar.begin('redis-lock × partition');
    // What cli/context.ts does on the first SIGINT: a notice on stderr, then abort.
    tty.write('lockbench: SIGINT received, cleaning up (press Ctrl-C again to force)\n');
    ctrlC.abort();
    logger('chaos', tty).info('healing');
    bar.begin('not shown');
    mock.timers.tick(2000);
    assert.deepEqual(screen(tty.output), ['lockbench: SIGINT received, cleaning up (press Ctrl-C again to force)', '00:00:00.000 [chaos] healing', '']);
  });

  test('one bar at a time: a second one while the first is up (images built during a matrix) draws nothing', () => {
    const tty = new FakeStream(true);
    using outer = startProgress({ title: 'matrix', total: 2, stream: tty });
    outer.begin('redis-lock × kill');
    const before = tty.output.length;
    {
      using inner = startProgress({ title: 'images', total: 1, stream: tty });
      inner.begin('lockbench/redis:0123');
      inner.end();
    }
    assert.equal(tty.output.slice(before), '');
    assert.match(lastRow(tty), /· redis-lock × kill$/);
  });

  test('on a narrow terminal the line is cut to the width, the count and the estimate kept', () => {
    const tty = new FakeStream(true, 50);
    using bar = startProgress({ title: 'bench', total: 40, stepEstimateMs: 3000, stream: tty });
    bar.begin('redlock/contention/c64-k1-a-very-long-case-name');
    const row = screen(tty.output, 50).at(-1) ?? '';
    assert.ok(row.length <= 49, row);
    assert.match(row, /^bench [█░]+ 0\/40 · ETA 2m00s · redlock.*…$/);
  });
});

describe('progress off a terminal', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 1500 }));
  afterEach(() => mock.timers.reset());

  test('no bar, no escape codes: the timestamped log lines are the whole output, as before', () => {
    const pipe = new FakeStream(false);
    const log = logger('matrix', pipe);
    using bar = startProgress({ title: 'matrix', total: 2, stepEstimateMs: 1000, stream: pipe });
    log.info('scenario 1/2: redis-lock × partition');
    bar.begin('redis-lock × partition');
    mock.timers.tick(2000);
    bar.end();
    log.error('redis-lock × kill did not run: no cluster');
    bar.stop();
    assert.equal(pipe.output, '00:00:01.500 [matrix] scenario 1/2: redis-lock × partition\n00:00:03.500 ERROR [matrix] redis-lock × kill did not run: no cluster\n');
    assert.equal(Reflect.get(pipe, 'write'), protoWrite);
  });
});

describe('the estimate', () => {
  const base = { total: 10, done: 0, nowMs: 0, firstBeganMs: undefined, lastEndedMs: undefined, stepBeganMs: undefined, stepEstimateMs: undefined };

  test('unknown before a step ends without an estimate; the plan before, the steps done after', () => {
    assert.equal(etaMs(base), undefined);
    assert.equal(etaMs({ ...base, stepEstimateMs: 2000 }), 20_000);
    // Two steps in 10 s (the gap between them counts): 5 s each for the eight left.
    assert.equal(etaMs({ ...base, stepEstimateMs: 2000, done: 2, firstBeganMs: 0, lastEndedMs: 10_000, nowMs: 10_000 }), 40_000);
  });

  test('the step in hand counts down by its time so far, never below the steps still to start', () => {
    const running = { ...base, done: 2, firstBeganMs: 0, lastEndedMs: 10_000, stepBeganMs: 10_000 };
    assert.equal(etaMs({ ...running, nowMs: 12_000 }), 38_000);
    assert.equal(etaMs({ ...running, nowMs: 60_000 }), 35_000);
    assert.equal(etaMs({ ...running, done: 10, nowMs: 60_000 }), 0);
  });

  test('formatted as a person reads it', () => {
    assert.deepEqual([undefined, 0, 400, 45_000, 185_000, 4_800_000].map(formatEta), ['?', '0s', '1s', '45s', '3m05s', '1h20m']);
  });
});
