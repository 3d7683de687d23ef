// How fast are the checkers on a big run? Generates a seeded synthetic mutex-workload history
// (about 1M ops by default) and its audit log, then times pairing and every checker on it in this
// process; optionally the JSONL read path, and the whole `npm run check` process on a stored run.
//
//   node --import tsx tools/checker-speed.ts [--ops 1000000] [--keys 100] [--seed 42]
//       in process: prepare (pairing, fault windows) and each checker, then all of them together
//   ... --io
//       the same from JSONL instead: write the run to a temporary folder, read it back (timed),
//       and time each checker on what was read
//   ... --write DIR
//       only write the stored run (history.jsonl, audit.jsonl, manifest.json) into DIR
//   ... --cli [--dir DIR] [--runs 5]
//       time whole `npm run check -- DIR` processes (one warm-up, then --runs counted, 1-20):
//       wall ms and peak RSS (the largest single process of the tree, read from each node
//       process's own resource usage at exit), min / median / max; plus the same for a 10-op run,
//       which is the start-up cost. Without --dir the run is written to a temporary folder first.
//
// Issue 10's goal, measured here: `npm run check` on the 1M-op run in ≤ 5 s wall, ≤ 1 GiB RSS.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAvailability } from '../checkers/availability.ts';
import { runCheckers } from '../checkers/check-run.ts';
import { checkFencing } from '../checkers/fencing.ts';
import { prepareInput } from '../checkers/input.ts';
import { checkLostUpdates } from '../checkers/lost-updates.ts';
import { checkOverlap } from '../checkers/overlap.ts';
import { monoMs } from '../core/clock.ts';
import { isAuditEntry, isOp } from '../core/history.ts';
import type { AuditEntry, Op } from '../core/history.ts';
import { readJsonlFile } from '../core/jsonl.ts';
import { seededRandom } from '../core/rng.ts';
import { runTool } from './args.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_RUNS = 20;
/** A check process that takes this long is killed: the bench must end by itself. */
const CHILD_TIMEOUT_MS = 120_000;

interface SyntheticRun {
  readonly history: Op[];
  readonly audit: AuditEntry[];
}

/**
 * Each key has its own processes taking turns: acquire → incr (read, write at the resource) →
 * release, with a rival's failed acquire during some holds, a few acquires that time out (info),
 * and partitions from the nemesis. Mutual exclusion holds, so the work is the realistic clean case
 * plus the possible overlaps the info acquires create.
 */
function generate(targetOps: number, keys: number, seed: number): SyntheticRun {
  const rnd = seededRandom(seed);
  const history: Op[] = [];
  const audit: AuditEntry[] = [];
  const processesPerKey = 4;
  const timeMs = new Array<number>(keys).fill(0);
  const value = new Array<number>(keys).fill(0);
  const token = new Array<number>(keys).fill(0);
  const ttlMs = 100;
  let turn = 0;
  while (history.length < targetOps) {
    const k = turn % keys;
    const key = `key-${k}`;
    const holder = k * processesPerKey + (Math.floor(turn / keys) % processesPerKey);
    let t = (timeMs[k] ?? 0) + rnd() * 2;
    turn += 1;
    history.push({ type: 'invoke', f: 'acquire', process: holder, timeMs: t, key, value: { ttlMs } });
    t += 0.2 + rnd() * 3;
    if (rnd() < 0.001) {
      history.push({ type: 'info', f: 'acquire', process: holder, timeMs: t, key, error: 'timeout' });
      timeMs[k] = t + 1;
      continue;
    }
    const tok = (token[k] ?? 0) + 1;
    token[k] = tok;
    history.push({ type: 'ok', f: 'acquire', process: holder, timeMs: t, key, lease: { owner: `o${turn}`, validUntilMs: t + ttlMs, token: String(tok) } });
    const v = value[k] ?? 0;
    history.push({ type: 'invoke', f: 'incr', process: holder, timeMs: t + 0.1, key });
    audit.push({ timeMs: t + 0.2, event: 'enter', key, client: holder, token: String(tok) });
    audit.push({ timeMs: t + 0.3, event: 'read', key, client: holder, token: String(tok), value: v });
    audit.push({ timeMs: t + 0.4, event: 'write', key, client: holder, token: String(tok), value: v + 1 });
    audit.push({ timeMs: t + 0.5, event: 'exit', key, client: holder, token: String(tok) });
    value[k] = v + 1;
    history.push({ type: 'ok', f: 'incr', process: holder, timeMs: t + 0.6, key, value: { read: v, wrote: v + 1 } });
    if (rnd() < 0.3) {
      const rival = k * processesPerKey + ((holder + 1) % processesPerKey);
      history.push({ type: 'invoke', f: 'acquire', process: rival, timeMs: t + 0.15, key, value: { ttlMs } });
      history.push({ type: 'fail', f: 'acquire', process: rival, timeMs: t + 0.7, key, error: 'busy' });
    }
    history.push({ type: 'invoke', f: 'release', process: holder, timeMs: t + 0.8, key });
    history.push({ type: 'ok', f: 'release', process: holder, timeMs: t + 1, key });
    timeMs[k] = t + 1;
  }
  const endMs = Math.max(...timeMs);
  for (let s = 1000; s + 2000 < endMs; s += 5000) {
    history.push({ type: 'info', f: 'start-partition', process: 'nemesis', timeMs: s, value: ['redis-1'] });
    history.push({ type: 'info', f: 'stop-partition', process: 'nemesis', timeMs: s + 2000 });
  }
  history.sort((a, b) => a.timeMs - b.timeMs);
  audit.sort((a, b) => a.timeMs - b.timeMs);
  return { history, audit };
}

/** One JSON object per line, written in blocks so a 1M-line file never becomes one string. */
function writeJsonl(path: string, records: readonly unknown[]): void {
  const fd = openSync(path, 'w');
  try {
    const linesPerBlock = 10_000;
    for (let i = 0; i < records.length; i += linesPerBlock) {
      writeSync(fd, records.slice(i, i + linesPerBlock).map((r) => JSON.stringify(r) + '\n').join(''));
    }
  } finally {
    closeSync(fd);
  }
}

/** A stored run as `lockbench check` reads it: the two logs and a manifest (fencing off). */
function writeRun(dir: string, run: SyntheticRun): void {
  mkdirSync(dir, { recursive: true });
  writeJsonl(join(dir, 'history.jsonl'), run.history);
  writeJsonl(join(dir, 'audit.jsonl'), run.audit);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ runId: 'checker-speed', synthetic: true, options: { fencing: false } }, null, 2) + '\n');
}

function timed<T>(label: string, fn: () => T): T {
  const start = monoMs();
  const result = fn();
  process.stdout.write(`  ${label.padEnd(34)} ${(monoMs() - start).toFixed(0).padStart(7)} ms\n`);
  return result;
}

/** Each checker on its own, then all of them as `lockbench check` runs them (fencing off). */
function inProcess(run: SyntheticRun): void {
  const input = timed('prepare (pairing, fault windows)', () => prepareInput(run.history, run.audit, { fencing: false }));
  const overlap = timed('overlap (3 views)', () => checkOverlap(input));
  const lost = timed('lost-updates', () => checkLostUpdates(input));
  const fencing = timed('fencing', () => checkFencing(input));
  const availability = timed('availability', () => checkAvailability(input));
  const all = timed('runCheckers (all, incl. prepare)', () => runCheckers(run.history, run.audit, { fencing: false }));
  process.stdout.write(
    `verdicts: overlap ${overlap.verdict}, lost-updates ${lost.verdict}, fencing ${fencing.verdict}, availability ${availability.verdict}; run ${all.verdict}\n` +
      `  overlap: ${overlap.summary}\n`,
  );
}

/**
 * The read / check split of `lockbench check`, in this process: the run is written as JSONL and
 * dropped (a heap still holding it would slow the read down), read back, and checked as read.
 */
async function readAndCheck(makeRun: () => SyntheticRun): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-checker-speed-'));
  try {
    writeRun(dir, makeRun());
    const start = monoMs();
    const history = await readJsonlFile<Op>(join(dir, 'history.jsonl'), isOp);
    const audit = await readJsonlFile<AuditEntry>(join(dir, 'audit.jsonl'), isAuditEntry);
    process.stdout.write(
      `from JSONL:\n  ${'read both files'.padEnd(34)} ${(monoMs() - start).toFixed(0).padStart(7)} ms  (${history.records.length} ops, ${audit.records.length} audit entries)\n`,
    );
    inProcess({ history: history.records, audit: audit.records });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ProcessFigures {
  readonly wallMs: number;
  readonly peakRssBytes: number;
  readonly exitCode: number | null;
}

/**
 * Runs `npm run check -- dir` once. Every node process of the tree (npm, tsx, the check itself)
 * loads a probe that appends its own peak RSS at exit; the largest one is the figure.
 */
async function timeCheckProcess(dir: string): Promise<ProcessFigures> {
  const probeDir = mkdtempSync(join(tmpdir(), 'lockbench-rss-'));
  const probeFile = join(probeDir, 'rss.jsonl');
  const probe = join(root, 'scripts', 'peak-rss-probe.mjs');
  const nodeOptions = [process.env['NODE_OPTIONS'] ?? '', `--import=${probe}`].join(' ').trim();
  const started = monoMs();
  const exitCode = await new Promise<number | null>((done, fail) => {
    const child = spawn('npm', ['run', '--silent', 'check', '--', dir], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: nodeOptions, LOCKBENCH_RSS_PROBE_FILE: probeFile },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
  const wallMs = monoMs() - started;
  let peakRssBytes = 0;
  try {
    for (const line of readFileSync(probeFile, 'utf8').split('\n')) {
      if (line !== '') peakRssBytes = Math.max(peakRssBytes, (JSON.parse(line) as { maxRssBytes: number }).maxRssBytes);
    }
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
  return { wallMs, peakRssBytes, exitCode };
}

function spread(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { min: sorted[0] ?? 0, median, max: sorted[sorted.length - 1] ?? 0 };
}

async function timeCheckCommand(label: string, dir: string, runs: number): Promise<void> {
  await timeCheckProcess(dir); // warm-up: page cache, any build cache
  const figures: ProcessFigures[] = [];
  for (let i = 0; i < runs; i++) figures.push(await timeCheckProcess(dir));
  const wall = spread(figures.map((f) => f.wallMs));
  const rss = spread(figures.map((f) => f.peakRssBytes / 2 ** 20));
  const codes = [...new Set(figures.map((f) => f.exitCode))].join(',');
  process.stdout.write(
    `  ${label.padEnd(22)} wall ms min ${wall.min.toFixed(0)} median ${wall.median.toFixed(0)} max ${wall.max.toFixed(0)}; ` +
      `peak RSS MiB min ${rss.min.toFixed(0)} median ${rss.median.toFixed(0)} max ${rss.max.toFixed(0)}; exit ${codes} (${runs} runs)\n`,
  );
}

async function wholeProcess(makeRun: () => SyntheticRun, given: string | undefined, runs: number): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'lockbench-checker-speed-'));
  try {
    const dir = given ?? join(scratch, 'run');
    if (given === undefined) writeRun(dir, makeRun());
    const tiny = join(scratch, 'tiny');
    writeRun(tiny, generate(10, 1, 1));
    process.stdout.write(`npm run check, whole process:\n`);
    await timeCheckCommand('10-op run (start-up)', tiny, runs);
    await timeCheckCommand(given === undefined ? 'synthetic run' : dir, dir, runs);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

runTool('checker-speed', import.meta.url, { ops: { type: 'string' }, keys: { type: 'string' }, seed: { type: 'string' }, write: { type: 'string' }, dir: { type: 'string' }, runs: { type: 'string' }, cli: { type: 'boolean' }, io: { type: 'boolean' } }, async (a) => {
  const targetOps = a.number('ops', 1_000_000, { min: 1, integer: true });
  const keys = a.number('keys', 100, { min: 1, integer: true });
  const seed = a.number('seed', 42, { min: 1, integer: true });
  const make = (): SyntheticRun => {
    const genStart = monoMs();
    const run = generate(targetOps, keys, seed);
    process.stdout.write(`synthetic run: ${run.history.length} ops, ${run.audit.length} audit entries, ${keys} keys, seed ${seed} (generated in ${(monoMs() - genStart).toFixed(0)} ms)\n`);
    return run;
  };
  const writeDir = a.text('write');
  if (writeDir !== undefined) {
    writeRun(writeDir, make());
    process.stdout.write(`wrote ${join(writeDir, 'history.jsonl')}, audit.jsonl and manifest.json\n`);
  } else if (a.flag('cli')) {
    await wholeProcess(make, a.text('dir'), a.number('runs', 5, { min: 1, max: MAX_RUNS, integer: true }));
  } else if (a.flag('io')) {
    await readAndCheck(make);
  } else {
    inProcess(make());
  }
});
