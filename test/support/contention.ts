// Runs the mutex workload with N lock clients against the real cluster and a real resource
// process, then the checkers over what was recorded. Shared by the lock tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheckers, type RunCheckResult } from '../../checkers/check-run.ts';
import { ResourceClient } from '../../resource/client.ts';
import { spawnResource } from '../../resource/process.ts';
import { runMutexClient } from '../../chaos/workloads/mutex.ts';
import type { ClusterPlan } from '../../clusters/topology.ts';
import { monoMs } from '../../core/clock.ts';
import { HistoryRecorder } from '../../core/history-recorder.ts';
import type { AuditEntry, Op } from '../../core/history.ts';
import { readAllJsonl } from '../../core/jsonl.ts';
import { seededRandom } from '../../core/rng.ts';
import { lockClientContext } from '../../locks/context.ts';
import type { LockClientFactory } from '../../locks/lock-client.ts';

export interface ContentionOptions {
  readonly clients: number;
  readonly keys: number;
  readonly maxAcquiresPerClient: number;
  readonly durationMs: number;
  readonly holdMs: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly fencing?: boolean;
}

export interface ContentionResult {
  readonly check: RunCheckResult;
  readonly acquired: number;
  readonly acquisitionsPerSec: number;
  readonly dir: string;
}

export async function contend(plan: ClusterPlan, factory: LockClientFactory, o: ContentionOptions): Promise<ContentionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-contention-'));
  await using resource = await spawnResource({ auditPath: join(dir, 'audit.jsonl'), fencing: o.fencing ?? false });
  const history = new HistoryRecorder(join(dir, 'history.jsonl'));
  const locks = await Promise.all(Array.from({ length: o.clients }, (_, i) => factory(lockClientContext(plan, i))));
  const resources = await Promise.all(Array.from({ length: o.clients }, () => ResourceClient.connect(resource.port)));
  const keys = Array.from({ length: o.keys }, (_, i) => `contention-${i}-${Math.random().toString(36).slice(2, 8)}`);
  const started = monoMs();
  let acquired = 0;
  try {
    const counts = await Promise.all(
      locks.map((lock, i) =>
        runMutexClient(i, lock, resources[i] as ResourceClient, history, {
          keys,
          ttlMs: o.ttlMs,
          waitMs: o.waitMs,
          holdMs: o.holdMs,
          fencing: o.fencing ?? false,
          maxAcquires: o.maxAcquiresPerClient,
          deadlineMs: started + o.durationMs,
          random: seededRandom(1000 + i),
        }),
      ),
    );
    acquired = counts.reduce((a, c) => a + c.acquired, 0);
  } finally {
    await Promise.all(locks.map((l) => l.close()));
    await Promise.all(resources.map((r) => r.close()));
    history.close();
  }
  const elapsedS = (monoMs() - started) / 1000;
  const ops = await readAllJsonl<Op>(join(dir, 'history.jsonl'));
  const audit = await readAllJsonl<AuditEntry>(join(dir, 'audit.jsonl'));
  return { check: runCheckers(ops, audit), acquired, acquisitionsPerSec: Math.round(acquired / elapsedS), dir };
}
