// The evidence report's ending, end to end: hand-written chaos runs and a fixture bench in a temp
// results folder; "which one should you use?" closes evidence.md and evidence.html, its lines
// cite the table's own cells with their links, and a line goes away when a newer trial of the
// same scenario makes its evidence unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEvidence } from '../../../report/index.ts';
import { writeFakeRun } from '../../support/chaos-results.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/report/', import.meta.url));

test('"which one should you use?" ends the evidence report, each line citing its cells, and loses a line its evidence no longer supports', async () => {
  const results = mkdtempSync(join(tmpdir(), 'lockbench-evidence-choose-'));
  try {
    cpSync(join(FIXTURES, 'bench-measured-fixture'), join(results, 'bench-20261201-120000Z-m3as'), { recursive: true });
    writeFakeRun(results, 'chaos-zookeeper-crash-20261201-100000Z-aa01', { lock: 'zookeeper', fault: 'crash' }, { verdict: 'valid' }, '2026-12-01T10:00:00.000Z');
    writeFakeRun(results, 'chaos-zookeeper-partition-20261201-100100Z-aa02', { lock: 'zookeeper', fault: 'partition' }, { verdict: 'valid' }, '2026-12-01T10:01:00.000Z');
    writeFakeRun(results, 'chaos-redis-crash-20261201-100200Z-aa03', { lock: 'redis', fault: 'crash' }, { verdict: 'invalid' }, '2026-12-01T10:02:00.000Z');
    writeFakeRun(results, 'chaos-redis-partition-20261201-100300Z-aa04', { lock: 'redis', fault: 'partition' }, { verdict: 'valid' }, '2026-12-01T10:03:00.000Z');

    const first = await renderEvidence(results);
    const md = readFileSync(first.md, 'utf8');
    const ending = md.slice(md.indexOf('## Which one should you use?'));
    assert.ok(md.indexOf('## Which one should you use?') > md.indexOf('| area | what |'), 'after the table');
    assert.match(ending, /^- \*\*Choose zookeeper if a second holder must not appear when nodes or the network fail\*\*: no overlap under partition and crash \(1 run each\), where redis under crash had two holders; a single run is an anecdote/m);
    // The cited cells are the table's, value and link alike.
    const zkCrash = '[VALID; 0 overlaps; 0 lost](chaos-zookeeper-crash-20261201-100000Z-aa01/results.json)';
    assert.ok(md.includes(`| ${zkCrash} |`) || md.includes(` ${zkCrash} |`), 'the cell is in the table');
    assert.match(ending, new RegExp(`^ {2}- under crash · zookeeper: ${zkCrash.replace(/[[\]().]/g, '\\$&')}$`, 'm'));
    assert.match(ending, /^ {2}- under crash · redis: \[INVALID; 2 overlaps; 0 lost\]\(chaos-redis-crash-20261201-100200Z-aa03\/results\.json\)$/m);
    assert.match(ending, /^- \*\*Choose redis if throughput matters most\*\*: redis 8,889 cycles\/s/m);
    assert.match(ending, /Left out for want of evidence: /);
    const html = readFileSync(first.html, 'utf8');
    assert.ok(html.indexOf('id="summary"') < html.indexOf('<h2>The comparison</h2>'), 'the claims open the page');
    assert.match(html, /<section class="summary" id="summary"[^>]*>.*<li>Choose zookeeper if a second holder must not appear when nodes or the network fail\.<\/li>/s);
    assert.match(html, /<section id="choose"><h2>Which one should you use\?<\/h2>[\s\S]*<\/section>\s*<\/body>/, 'the page ends with it');

    // A newer trial of zookeeper's partition scenario is unknown: the clean record is gone, and so is the line.
    writeFakeRun(results, 'chaos-zookeeper-partition-20261201-110000Z-bb01', { lock: 'zookeeper', fault: 'partition', seed: 9 }, { verdict: 'unknown' }, '2026-12-01T11:00:00.000Z');
    const second = readFileSync((await renderEvidence(results)).md, 'utf8');
    assert.match(second, /\| behaviour under failure \| under partition \| [^\n]*invalid in 0 of 2 trials[^\n]*; 1 unknown/, 'the cell combines both trials');
    assert.doesNotMatch(second, /Choose zookeeper if a second holder/);
    assert.match(second, /faults: no lock came through node and network faults without an overlap where another lock did not/);
    assert.match(second, /Choose redis if throughput matters most/, 'the other lines stay');
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
