// A sweep's sensitivity curve: the violation rate at each value of the swept parameter with its
// 95% Wilson interval as an error bar, and a dashed line where the parameter crosses the lease
// (pause = lease, restart delay = TTL, clock jump = TTL): the point at which the literature says
// an auto-expiring lock starts to fail.
import type { TopLevelSpec } from 'vega-lite';
import { SWEEP_PARAMS, type SweepFile } from '../../chaos/sweep.ts';
import { intervalText, trialsText } from '../../chaos/trials.ts';
import { storedLockModel } from '../../chaos/options.ts';
import { faultPhrase, lockColour, type ChartSpec } from './common.ts';

/** Where the swept parameter equals the lease, in its own unit; undefined when no such line applies. */
function leaseLine(f: SweepFile): { value: number; label: string } | undefined {
  const ttl = f.points[0]?.options.ttlMs;
  if (f.param === 'pause-multiple') return { value: 1, label: 'pause = lease' };
  const first = f.points[0]?.options;
  if (ttl === undefined || first === undefined || storedLockModel(first).lease === 'session') return undefined;
  if (f.param === 'restart-delay') return { value: ttl, label: `restart delay = TTL (${ttl} ms)` };
  if (f.param === 'skew') return { value: ttl, label: `jump = TTL (${ttl} ms)` };
  return undefined;
}

export function sweepRateChart(f: SweepFile): ChartSpec | undefined {
  const points = f.points.filter((p) => p.stats.completed > 0);
  if (points.length === 0) return undefined;
  const rows = points.map((p) => {
    const s = p.stats;
    return {
      lock: f.lock,
      value: p.value,
      rate: s.violationRate.rate ?? 0,
      low: s.violationRate.low,
      high: s.violationRate.high,
      label: `${s.invalid}/${s.completed}`,
      interval: intervalText(s.violationRate),
      unknown: s.unknown,
      trials: s.completed,
    };
  });
  const line = leaseLine(f);
  const x = { field: 'value', type: 'quantitative', title: SWEEP_PARAMS[f.param].axis, scale: { zero: false, nice: false, padding: 24 } };
  const y = { field: 'rate', type: 'quantitative', title: 'trials with a violation (invalid)', scale: { domain: [0, 1] }, axis: { format: '.0%' } };
  const colour = lockColour([f.lock], { legend: null });
  const layers: unknown[] = [
    { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: colour } },
    { mark: { type: 'tick', thickness: 2, size: 12 }, encoding: { x, y: { field: 'low', type: 'quantitative' }, color: colour } },
    { mark: { type: 'tick', thickness: 2, size: 12 }, encoding: { x, y: { field: 'high', type: 'quantitative' }, color: colour } },
    { mark: { type: 'line', strokeWidth: 1.5, strokeDash: [2, 2] }, encoding: { x, y, color: colour } },
    {
      mark: { type: 'point', filled: true, size: 80, opacity: 1 },
      encoding: {
        x,
        y,
        color: colour,
        tooltip: [
          { field: 'value', title: f.param },
          { field: 'label', title: 'invalid / trials' },
          { field: 'interval', title: '95% interval' },
          { field: 'unknown', title: 'unknown trials' },
        ],
      },
    },
    { mark: { type: 'text', dx: 8, dy: -10, align: 'left', fontSize: 11 }, encoding: { x, y, text: { field: 'label' } } },
  ];
  if (line) {
    layers.unshift(
      { data: { values: [line] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#888' }, encoding: { x: { field: 'value', type: 'quantitative' } } },
      { data: { values: [line] }, mark: { type: 'text', align: 'left', dx: 4, baseline: 'top', color: '#555', fontSize: 11 }, encoding: { x: { field: 'value', type: 'quantitative' }, y: { datum: 1 }, text: { field: 'label' } } },
    );
  }
  const unknown = points.reduce((n, p) => n + p.stats.unknown, 0);
  const spec = {
    data: { values: rows },
    width: 560,
    height: 300,
    title: {
      text: `${f.lock} ${faultPhrase(f.fault)}: violation rate against ${f.param}`,
      subtitle: [
        `${trialsText(f.trialsPerValue)} per value, the same seeds at every value; bars are 95% Wilson intervals, labels invalid/trials.`,
        unknown > 0 ? `${trialsText(unknown)} unknown (an overlap possible but not proven); they count as not invalid here.` : 'No trial was unknown.',
      ],
    },
    layer: layers,
  };
  return { name: 'sweep-rate', heading: `Violation rate against ${f.param}`, spec: spec as unknown as TopLevelSpec };
}
