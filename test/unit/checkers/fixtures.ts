// Small complete runs (history + audit) shared by the check-run and command tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry, Op } from '../../../core/history.ts';
import { history, hold, incr, info, invoke, nemesis, section } from './helpers.ts';

export interface RunFixture {
  readonly history: Op[];
  readonly audit?: AuditEntry[];
}

/** Two clients take turns on one key: acquire, increment inside the section, release. */
export function cleanRun(): RunFixture {
  const ops: Op[][] = [];
  const audit: AuditEntry[] = [];
  for (let i = 0; i < 4; i++) {
    const p = 1 + (i % 2);
    const t = i * 100;
    ops.push(hold(p, 'k', { okMs: t + 10, releaseMs: t + 60, validUntilMs: t + 90, token: String(i + 1) }), incr(p, 'k', t + 20, t + 50, 'ok', i));
    audit.push(...section(p, 'k', t + 25, t + 45, i, String(i + 1)));
  }
  ops.push([nemesis('start-partition', 150, ['redis-1']), nemesis('stop-partition', 250)]);
  return { history: history(...ops), audit };
}

/** Like cleanRun, plus a third client that believed it held the key while client 1 did. */
export function overlappingRun(): RunFixture {
  const clean = cleanRun();
  return { history: history(clean.history, hold(3, 'k', { okMs: 30, releaseMs: 40 })), ...(clean.audit ? { audit: clean.audit } : {}) };
}

/** Like cleanRun, plus an acquire that timed out (info) while client 1 held the key. */
export function ambiguousRun(): RunFixture {
  const clean = cleanRun();
  const maybe = [invoke(3, 'acquire', 15, { key: 'k', value: { ttlMs: 30 } }), info(3, 'acquire', 20, { key: 'k', error: 'timeout' })];
  return { history: history(clean.history, maybe), ...(clean.audit ? { audit: clean.audit } : {}) };
}

const jsonl = (records: readonly unknown[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Writes a run directory into a fresh temporary folder and returns its path. */
export function writeRunDir(run: RunFixture): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockbench-check-'));
  writeFileSync(join(dir, 'history.jsonl'), jsonl(run.history));
  if (run.audit) writeFileSync(join(dir, 'audit.jsonl'), jsonl(run.audit));
  return dir;
}
