// `lockbench bench` on the real cluster, run as a user runs it (the CLI in a child process): the
// whole --quick suite completes with every planned case in bench.json and no violation; a WAN case
// really adds latency and leaves no toxic behind; Ctrl-C stops the workers, removes the toxics and
// still writes what was measured; bad flags exit 254 before touching Docker. No timing is asserted:
// a slow lock is a finding, not a failure.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateGoals } from '../../bench/goals.ts';
import { planCases, suiteOptions } from '../../bench/plan.ts';
import type { BenchResult } from '../../bench/results.ts';
import type { ClusterControl } from '../../clusters/node-faults.ts';
import { collect, interruptGroup, runCli, shellStatus, spawnNpmJob } from '../support/cli.ts';
import { testCluster } from '../support/cluster.ts';
import { toxicsLeft } from '../support/leftovers.ts';
import { alive } from '../support/process-alive.ts';

let cluster: ClusterControl;
let resultsDir: string;

before(async () => {
  cluster = await testCluster();
  resultsDir = mkdtempSync(join(tmpdir(), 'lockbench-bench-test-'));
}, { timeout: 15 * 60_000 });

after(async () => {
  rmSync(resultsDir, { recursive: true, force: true });
  await cluster.healAll();
});

const env = (): NodeJS.ProcessEnv => ({ LOCKBENCH_RESULTS: resultsDir });

function readResult(stdout: string): BenchResult {
  return JSON.parse(stdout) as BenchResult;
}

test('bad flags exit 254 with a message saying how to fix them', async () => {
  // Every flag's rule is in test/unit/bench/plan.test.ts; here, that the CLI turns them into 254.
  for (const args of [['--clients', '0'], ['--locks', 'consul'], ['--via', 'wormhole']]) {
    const r = await runCli(['bench', ...args], { env: env(), timeoutMs: 30_000 });
    assert.equal(r.code, 254, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--(clients|locks|keys|latency|duration|via)/);
  }
});

// One lock of each system (single Redis, ZooKeeper and etcd consensus, Sentinel's replication
// with WAIT) runs every case kind, at half a second per case; the other locks' cases are the same
// code with another client, exercised by locks.test.ts and third-party-locks.test.ts. The whole
// suite over all eleven locks took 7 minutes of CI's 45.
const SUITE_LOCKS = 'redis,zookeeper,etcd,sentinel-wait';

test('--quick runs the whole suite: every planned case is in bench.json, measured, and none broke mutual exclusion', async (t) => {
  const r = await runCli(['bench', '--quick', '--locks', SUITE_LOCKS, '--duration', '0.5', '--json'], { env: env(), timeoutMs: 8 * 60_000 });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const result = readResult(r.stdout);
  // Its manifest, as a chaos run has: what ran, on which commit, with which images and versions.
  const manifest = JSON.parse(readFileSync(join(resultsDir, result.runId, 'manifest.json'), 'utf8')) as {
    kind: string;
    runId: string;
    git: { commit: string | null };
    images: Record<string, string>;
    versions: { lockbench: string; node: string; lockPackages: Record<string, { version: string }> };
  };
  assert.equal(manifest.kind, 'bench');
  assert.equal(manifest.runId, result.runId);
  assert.match(manifest.git.commit ?? '', /^[0-9a-f]{40}$/);
  assert.equal(manifest.versions.lockbench, (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  assert.match(manifest.images['redis-1'] ?? '', /lockbench\/redis/);
  assert.ok(Object.keys(manifest.versions.lockPackages).length > 0);
  const planned = planCases(suiteOptions({ quick: true, locks: SUITE_LOCKS, duration: 0.5 })).map((c) => c.id);
  assert.deepEqual(
    result.cases.map((c) => c.id),
    planned,
  );
  for (const c of result.cases) {
    assert.equal(c.status, 'ok', `${c.id}: ${c.error ?? ''}`);
    assert.ok(c.overlap, `${c.id} has an overlap verdict`);
    assert.equal(c.overlap.definitePairs, 0, `${c.id}: ${c.overlap.summary}`);
    assert.ok(c.workers.length > 0, `${c.id} reports worker CPU`);
  }
  // A lock that livelocks may complete nothing in a case (a finding); every lock must still do
  // something in its uncontended and independent-keys cases.
  for (const c of result.cases.filter((x) => x.kind === 'micro' || (x.kind === 'sweep' && x.keys === 'many' && x.latencyMs === 0))) {
    assert.ok(c.cycles > 0, `${c.id} completed no cycle`);
    assert.ok(c.latency.cycle && c.latency.cycle.p50 <= c.latency.cycle.p99 && c.latency.cycle.p99 <= c.latency.cycle.max, c.id);
  }
  for (const c of result.cases.filter((x) => x.kind === 'http')) {
    const http = c.http;
    assert.ok(http, `${c.id} has HTTP figures`);
    assert.equal(http.oversell, 0, `${c.id} oversold`);
    assert.ok(http.purchases > 0, `${c.id} sold nothing`);
  }
  const redis = result.floor?.['redis'];
  const zookeeper = result.floor?.['zookeeper'];
  assert.ok(redis && zookeeper, 'the floor was measured on both systems');
  assert.equal(redis.rtt.length, 2);
  assert.equal(zookeeper.rtt.length, 2);
  assert.deepEqual(
    redis.pairs.map((p) => p.clients),
    [1, 16],
  );
  // Both paths' floors: the run's (direct by default) at the top, the proxy's beside it; the run's
  // path measured twice and the higher rate kept.
  assert.equal(result.path, 'direct');
  assert.equal(redis.path, 'direct');
  assert.deepEqual(redis.otherPaths?.map((o) => [o.path, o.pairs.map((p) => p.clients)]), [['proxy', [1, 16]]]);
  for (const p of redis.pairs) assert.equal(p.samplesPerSec?.length, 2, JSON.stringify(p));
  // Speed cases on the direct path, WAN cases through the proxy; every measured case names its bottleneck.
  for (const c of result.cases) {
    assert.equal(c.path, c.latencyMs > 0 ? 'proxy' : 'direct', c.id);
    assert.ok(c.server && c.server.containers.length > 0, `${c.id} has server usage`);
    assert.ok(c.bottleneck, `${c.id} names a bottleneck`);
  }
  assert.ok(result.machine && result.machine.cores > 0);
  assert.ok(Array.isArray(result.floorErrors));
  // redis-benchmark's anchor beside the harness's direct raw pairs.
  const anchor = result.anchors?.find((a) => a.system === 'redis');
  assert.ok(anchor && anchor.toolOpsPerSec > 0 && anchor.harnessOpsPerSec > 0, JSON.stringify(result.anchors));
  assert.equal(result.wan.length, 1);
  assert.ok(result.wan.every((g) => g.verified), JSON.stringify(result.wan));
  // One entry per goal bench/goals.ts knows, whether or not this run could judge it.
  assert.equal(result.goals.length, evaluateGoals(null, []).length);
  assert.deepEqual(result.violations, []);
  assert.equal(result.interrupted, false);
  assert.deepEqual(await toxicsLeft(cluster), []);
  t.diagnostic(`wall time ${(result.wallTimeMs / 1000).toFixed(0)} s; goals: ${result.goals.map((g) => `${g.goal}: ${g.met === null ? 'n/a' : g.met ? 'met' : 'MISSED'} (${g.measured})`).join(' | ')}`);
});

test('a WAN case adds the latency it claims (the round trip grows) and removes its toxics', async () => {
  const r = await runCli(['bench', '--quick', '--locks', 'redis', '--clients', '2', '--keys', 'many', '--latency', '2', '--duration', '0.5', '--json'], { env: env(), timeoutMs: 3 * 60_000 });
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const result = readResult(r.stdout);
  const direct = result.floor?.['redis']?.rtt.find((p) => p.path === 'proxied')?.rttMs.p50 ?? 0;
  const group = result.wan[0];
  assert.ok(group);
  assert.equal(group.verified, true);
  const wan = { redisRttP50Ms: Number(group['redisRttP50Ms']) };
  // 2 ms each way on both streams: the round trip grows by about 4 ms.
  assert.ok(wan.redisRttP50Ms - direct >= 3, `RTT ${direct} → ${wan.redisRttP50Ms} ms`);
  const wanCase = result.cases.find((c) => c.id === 'sweep/redis/c2/kmany/l2');
  assert.ok(wanCase && wanCase.status === 'ok' && wanCase.jitterMs === 0);
  assert.ok((wanCase.latency.cycle?.p50 ?? 0) >= 2 * wan.redisRttP50Ms * 0.75, `a cycle is two round trips: ${JSON.stringify(wanCase.latency.cycle)}`);
  assert.deepEqual(await toxicsLeft(cluster), []);
});

test('Ctrl-C during a WAN case: workers stop, toxics are removed, what was measured is written, exit 130', async () => {
  // As a terminal sends it: SIGINT to the whole process group of `npm run bench` (npm relays it once more).
  const child = spawnNpmJob(['bench', '--quick', '--locks', 'redis', '--clients', '1', '--keys', 'many', '--latency', '1', '--duration', '3', '--json'], env());
  let stderr = '';
  const sawWan = new Promise<void>((resolve) =>
    child.stderr?.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (stderr.includes('WAN: adding')) resolve();
    }),
  );
  const done = collect(child, 4 * 60_000);
  await Promise.race([sawWan, done]);
  // Let the toxics go on and the WAN case start.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  interruptGroup(child);
  const r = await done;
  assert.equal(shellStatus(r), 130, stderr.slice(-3000));
  assert.equal(stderr.match(/received, cleaning up/g)?.length, 1, 'one key press is one interrupt');
  const result = readResult(r.stdout);
  assert.equal(result.interrupted, true);
  assert.ok(result.floor, 'the floor measured before Ctrl-C is kept');
  assert.ok(result.cases.some((c) => c.id === 'micro/redis' && c.status === 'ok'));
  // The WAN case, if it had started, is kept and marked as cut short.
  assert.ok(result.cases.every((c) => c.latencyMs === 0 || c.status === 'interrupted'), JSON.stringify(result.cases.map((c) => [c.id, c.status])));
  const file = join(resultsDir, result.runId, 'bench.json');
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as BenchResult).runId, result.runId);
  assert.deepEqual(await toxicsLeft(cluster), []);
  const pids = [...new Set(result.cases.flatMap((c) => c.workers.map((w) => w.pid)))].filter((pid) => pid !== child.pid);
  assert.ok(pids.length > 0);
  for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} outlived the benchmark`);
});
