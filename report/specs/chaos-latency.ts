// Acquire latency over time with the fault windows behind it: when a fault strikes, does acquiring
// stall, fail fast, or end in unknown outcomes (timeouts)? One point per acquire, log scale.
import type { TopLevelSpec } from 'vega-lite';
import type { ChaosModel } from '../chaos-data.ts';
import { faultColour, faultPhrase, type ChartSpec } from './common.ts';

const OUTCOME_COLOURS = { ok: '#4c78a8', fail: '#e45756', info: '#ffaa26' } as const;
const OUTCOME_LABELS = { ok: 'ok', fail: 'fail (not granted)', info: 'info (outcome unknown)' } as const;

export function acquireLatencyChart(m: ChaosModel): ChartSpec | undefined {
  if (m.acquires.length === 0) return undefined;
  const outcomes = (['ok', 'fail', 'info'] as const).filter((o) => m.acquires.some((a) => a.outcome === o));
  const labels = [...new Set(m.faults.map((f) => f.label))];
  const endS = Math.max(m.durationS, ...m.acquires.map((a) => a.timeS));
  const x = { field: 'timeS', type: 'quantitative', title: 'time since run start (s)', scale: { domain: [0, endS], nice: false } };
  const thinned = m.acquires.length < m.acquireTotal;
  const layer: Record<string, unknown>[] = [];
  if (m.faults.length > 0) {
    layer.push({
      data: { values: m.faults.map((f) => ({ ...f, timeS: f.startS, end: Math.max(f.endS, f.startS + endS / 400) })) },
      mark: { type: 'rect', opacity: 0.2 },
      encoding: {
        x,
        x2: { field: 'end' },
        fill: { field: 'label', type: 'nominal', title: 'fault window', scale: { domain: labels, range: labels.map((l) => faultColour(l.replace(/ \(construction\)$/, ''))) }, legend: { orient: 'right', symbolType: 'square', symbolOpacity: 0.5 } },
        tooltip: [{ field: 'label', title: 'fault' }, { field: 'startS', title: 'start (s)', format: '.3f' }, { field: 'endS', title: 'end (s)', format: '.3f' }],
      },
    });
  }
  layer.push({
    data: { values: m.acquires.map((a) => ({ ...a, result: OUTCOME_LABELS[a.outcome] })) },
    params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
    mark: { type: 'point', filled: true, size: 14, opacity: 0.7, clip: true },
    encoding: {
      x,
      y: { field: 'latencyMs', type: 'quantitative', title: 'acquire latency (ms)', scale: { type: 'log' }, axis: { format: '~g', tickCount: 6 } },
      color: { field: 'result', type: 'nominal', title: 'acquire outcome', scale: { domain: outcomes.map((o) => OUTCOME_LABELS[o]), range: outcomes.map((o) => OUTCOME_COLOURS[o]) }, legend: { orient: 'right', symbolOpacity: 1 } },
      tooltip: [
        { field: 'timeS', title: 'invoked at (s)', format: '.3f' },
        { field: 'latencyMs', title: 'latency (ms)', format: '.2f' },
        { field: 'result' },
        { field: 'process', title: 'client' },
        { field: 'key' },
        { field: 'error' },
      ],
    },
  });
  const spec = {
    width: 720,
    height: 260,
    title: {
      text: `Acquire latency over time — ${m.lock} ${faultPhrase(m.fault)}`,
      subtitle: `one point per acquire (invoke → completion)${thinned ? `; ${m.acquires.length} of ${m.acquireTotal} drawn (every failure and unknown outcome, successes thinned evenly)` : `, ${m.acquireTotal} acquires`}; shaded: fault windows`,
    },
    layer,
  };
  return { name: 'chaos-acquire-latency', heading: 'Acquire latency over time', spec: spec as unknown as TopLevelSpec };
}
