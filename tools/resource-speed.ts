// How many critical sections per second can the resource record? Runs enter → read → write → exit
// cycles against the resource process (a real child process, audit on disk) with 1 and 16 clients,
// each client on its own key and its own connection, for a fixed time per case, and prints the rate.
// If the resource is much slower than a lock, the chaos workload measures the resource, not the lock.
//   node --import tsx tools/resource-speed.ts [--seconds 3] [--fencing]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monoMs } from '../core/clock.ts';
import { ResourceClient } from '../resource/client.ts';
import { spawnResource } from '../resource/process.ts';
import { runTool } from './args.ts';


interface CaseResult {
  readonly clients: number;
  readonly cycles: number;
  readonly elapsedMs: number;
  readonly auditBytes: number;
}

async function runCase(dir: string, clients: number, durationMs: number, fencing: boolean): Promise<CaseResult> {
  const auditPath = join(dir, `audit-${clients}.jsonl`);
  await using resource = await spawnResource({ auditPath, fencing });
  const conns = await Promise.all(Array.from({ length: clients }, () => ResourceClient.connect(resource.port)));
  try {
    // Warm-up: JIT and socket buffers, not counted.
    await Promise.all(conns.map(async (c, client) => {
      for (let i = 0; i < 200; i++) await cycle(c, client, i);
    }));
    let cycles = 0;
    const start = monoMs();
    const end = start + durationMs;
    await Promise.all(
      conns.map(async (c, client) => {
        // Tokens continue above the warm-up's so fencing accepts every write.
        for (let i = 1000; monoMs() < end; i++) {
          await cycle(c, client, i);
          cycles += 1;
        }
      }),
    );
    const elapsedMs = monoMs() - start;
    return { clients, cycles, elapsedMs, auditBytes: statSync(auditPath).size };
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

async function cycle(c: ResourceClient, client: number, i: number): Promise<void> {
  const key = `bench-${client}`;
  const token = String(i);
  await c.enter(key, client, { token });
  const v = await c.read(key, client, { token });
  const outcome = await c.write(key, client, v + 1, { token });
  if (!outcome.accepted) throw new Error(`write rejected (${outcome.reason}) in the benchmark: tokens are wrong`);
  await c.exit(key, client, { token });
}

runTool('resource-speed', import.meta.url, { seconds: { type: 'string' }, fencing: { type: 'boolean' } }, async (a) => {
  const seconds = a.number('seconds', 3, { max: 600 });
  const fencing = a.flag('fencing');
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-resource-speed-'));
  try {
    console.log(`resource speed: enter+read+write+exit cycles, ${seconds} s per case, fencing ${fencing ? 'on' : 'off'}, audit in ${dir}`);
    for (const clients of [1, 16]) {
      const r = await runCase(dir, clients, seconds * 1000, fencing);
      const cyclesPerS = (r.cycles / r.elapsedMs) * 1000;
      const meanCycleMs = (r.elapsedMs * clients) / Math.max(1, r.cycles);
      console.log(
        `${String(clients).padStart(2)} clients: ${cyclesPerS.toFixed(0).padStart(6)} cycles/s = ${(cyclesPerS * 4).toFixed(0).padStart(6)} ops/s` +
          `  (mean cycle ${meanCycleMs.toFixed(3)} ms, ${r.cycles} cycles, audit ${(r.auditBytes / 1e6).toFixed(1)} MB)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
