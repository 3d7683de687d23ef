// Ctrl-C at any moment (issue 16): SIGINT to the whole process group of `npm run …`, as a terminal
// sends it, at a seeded random moment while a fault is in force, for a chaos run of every fault
// kind (mix too) and a matrix. After each: exit 130 after one interrupt (npm's relay is not a
// second press), every fault healed, no process of the job left, and the run folder complete and
// readable by `check`. (bench.test.ts and zz-lifecycle.test.ts interrupt bench and `up` the same
// way.)
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultAppliesTo, stepKinds } from '../../chaos/faults/registry.ts';
import { lockSpecs } from '../../locks/registry.ts';
import { seededRandom } from '../../core/rng.ts';
import { collect, interruptGroup, runCli, shellStatus, spawnNpmJob } from '../support/cli.ts';
import { useTestCluster } from '../support/cluster.ts';
import { faultsInForce, processesInGroup } from '../support/leftovers.ts';

const clusterOf = useTestCluster();
const resultsDir = mkdtempSync(join(tmpdir(), 'lockbench-interrupt-'));
after(() => rmSync(resultsDir, { recursive: true, force: true }));
const env = { LOCKBENCH_RESULTS: resultsDir };

/** The moments are seeded, so a failure is replayed by its seed (printed in each test's name). */
const SEED = Number(process.env['LOCKBENCH_INTERRUPT_SEED'] ?? 16);
const random = seededRandom(SEED);

/** The first lock, in this order, that the fault can strike. */
const LOCK_ORDER = ['redis', 'redlock', 'zookeeper', 'etcd', 'sentinel'] as const;
function lockFor(kind: string): string {
  const lock = LOCK_ORDER.find((l) => faultAppliesTo(kind, lockSpecs[l].model) === undefined);
  if (lock === undefined) throw new Error(`no lock in ${LOCK_ORDER.join(', ')} that ${kind} applies to`);
  return lock;
}

interface Interrupted {
  /** As the shell reports it (shellStatus). */
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
  readonly pgid: number;
}

/** Starts the job, waits for `cue` on its stderr, then `delayMs` more, and presses Ctrl-C once. */
async function interruptAt(args: readonly string[], cue: RegExp, delayMs: number): Promise<Interrupted> {
  const child = spawnNpmJob(args, env);
  const pgid = child.pid ?? 0;
  let stderr = '';
  let pressed = false;
  const cued = new Promise<void>((resolve) =>
    child.stderr?.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (cue.test(stderr)) resolve();
    }),
  );
  const done = collect(child, 300_000);
  await Promise.race([cued, done]);
  if (child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    interruptGroup(child);
    pressed = true;
  }
  const r = await done;
  assert.ok(pressed, `${args.join(' ')} ended before ${String(cue)} appeared:\n${r.stderr.slice(-3000)}`);
  return { code: shellStatus(r), stdout: r.stdout, stderr: r.stderr, pgid };
}

/** What every interrupted command must leave: one interrupt, nothing in force, no process. */
async function assertCleanInterrupt(r: Interrupted, what: string): Promise<void> {
  const tail = r.stderr.slice(-4000);
  assert.equal(r.code, 130, `${what}: exit ${r.code}\n${tail}`);
  assert.equal(r.stderr.match(/received, cleaning up/g)?.length, 1, `${what}: one key press is one interrupt\n${tail}`);
  assert.doesNotMatch(r.stderr, /without cleanup|healing fault #\d+:|healing failed/, `${what}: cleanup ran, once per fault\n${tail}`);
  assert.deepEqual(await faultsInForce(clusterOf()), [], `${what}: every fault healed`);
  // The job's processes exit with it; give the last of them a moment to be reaped.
  const deadline = Date.now() + 5000;
  while (processesInGroup(r.pgid).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(processesInGroup(r.pgid), [], `${what}: no process of the job is left`);
}

/** A run folder whose files are all there and that `check` can judge (valid, invalid or unknown). */
async function assertRunReadable(dir: string, what: string): Promise<void> {
  for (const f of ['history.jsonl', 'audit.jsonl', 'results.json', 'summary.md']) assert.ok(existsSync(join(dir, f)), `${what}: ${f} written`);
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { aborted: string | null; faults: { kind: string; healedMs?: number }[] };
  assert.equal(results.aborted, 'interrupted', what);
  assert.ok(results.faults.every((f) => f.healedMs !== undefined), `${what}: every applied fault has its heal recorded: ${JSON.stringify(results.faults)}`);
  const check = await runCli(['check', dir], { env });
  assert.ok(check.code === 0 || check.code === 1 || check.code === 2, `${what}: check ${dir} exited ${check.code}\n${check.stderr}`);
}

/**
 * Every kind but the three only a Sentinel topology takes (failover, split-brain, replica-lag:
 * about a minute each, most of it the topology settling back, more than CI's 45-minute budget
 * leaves); LOCKBENCH_INTERRUPT_ALL=1 runs those too.
 */
function kindsToInterrupt(): string[] {
  const all = [...stepKinds, 'mix'];
  if (process.env['LOCKBENCH_INTERRUPT_ALL'] === '1') return all;
  return all.filter((k) => k === 'mix' || lockFor(k) !== 'sentinel');
}

describe(`Ctrl-C to the process group of a chaos run, while the fault is in force (seed ${SEED})`, () => {
  for (const kind of kindsToInterrupt()) {
    const lock = lockFor(kind === 'mix' ? 'partition' : kind);
    const delayMs = Math.round(random() * 800);
    test(`${kind} (${lock}), ${delayMs} ms after it took effect`, { timeout: 330_000 }, async () => {
      const r = await interruptAt(['chaos', '--lock', lock, '--fault', kind, '--duration', '30', '--warmup', '1', '--seed', String(SEED)], /#\d+ applied:/, delayMs);
      await assertCleanInterrupt(r, `chaos --fault ${kind}`);
      const dir = /results in (\S+)/.exec(r.stderr)?.[1];
      assert.ok(dir, r.stderr.slice(-2000));
      await assertRunReadable(dir, `chaos --fault ${kind}`);
    });
  }
});

test(`Ctrl-C to the process group of a matrix, in its second scenario (seed ${SEED})`, { timeout: 330_000 }, async () => {
  const delayMs = Math.round(random() * 800);
  const r = await interruptAt(['chaos', '--matrix', '--locks', 'redis', '--faults', 'none,partition', '--duration', '8', '--warmup', '1', '--seed', String(SEED)], /partition #\d+ applied:/, delayMs);
  await assertCleanInterrupt(r, 'chaos --matrix');
  // The scenario that ran to the end and the interrupted one are both on disk.
  const dirs = [...r.stderr.matchAll(/results in (\S+)/g)].map((m) => m[1] ?? '');
  const interrupted = dirs.find((d) => d.endsWith('/redis-partition'));
  assert.ok(interrupted !== undefined && dirs.some((d) => d.endsWith('/redis-none')), r.stderr.slice(-2000));
  await assertRunReadable(interrupted, 'the interrupted matrix scenario');
});
