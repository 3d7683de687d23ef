// How fast are the checkers on a big run? Generates a synthetic mutex-workload history (about 1M
// ops by default) and its audit log, then times pairing and every checker on it, and optionally
// the whole `lockbench check` path through JSONL files (--io).
//   node --import tsx bench/checker-speed.ts [--ops 1000000] [--keys 100] [--io]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAvailability } from '../chaos/checkers/availability.ts';
import { checkRun, runCheckers } from '../chaos/checkers/check-run.ts';
import { checkFencing } from '../chaos/checkers/fencing.ts';
import { prepareInput } from '../chaos/checkers/input.ts';
import { checkLostUpdates } from '../chaos/checkers/lost-updates.ts';
import { checkOverlap } from '../chaos/checkers/overlap.ts';
import { monoMs } from '../core/clock.ts';
import type { AuditEntry, Op } from '../core/history.ts';
import { seededRandom } from '../core/rng.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} takes a positive number`);
  return v;
}

/** Seeded, so every run of the bench sees the same history. */
const prng = seededRandom;

/**
 * Each key has its own processes taking turns: acquire → incr (read, write at the resource) →
 * release, with a rival's failed acquire during some holds, a few acquires that time out (info),
 * and partitions from the nemesis. Mutual exclusion holds, so the work is the realistic clean case
 * plus the possible overlaps the info acquires create.
 */
function generate(targetOps: number, keys: number): { history: Op[]; audit: AuditEntry[] } {
  const rnd = prng(42);
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

function timed<T>(label: string, fn: () => T): T {
  const start = monoMs();
  const result = fn();
  process.stdout.write(`  ${label.padEnd(34)} ${(monoMs() - start).toFixed(0).padStart(7)} ms\n`);
  return result;
}

const targetOps = arg('ops', 1_000_000);
const keys = arg('keys', 100);
const genStart = monoMs();
const { history, audit } = generate(targetOps, keys);
process.stdout.write(`synthetic run: ${history.length} ops, ${audit.length} audit entries, ${keys} keys (generated in ${(monoMs() - genStart).toFixed(0)} ms)\n`);

const input = timed('prepare (pairing, fault windows)', () => prepareInput(history, audit));
const overlap = timed('overlap (3 views)', () => checkOverlap(input));
const lost = timed('lost-updates', () => checkLostUpdates(input));
const fencing = timed('fencing', () => checkFencing(input));
const availability = timed('availability', () => checkAvailability(input));
const all = timed('runCheckers (all, incl. prepare)', () => runCheckers(history, audit));
process.stdout.write(
  `verdicts: overlap ${overlap.verdict}, lost-updates ${lost.verdict}, fencing ${fencing.verdict}, availability ${availability.verdict}; run ${all.verdict}\n` +
    `  overlap: ${overlap.summary}\n`,
);

if (process.argv.includes('--io')) {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-checker-speed-'));
  try {
    writeFileSync(join(dir, 'history.jsonl'), history.map((o) => JSON.stringify(o)).join('\n') + '\n');
    writeFileSync(join(dir, 'audit.jsonl'), audit.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const start = monoMs();
    const r = await checkRun(dir);
    process.stdout.write(`  ${'checkRun from JSONL (read + check)'.padEnd(34)} ${(monoMs() - start).toFixed(0).padStart(7)} ms  (${r.verdict})\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
