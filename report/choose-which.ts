// "Which one should you use?": the lines the evidence report ends with, each computed from the
// measured cells it cites (throughput, ordering, set-up cost, the verdicts under each fault,
// fencing) and left out, with the reason, when those cells do not support it: no run, fewer than
// two locks to compare, a lead inside the noise, an overlap or an unknown verdict, a result that
// disagrees with what the literature expects. A pure function of hand-checkable facts, so each
// rule is tested on facts written by hand.
import { mib, seconds } from './bench-sections.ts';
import type { Cited, FaultFact, LockFacts } from './choice-evidence.ts';
import { int, pct } from './tables.ts';

export type ChoiceTopic = 'throughput' | 'faults' | 'frozen-holder' | 'fencing' | 'ordering' | 'setup' | 'setup-surviving';

export interface ChoiceLine {
  readonly topic: ChoiceTopic;
  /** The locks it recommends; empty for a line about every lock. */
  readonly locks: readonly string[];
  /** "Choose zookeeper if waiters must be served in the order they asked". */
  readonly claim: string;
  /** The figures behind the claim, in words, each one from a cited cell. */
  readonly because: string;
  readonly cites: readonly Cited[];
}

/** A line the evidence did not support, and why; shown in small print so a gap is visible. */
export interface LeftOut {
  readonly topic: ChoiceTopic;
  readonly why: string;
}

export interface Choices {
  readonly lines: readonly ChoiceLine[];
  readonly leftOut: readonly LeftOut[];
}

/** Figures within this ratio of the best count as a tie: on a shared machine closer ones swap between runs. */
const TIE = 1.1;
/** The best must beat the next by this ratio before a line calls it ahead. */
const CLEAR_LEAD = 1.2;
/** A lock is called FIFO when at least this share of its grants came in order… */
const FIFO_SHARE = 0.9;
/** …and the next lock's share is this much lower. */
const FIFO_LEAD = 0.2;
/** Node and network faults a lock must have come through before a line calls it safe under them. */
const MIN_FAULTS = 2;
/** Faults that are not about nodes or the network: the baseline, and a frozen client (its own line). */
const NOT_NODE_FAULTS = new Set(['none', 'client-pause']);

// Plain registry names in the sentences; the cited cells below each line carry the table's labels.
const name = (lock: string): string => lock;
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}
const andList = (items: readonly string[]): string => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`);

const ran = (f: FaultFact): boolean => f.completed > 0;
const broke = (f: FaultFact): boolean => f.invalid > 0 || f.unknown > 0;
const phrase = (fault: string): string => (fault === 'none' ? 'without faults' : `under ${fault}`);
/** "without faults and under crash, clock-skew and pause": one "under" for the lot. */
function phrases(faults: readonly string[]): string {
  const under = faults.filter((f) => f !== 'none');
  return andList([...(faults.includes('none') ? ['without faults'] : []), ...(under.length > 0 ? [`under ${andList(under)}`] : [])]);
}
const runsText = (f: FaultFact): string => (f.completed === 1 ? '1 run' : `${f.completed} trials`);
const faultOf = (l: LockFacts, fault: string): FaultFact | undefined => l.faults.find((f) => f.fault === fault && ran(f));

/** How a lock fared under failure, for lines about something else (speed, cost): the reader must not miss it. */
function failureRecord(l: LockFacts): { text: string; cites: Cited[] } {
  const done = l.faults.filter(ran);
  if (done.length === 0) return { text: 'no finished chaos run shows how it behaves under failure', cites: [] };
  const invalid = done.filter((f) => f.invalid > 0);
  const unknown = done.filter((f) => f.invalid === 0 && f.unknown > 0);
  const odd = done.filter((f) => !broke(f) && f.disagreements > 0);
  const parts: string[] = [];
  const of = (fs: readonly FaultFact[]): string => phrases(fs.map((f) => f.fault));
  if (invalid.length > 0) parts.push(`two holders at once ${of(invalid)}`);
  if (unknown.length > 0) parts.push(`an overlap possible but not proven ${of(unknown)}`);
  if (parts.length === 0) parts.push(`no overlap ${of(done)}`);
  if (odd.length > 0) parts.push(`⚠ not what is expected ${of(odd)}`);
  return { text: `under failure: ${parts.join('; ')}`, cites: [...invalid, ...unknown, ...odd].map((f) => f.cite) };
}

interface Ranked<T> {
  readonly leaders: readonly T[];
  readonly next: T | undefined;
  /** How far the best is ahead of the next, as a ratio ≥ 1. */
  readonly lead: number;
}

/** The best (ties within TIE count as joint leaders) and the next after them. */
function rank<T>(items: readonly T[], value: (t: T) => number, higherIsBetter: boolean): Ranked<T> {
  const sorted = [...items].sort((a, b) => (higherIsBetter ? value(b) - value(a) : value(a) - value(b)));
  const best = sorted[0];
  if (best === undefined) return { leaders: [], next: undefined, lead: 1 };
  const ratio = (t: T): number => (higherIsBetter ? value(best) / value(t) : value(t) / value(best));
  const leaders = sorted.filter((t) => ratio(t) < TIE);
  const next = sorted.find((t) => !leaders.includes(t));
  return { leaders, next, lead: next === undefined ? 1 : ratio(next) };
}

/** Records why a line is left out; returns undefined so a rule can `return skip(…)`. */
function skip(out: LeftOut[], topic: ChoiceTopic, why: string): undefined {
  out.push({ topic, why });
  return undefined;
}

const times = (r: number): string => `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}×`;

function throughputLine(all: readonly LockFacts[], out: LeftOut[]): ChoiceLine | undefined {
  const topic = 'throughput';
  const cands = all.filter((l) => l.throughput !== undefined && l.throughput.perSec > 0);
  if (cands.length < 2) return skip(out, topic, `${cands.length === 0 ? 'no lock has' : 'only one lock has'} a measured throughput to compare`);
  const perSec = (l: LockFacts): number => l.throughput?.perSec ?? 0;
  const r = rank(cands, perSec, true);
  const next = r.next;
  if (!next || r.lead < CLEAR_LEAD) return skip(out, topic, `no lock is clearly ahead on throughput (the best is within ${pct(CLEAR_LEAD - 1)} of the next)`);
  const overlapped = r.leaders.filter((l) => (l.benchOverlap?.overlapped ?? 0) > 0 || (faultOf(l, 'none') !== undefined && broke(faultOf(l, 'none') as FaultFact)));
  if (overlapped.length > 0) return skip(out, topic, `the fastest, ${orList(overlapped.map((l) => name(l.lock)))}, had two holders without any fault`);
  const lead = r.leaders[0];
  if (!lead?.throughput) return undefined;
  const cites: Cited[] = [...r.leaders.flatMap((l) => (l.throughput ? [l.throughput.cite] : [])), ...(next.throughput ? [next.throughput.cite] : [])];
  const figures = r.leaders.map((l) => `${name(l.lock)} ${int(perSec(l))} cycles/s`).join(', ');
  let because = `${figures} with ${lead.throughput.clients} clients and a key per client, ${times(r.lead)} the next (${name(next.lock)}, ${int(perSec(next))})`;
  // The same locks' uncontended latency, when they are also the quickest there.
  const lat = all.filter((l) => l.latencyP50 !== undefined);
  const quickest = lat.length >= 2 ? rank(lat, (l) => l.latencyP50?.ms ?? Infinity, false).leaders : [];
  const alsoQuick = r.leaders.filter((l) => quickest.includes(l));
  if (alsoQuick.length > 0) {
    because += `; also the lowest cycle latency with one client (${alsoQuick.map((l) => `${(l.latencyP50?.ms ?? 0).toFixed(3)} ms`).join(', ')})`;
    cites.push(...alsoQuick.flatMap((l) => (l.latencyP50 ? [l.latencyP50.cite] : [])));
  }
  for (const l of r.leaders) {
    const rec = failureRecord(l);
    because += `; ${r.leaders.length > 1 ? `${name(l.lock)} ` : ''}${rec.text}`;
    cites.push(...rec.cites);
  }
  return { topic, locks: r.leaders.map((l) => l.lock), claim: `Choose ${orList(r.leaders.map((l) => name(l.lock)))} if throughput matters most`, because, cites };
}

function faultLines(all: readonly LockFacts[], out: LeftOut[]): ChoiceLine[] {
  const topic = 'faults';
  const lines: ChoiceLine[] = [];
  for (const l of all) {
    const considered = l.faults.filter((f) => ran(f) && !NOT_NODE_FAULTS.has(f.fault));
    const baseline = faultOf(l, 'none');
    // Only locks that came through every node and network fault they ran are candidates; the
    // others' cells already say what went wrong, and listing them here would only repeat it.
    if (considered.length === 0 || considered.some(broke) || (baseline && broke(baseline))) continue;
    if (considered.length < MIN_FAULTS) {
      out.push({ topic, why: `${name(l.lock)}: no overlap, but only ${phrase(considered[0]?.fault ?? '')}; a line needs at least ${MIN_FAULTS} faults` });
      continue;
    }
    const odd = considered.filter((f) => f.disagreements > 0);
    if (odd.length > 0) {
      out.push({ topic, why: `${name(l.lock)}: no overlap, but its results ${phrases(odd.map((f) => f.fault))} disagree with what is expected (⚠), so its clean record is not taken as evidence` });
      continue;
    }
    // What tells it apart: the same faults broke another lock.
    const telling = considered.flatMap((f) => {
      const others = all.filter((o) => o !== l).flatMap((o) => {
        const of = faultOf(o, f.fault);
        return of && broke(of) ? [of] : [];
      });
      return others.length > 0 ? [{ fault: f.fault, others }] : [];
    });
    if (telling.length === 0) {
      out.push({ topic, why: `${name(l.lock)}: no overlap ${phrases(considered.map((f) => f.fault))}, but no other lock overlapped under those faults either, so nothing sets it apart` });
      continue;
    }
    // "redis and redlock under crash and clock-skew": faults that broke the same locks read as one.
    const byLocks = new Map<string, { locks: string[]; faults: string[] }>();
    for (const t of telling) {
      const ls = [...new Set(t.others.map((o) => name(o.cite.lock)))];
      const g = byLocks.get(ls.join());
      if (g) g.faults.push(t.fault);
      else byLocks.set(ls.join(), { locks: ls, faults: [t.fault] });
    }
    const othersText = [...byLocks.values()].map((g) => `${andList(g.locks)} ${phrases(g.faults)}`);
    const same = considered.every((f) => f.completed === considered[0]?.completed);
    const under = same ? `${andList(considered.map((f) => f.fault))} (${considered[0] ? runsText(considered[0]) : ''} each)` : andList(considered.map((f) => `${f.fault} (${runsText(f)})`));
    let because = `no overlap under ${under}, where ${andList(othersText)} had ${telling.some((t) => t.others.some((o) => o.invalid === 0)) ? 'two holders or a possible overlap' : 'two holders'}`;
    if (considered.some((f) => f.completed === 1)) because += '; a single run is an anecdote, --trials N gives a rate';
    const pause = faultOf(l, 'client-pause');
    if (pause && broke(pause)) because += '; a holder frozen past its lease still let a second one in (client-pause), so fence the resource';
    const cites = [...considered.map((f) => f.cite), ...telling.flatMap((t) => t.others.slice(0, 3).map((o) => o.cite)), ...(pause && broke(pause) ? [pause.cite] : [])];
    lines.push({ topic, locks: [l.lock], claim: `Choose ${name(l.lock)} if a second holder must not appear when nodes or the network fail`, because, cites });
  }
  if (lines.length === 0 && !out.some((o) => o.topic === topic)) out.push({ topic, why: 'no lock came through node and network faults without an overlap where another lock did not' });
  return lines;
}

function frozenHolderLines(all: readonly LockFacts[], out: LeftOut[]): ChoiceLine[] {
  const topic = 'frozen-holder';
  const paused = all.flatMap((l) => {
    const f = faultOf(l, 'client-pause');
    return f ? [{ l, f }] : [];
  });
  if (paused.length < 2) {
    out.push({ topic, why: `${paused.length === 0 ? 'no lock has' : 'only one lock has'} a finished client-pause run` });
    return [];
  }
  const hit = paused.filter((p) => broke(p.f));
  const clean = paused.filter((p) => !broke(p.f) && p.f.disagreements === 0);
  if (hit.length === paused.length) {
    return [
      {
        topic,
        locks: [],
        claim: 'Whichever you choose, fence the resource if a holder can freeze past its lease',
        because: `every lock run under client-pause had a second holder while the first was frozen: ${andList(hit.map((p) => `${name(p.l.lock)} (${runsText(p.f)})`))}`,
        cites: hit.map((p) => p.f.cite),
      },
    ];
  }
  if (clean.length > 0 && hit.length > 0) {
    return [
      {
        topic,
        locks: clean.map((p) => p.l.lock),
        claim: `Choose ${orList(clean.map((p) => name(p.l.lock)))} if a holder can freeze past its lease and the resource cannot check fencing tokens`,
        because: `no overlap under client-pause (${andList(clean.map((p) => `${name(p.l.lock)}: ${runsText(p.f)}`))}), where ${andList(hit.map((p) => name(p.l.lock)))} had a second holder`,
        cites: [...clean.map((p) => p.f.cite), ...hit.map((p) => p.f.cite)],
      },
    ];
  }
  out.push({ topic, why: 'the client-pause runs neither all overlapped nor set a lock apart' });
  return [];
}

function fencingLines(all: readonly LockFacts[], out: LeftOut[]): ChoiceLine[] {
  const topic = 'fencing';
  const lines: ChoiceLine[] = [];
  for (const l of all) {
    const tokens = l.fencingTokens;
    const fenced = l.fenced;
    if (!tokens && !fenced) continue;
    if (!tokens || tokens.tokenedWrites === 0 || tokens.violations > 0) {
      out.push({ topic, why: `${name(l.lock)}: ${!tokens ? 'no run shows its tokens' : tokens.tokenedWrites === 0 ? 'no write carried a token' : `${tokens.violations} tokens out of order`}` });
      continue;
    }
    if (!fenced || fenced.lost === undefined || fenced.lost > 0) {
      out.push({ topic, why: `${name(l.lock)}: ${!fenced ? 'no --fencing run under a fault' : fenced.lost === undefined ? `lost updates unknown in the --fencing run ${phrase(fenced.fault)}` : `${fenced.lost} updates lost even with --fencing ${phrase(fenced.fault)}`}` });
      continue;
    }
    const pause = faultOf(l, 'client-pause');
    const without = pause && broke(pause) ? `; without fencing it had two holders under client-pause (${runsText(pause)})` : '';
    lines.push({
      topic,
      locks: [l.lock],
      claim: `Choose ${name(l.lock)} if a holder can freeze past its lease and the resource you protect can check fencing tokens`,
      because: `with --fencing ${phrase(fenced.fault)} the resource rejected ${fenced.rejections === undefined ? 'the' : int(fenced.rejections)} stale write${fenced.rejections === 1 ? '' : 's'} and lost no update; ${int(tokens.tokenedWrites)} writes carried a token, strictly increasing${without}`,
      cites: [tokens.cite, fenced.cite, ...(without ? [(pause as FaultFact).cite] : [])],
    });
  }
  if (lines.length === 0 && !out.some((o) => o.topic === topic)) out.push({ topic, why: 'no run with --fencing' });
  return lines;
}

function orderingLine(all: readonly LockFacts[], out: LeftOut[]): ChoiceLine | undefined {
  const topic = 'ordering';
  const cands = all.filter((l) => l.fairness !== undefined && l.fairness.grants > 0);
  if (cands.length < 2) return skip(out, topic, `${cands.length === 0 ? 'no lock has' : 'only one lock has'} a fairness case with grants`);
  const share = (l: LockFacts): number => l.fairness?.inOrderFraction ?? 0;
  const sorted = [...cands].sort((a, b) => share(b) - share(a));
  const best = sorted[0];
  if (!best) return undefined;
  const leaders = sorted.filter((l) => share(best) - share(l) < 0.02);
  const next = sorted.find((l) => !leaders.includes(l));
  if (share(best) < FIFO_SHARE) return skip(out, topic, `no lock granted at least ${pct(FIFO_SHARE)} in FIFO order (best: ${name(best.lock)}, ${pct(share(best))})`);
  if (!next || share(best) - share(next) < FIFO_LEAD) return skip(out, topic, `the FIFO share of ${orList(leaders.map((l) => name(l.lock)))} is not ${pct(FIFO_LEAD)} ahead of every other lock`);
  const jain = leaders.map((l) => `${name(l.lock)}: ${pct(share(l))}, Jain ${(l.fairness?.jainIndex ?? 0).toFixed(2)}`);
  return {
    topic,
    locks: leaders.map((l) => l.lock),
    claim: `Choose ${orList(leaders.map((l) => name(l.lock)))} if waiters must be served in the order they asked`,
    because: `share of grants in FIFO order with all clients on one key: ${jain.join('; ')}, against ${pct(share(next))} for the next, ${name(next.lock)}`,
    cites: [...leaders, next].flatMap((l) => (l.fairness ? [l.fairness.cite] : [])),
  };
}

type Setup = NonNullable<LockFacts['setup']>;
const setupOf = (l: LockFacts): Setup | undefined => (l.setup && l.setup.memoryBytesAtRest !== null ? l.setup : undefined);
const memory = (l: LockFacts): number => setupOf(l)?.memoryBytesAtRest ?? Infinity;
const setupText = (s: Setup): string =>
  `${s.containers} container${s.containers === 1 ? '' : 's'}, ${mib(s.memoryBytesAtRest)} at rest${s.readyMs === null ? '' : `, ready in ${seconds(s.readyMs)}`}`;

function setupLine(all: readonly LockFacts[], out: LeftOut[]): ChoiceLine | undefined {
  const topic = 'setup';
  const cands = all.filter((l) => setupOf(l) !== undefined);
  if (cands.length < 2) return skip(out, topic, `${cands.length === 0 ? 'no lock has' : 'only one lock has'} a measured memory at rest`);
  const r = rank(cands, memory, false);
  const next = r.next;
  if (!next || r.lead < CLEAR_LEAD) return skip(out, topic, `no lock is clearly cheaper to run (memory at rest within ${pct(CLEAR_LEAD - 1)})`);
  const cannotSurvive = r.leaders.filter((l) => setupOf(l)?.nodesToSurviveOneFailure === null);
  const figures = r.leaders.map((l) => `${r.leaders.length > 1 ? `${name(l.lock)}: ` : ''}${setupText(setupOf(l) as Setup)}`).join('; ');
  let because = `${figures}, against ${mib(memory(next))} for the next, ${name(next.lock)}`;
  const cites: Cited[] = [...r.leaders, next].flatMap((l) => (l.setup ? [l.setup.cite] : []));
  if (cannotSurvive.length > 0) because += `; ${orList(cannotSurvive.map((l) => name(l.lock)))} stop${cannotSurvive.length === 1 ? 's' : ''} granting if ${cannotSurvive.length === 1 ? 'its' : 'their'} node fails`;
  for (const l of r.leaders) {
    const rec = failureRecord(l);
    because += `; ${r.leaders.length > 1 ? `${name(l.lock)} ` : ''}${rec.text}`;
    cites.push(...rec.cites);
  }
  const claim = cannotSurvive.length === r.leaders.length ? 'if the smallest set-up matters more than surviving a node failure' : 'if the smallest set-up matters most';
  return { topic, locks: r.leaders.map((l) => l.lock), claim: `Choose ${orList(r.leaders.map((l) => name(l.lock)))} ${claim}`, because, cites };
}

/**
 * The cheapest lock that keeps granting through a node failure by design and was also free of
 * overlap under crash: surviving a node is worth nothing if the restarted node re-grants.
 */
function survivingSetupLine(all: readonly LockFacts[], out: LeftOut[]): ChoiceLine | undefined {
  const topic = 'setup-surviving';
  const survivors = all.filter((l) => setupOf(l) !== undefined && setupOf(l)?.nodesToSurviveOneFailure !== null);
  const safe = survivors.filter((l) => {
    const c = faultOf(l, 'crash');
    return c !== undefined && !broke(c) && c.disagreements === 0;
  });
  if (safe.length === 0) return skip(out, topic, survivors.length === 0 ? 'no lock that survives a node failure by design has a measured memory at rest' : 'no lock that survives a node failure by design was measured free of overlap under crash');
  const r = rank(safe, memory, false);
  const lead = r.leaders[0];
  if (!lead) return undefined;
  const cheaper = survivors.filter((l) => !safe.includes(l) && memory(l) < memory(lead));
  const ahead = r.next !== undefined && r.lead >= CLEAR_LEAD ? r.next : undefined;
  if (cheaper.length === 0 && !ahead) return skip(out, topic, 'nothing to compare: no cheaper lock that survives a node failure, and no clear lead among those free of overlap under crash');
  const cites: Cited[] = [];
  const figures = r.leaders.map((l) => {
    const s = setupOf(l) as Setup;
    const c = faultOf(l, 'crash') as FaultFact;
    cites.push(s.cite, c.cite);
    return `${r.leaders.length > 1 ? `${name(l.lock)}: ` : ''}${s.nodesToSurviveOneFailure ?? '?'} nodes, ${setupText(s)}; no overlap under crash (${runsText(c)})`;
  });
  let because = figures.join('; ');
  if (ahead) {
    because += `; the next that also held under crash, ${name(ahead.lock)}, uses ${mib(memory(ahead))}`;
    const s = setupOf(ahead);
    if (s) cites.push(s.cite);
  }
  if (cheaper.length > 0) {
    const why = cheaper.map((l) => {
      const c = faultOf(l, 'crash');
      if (l.setup) cites.push(l.setup.cite);
      if (c) cites.push(c.cite);
      return `${name(l.lock)} (${mib(memory(l))}): ${!c ? 'no crash run' : broke(c) ? 'two holders under crash' : '⚠ not what is expected under crash'}`;
    });
    because += `; cheaper, but not supported: ${why.join(', ')}`;
  }
  return { topic, locks: r.leaders.map((l) => l.lock), claim: `Choose ${orList(r.leaders.map((l) => name(l.lock)))} if the lock must keep granting, one holder at a time, through a node crash at the least set-up cost`, because, cites };
}

export function chooseWhich(facts: readonly LockFacts[]): Choices {
  const leftOut: LeftOut[] = [];
  const lines: ChoiceLine[] = [];
  const add = (x: ChoiceLine | readonly ChoiceLine[] | undefined): void => {
    if (x === undefined) return;
    if ('topic' in x) lines.push(x);
    else lines.push(...x);
  };
  add(throughputLine(facts, leftOut));
  add(faultLines(facts, leftOut));
  add(frozenHolderLines(facts, leftOut));
  add(fencingLines(facts, leftOut));
  add(orderingLine(facts, leftOut));
  add(setupLine(facts, leftOut));
  add(survivingSetupLine(facts, leftOut));
  return { lines, leftOut };
}
