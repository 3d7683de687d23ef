// Percentiles come from histograms merged across workers (decoded from what they send over IPC),
// never from averaging each worker's percentiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeEncodedHistograms } from '../../../bench/drive.ts';
import { encodeHistogram, latencyHistogram, recordMs, summarize } from '../../../core/stats.ts';

test('merged percentiles are those of the union of the workers’ samples', () => {
  const fast = latencyHistogram();
  const slow = latencyHistogram();
  for (let i = 0; i < 900; i++) recordMs(fast, 1);
  for (let i = 0; i < 100; i++) recordMs(slow, 50);
  const merged = summarize(mergeEncodedHistograms([encodeHistogram(fast), encodeHistogram(slow)]));
  assert.equal(merged.count, 1000);
  // 90% of all samples are 1 ms: the union's p50 and p90 are 1 ms and its p99 is 50 ms. Averaging
  // the two workers' p50s would have said 25.5 ms.
  assert.equal(merged.p50, 1);
  assert.equal(merged.p90, 1);
  assert.ok(Math.abs(merged.p99 - 50) < 0.1, `p99 ${merged.p99}`);
  assert.ok(Math.abs(merged.max - 50) < 0.1);
});

test('microsecond resolution survives encoding (latencies are recorded in µs)', () => {
  const h = latencyHistogram();
  for (const ms of [0.101, 0.102, 0.25, 1.5]) recordMs(h, ms);
  const s = summarize(mergeEncodedHistograms([encodeHistogram(h)]));
  assert.equal(s.count, 4);
  assert.equal(s.p50, 0.102);
  assert.equal(s.max, 1.5);
});

test('merging nothing gives an empty histogram', () => {
  assert.equal(mergeEncodedHistograms([]).totalCount, 0);
});
