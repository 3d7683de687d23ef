// Chaos runs of the Sentinel locks against what the literature expects (shared/research/jepsen.md,
// the Sentinel column; issue 14's list): a grant the primary could not replicate is lost in the
// failover, so `sentinel` shows overlapping holders, with the pair in the summary. (sentinel-wait
// under the same failover, and both locks under split brain and replica lag, are measured by the
// matrix: each run costs a minute or two, more than CI's budget allows for every cell.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceOverlaps, shortChaos } from '../support/chaos-run.ts';
import { useTestCluster } from '../support/cluster.ts';

useTestCluster();

const chaos = (flags: Parameters<typeof shortChaos>[0]): ReturnType<typeof shortChaos> => shortChaos(flags, 21);

describe('the Sentinel locks under failover', () => {
  test('sentinel: the promoted replica grants the key again while the unreplicated holder still holds; the summary shows the pair', async () => {
    const r = await chaos({ lock: 'sentinel', fault: 'failover', durationMs: 10_000 });
    const applied = r.faults.find((f) => f.kind === 'failover');
    assert.ok(applied, 'a failover was applied');
    const t = applied.targets as { primary?: string; promoted?: string; grantAfterCut?: boolean };
    assert.equal(t.primary, 'rs-1');
    assert.ok(t.promoted === 'rs-2' || t.promoted === 'rs-3', JSON.stringify(t));
    assert.equal(t.grantAfterCut, true, 'a grant was made after replication stopped');
    assert.equal(r.verdict, 'invalid', r.check.checkers.overlap.summary);
    assert.ok(resourceOverlaps(r) > 0, r.check.checkers.overlap.summary);
    const summary = readFileSync(join(r.dir, 'summary.md'), 'utf8');
    assert.match(summary, /\| resource \| key-0 \| \d+ & \d+ \| [\d.]+ s \| [\d.]+ ms \| definite \| failover \|/);
  });
});
