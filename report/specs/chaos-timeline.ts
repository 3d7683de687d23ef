// Jepsen-style ownership timeline for one lock key: time × client, each bar a hold as the client
// believed it (acquire ok → release), red where two holders overlapped, pale red bands over the
// overlapping spans, and fault windows both as their own lanes and as shaded bands behind.
import type { TopLevelSpec } from 'vega-lite';
import { HOLD_STATES, type ChaosModel, type FaultBand, type KeyTimeline } from '../chaos-data.ts';
import { faultColour, faultPhrase, slug, type ChartSpec } from './common.ts';

const HOLD_COLOURS: Readonly<Record<string, string>> = {
  'exclusive hold': '#4c78a8',
  'overlapping hold (violation)': '#d62728',
  // Jepsen's colour for ops of unknown outcome.
  'possible hold (outcome unknown)': '#ffaa26',
};
export const OVERLAP_BAND_COLOUR = '#d62728';
const WITNESS_COLOUR = '#7f0000';

const laneOf = (f: FaultBand): string => `fault: ${f.label}`;

export function timelineChart(m: ChaosModel, t: KeyTimeline): ChartSpec {
  const span = Math.max(t.toS - t.fromS, 0.001);
  // Faults clipped to the drawn window; a fault entirely outside it is left out.
  const faults = m.faults
    .filter((f) => f.endS >= t.fromS && f.startS <= t.toS)
    .map((f) => ({ ...f, lane: laneOf(f), kind: f.label, x0: Math.max(f.startS, t.fromS), x1: Math.min(Math.max(f.endS, f.startS + span / 400), t.toS) }));
  const overlaps = t.overlaps.filter((o) => o.endS >= t.fromS && o.startS <= t.toS);
  // A client's lane names the side of a split it was on, where a fault recorded one.
  const laneName = (p: number): string => (m.clientSides[String(p)] === undefined ? `client ${p}` : `client ${p} · ${m.clientSides[String(p)]}`);
  const holds = t.holds.map((h) => ({ ...h, lane: laneName(h.process), kind: h.state }));
  const clients = [...new Set(holds.map((h) => h.process))].sort((a, b) => a - b).map(laneName);
  const moments = faults.flatMap((f) => f.moments.filter((x) => x.atS >= t.fromS && x.atS <= t.toS).map((x) => ({ x0: x.atS, label: x.label, fault: f.label })));
  const faultLanes = [...new Set(faults.map((f) => f.lane))];
  const states = HOLD_STATES.filter((s) => s !== 'possible hold (outcome unknown)' || holds.some((h) => h.state === s));
  const faultKinds = [...new Set(faults.map((f) => f.kind))];
  const colour = {
    field: 'kind',
    type: 'nominal',
    title: null,
    scale: { domain: [...states, ...faultKinds], range: [...states.map((s) => HOLD_COLOURS[s] ?? '#888'), ...faultKinds.map((k) => faultColour(k.replace(/ \(construction\)$/, '')))] },
    legend: { orient: 'bottom', direction: 'horizontal', columns: 3, symbolType: 'square', symbolOpacity: 1, labelLimit: 260 },
  };
  const x = { field: 'x0', type: 'quantitative', title: 'time since run start (s)', scale: { domain: [t.fromS, t.toS], nice: false, zero: false } };
  const y = { field: 'lane', type: 'nominal', title: null, sort: [...faultLanes, ...clients], scale: { domain: [...faultLanes, ...clients], paddingInner: 0.25, paddingOuter: 0.2 }, axis: { labelLimit: 220 } };
  const violations = holds.filter((h) => h.state === 'overlapping hold (violation)').length;
  const subtitle = [
    'Bars: holds as clients believed them (acquire ok → release). Red: overlapping holders (mutual-exclusion violation);',
    'pale red band: where two holders overlapped (any checker view); shaded: fault windows.',
    ...(moments.length === 0 ? [] : [`Vertical lines: moments inside a fault (${[...new Set(moments.map((x) => x.label))].join(', ')}).`]),
    ...(t.witness === undefined ? [] : [`Dashed box: the smallest window that proves the violation (${t.witness.view} view), ${t.witness.startS.toFixed(3)}–${t.witness.endS.toFixed(3)} s.`]),
    t.capNote !== undefined
      ? `Showing ${t.capNote}: ${t.fromS.toFixed(2)}–${t.toS.toFixed(2)} s of ${m.durationS.toFixed(1)} s; ${violations} overlapping holds in view.`
      : `${t.totalHolds} holds, ${violations} of them overlapping.`,
  ];
  const layer: Record<string, unknown>[] = [
    {
      data: { values: faults },
      mark: { type: 'rect', opacity: 0.15, clip: true },
      encoding: { x, x2: { field: 'x1' }, color: colour },
    },
    {
      data: { values: overlaps.map((o) => ({ x0: Math.max(o.startS, t.fromS), x1: Math.min(Math.max(o.endS, o.startS + span / 500), t.toS) })) },
      mark: { type: 'rect', color: OVERLAP_BAND_COLOUR, opacity: 0.18, clip: true },
      encoding: { x, x2: { field: 'x1' } },
    },
    {
      data: { values: faults },
      mark: { type: 'bar', clip: true, opacity: 0.85 },
      encoding: {
        x,
        x2: { field: 'x1' },
        y,
        color: colour,
        tooltip: [{ field: 'label', title: 'fault' }, { field: 'startS', title: 'start (s)', format: '.3f' }, { field: 'endS', title: 'end (s)', format: '.3f' }, { field: 'healed' }],
      },
    },
    {
      data: { values: holds.map((h) => ({ ...h, x0: h.startS, x1: h.endS })) },
      params: [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }],
      mark: { type: 'bar', clip: true, stroke: 'white', strokeWidth: 0.3 },
      encoding: {
        x,
        x2: { field: 'x1' },
        y,
        color: colour,
        tooltip: [
          { field: 'client' },
          { field: 'state' },
          { field: 'startS', title: 'start (s)', format: '.3f' },
          { field: 'endS', title: 'end (s)', format: '.3f' },
          { field: 'token', title: 'fencing token' },
          { field: 'endReason', title: 'ended by' },
        ],
      },
    },
  ];
  if (moments.length > 0) {
    layer.push(
      {
        data: { values: moments },
        mark: { type: 'rule', color: '#333', strokeWidth: 1.5, strokeDash: [6, 3] },
        encoding: { x, tooltip: [{ field: 'label', title: 'moment' }, { field: 'fault' }, { field: 'x0', title: 'at (s)', format: '.3f' }] },
      },
      {
        data: { values: moments },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color: '#333', y: 0 },
        encoding: { x, text: { field: 'label' } },
      },
    );
  }
  if (t.witness !== undefined) {
    const w = t.witness;
    const box = { x0: Math.max(w.startS, t.fromS), x1: Math.min(Math.max(w.endS, w.startS + span / 300), t.toS), label: 'proof of violation', view: w.view, ops: w.events.join(' · ') };
    layer.push(
      {
        data: { values: [box] },
        mark: { type: 'rect', fill: null, stroke: WITNESS_COLOUR, strokeWidth: 1.5, strokeDash: [4, 2], clip: true },
        encoding: { x, x2: { field: 'x1' }, tooltip: [{ field: 'label', title: ' ' }, { field: 'view' }, { field: 'ops', title: 'ops' }] },
      },
      {
        data: { values: [box] },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 2, dy: -2, fontSize: 10, color: WITNESS_COLOUR, y: 0 },
        encoding: { x, text: { field: 'label' } },
      },
    );
  }
  const spec = {
    width: 720,
    height: { step: 22 },
    title: { text: `Lock ownership timeline — ${m.lock} ${faultPhrase(m.fault)}, key "${t.key}"`, subtitle },
    layer,
  };
  return { name: `chaos-timeline-${slug(t.key)}`, heading: `Ownership timeline, key ${t.key}`, spec: spec as unknown as TopLevelSpec };
}
