// Ease of setup, measured (bench.json setup): per lock, the nodes its design needs to keep
// granting through one node failure, the lab cluster's containers it uses and their memory at
// rest, the time its system took from container start to serving, and the lines of its client
// code in lockbench. Measured once per run, before the suite starts, so the memory is at rest.
// Nothing is invented: a figure the run could not read is null and says why.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { nodeMemoryAtRest, type NodeMemoryAtRest } from '../clusters/memory-at-rest.ts';
import type { ReadyReading } from '../clusters/ready-times.ts';
import { nodesUsed, type LockModel, type LockSpec } from '../locks/spec.ts';
import type { SetupCost } from './results.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface FailureTolerance {
  readonly nodes: number | null;
  readonly why: string;
}

/** Smallest n with a majority (⌊n/2⌋ + 1) still standing after one of n fails: 3. */
const majorityAfterOneFailure = (): number => {
  let n = 1;
  while (Math.floor(n / 2) + 1 > n - 1) n += 1;
  return n;
};

/** What the lock's design needs to survive one node failure, from its family (locks/spec.ts). */
export function nodesToSurviveOneFailure(model: Pick<LockModel, 'family' | 'system'>): FailureTolerance {
  const n = majorityAfterOneFailure();
  switch (model.family) {
    case 'single':
      return { nodes: null, why: 'one node: a failure stops the lock service (no failover in the design)' };
    case 'fan-out':
      return { nodes: n, why: `a grant needs a majority of independent masters (⌊N/2⌋ + 1): ${n} masters keep a majority of ${Math.floor(n / 2) + 1} with one down` };
    case 'consensus':
      return { nodes: n, why: `the ensemble commits with a quorum of 2f + 1 servers: ${n} survive f = 1 failure` };
    case 'replicated':
      // Redis's Sentinel documentation, "Example 2: basic setup with three boxes": a Sentinel on
      // each of three machines, Redis on two of them, quorum 2.
      return { nodes: n, why: `a primary and a replica to promote, and ${n} Sentinels so that a majority can agree on the failover: ${n} machines, each with a Sentinel, two with Redis` };
    case 'unknown':
      return { nodes: null, why: 'the lock module declared no family, so its failure tolerance is not known' };
  }
}

/**
 * Lines of TypeScript that are neither blank nor only comment. Strings are skipped whole, so a
 * `//` or `/*` inside one (a URL, a Lua script) does not start a comment; template literals are
 * read to their closing backtick.
 */
export function countCodeLines(source: string): number {
  let count = 0;
  let inBlock = false;
  let inTemplate = false;
  for (const line of source.split(/\r?\n/)) {
    let code = false;
    let quote: string | null = inTemplate ? '`' : null;
    if (inTemplate) code = true;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      const next = line[i + 1];
      if (inBlock) {
        if (ch === '*' && next === '/') {
          inBlock = false;
          i++;
        }
        continue;
      }
      if (quote !== null) {
        if (ch === '\\') i++;
        else if (ch === quote) quote = null;
        continue;
      }
      if (ch === '/' && next === '/') break;
      if (ch === '/' && next === '*') {
        inBlock = true;
        i++;
        continue;
      }
      if (ch === ' ' || ch === '\t') continue;
      code = true;
      if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    }
    // A quote left open at the end of a line is a template literal running on (TS strings cannot).
    inTemplate = quote === '`';
    if (code) count += 1;
  }
  return count;
}

export interface ClientCode {
  readonly lines: number;
  /** Repository-relative paths counted. */
  readonly files: readonly string[];
}

/** Counts the lines of a lock's client code (its LockSpec's sources). */
export async function clientCodeOf(spec: Pick<LockSpec, 'sources'>, root: string = REPO_ROOT): Promise<ClientCode> {
  const texts = await Promise.all(spec.sources.map((f) => readFile(new URL(f, `file://${root.endsWith('/') ? root : `${root}/`}`), 'utf8')));
  return { lines: texts.reduce((sum, t) => sum + countCodeLines(t), 0), files: spec.sources };
}

export interface SetupInput {
  readonly locks: readonly Pick<LockSpec, 'name' | 'model'>[];
  readonly clientCode: Readonly<Record<string, ClientCode>>;
  /** Every node container of the lab cluster, read at rest. */
  readonly nodes: readonly NodeMemoryAtRest[];
  readonly ready: ReadyReading;
}

const ordinal = (name: string): number => Number(/(\d+)$/.exec(name)?.[1] ?? Number.NaN);

/**
 * The containers a lock uses: all of its system's nodes, or the first (locks/spec.ts, `nodes`).
 * A replicated lock (one primary, its replicas and the Sentinels that fail it over) needs its whole
 * system to run, though faults aimed at its node strike only the primary.
 */
export function containersOf(model: Pick<LockModel, 'system' | 'nodes'> & { readonly family?: LockModel['family'] }, nodes: readonly NodeMemoryAtRest[]): NodeMemoryAtRest[] {
  const ofSystem = nodes.filter((n) => n.system === model.system).sort((a, b) => ordinal(a.name) - ordinal(b.name) || a.name.localeCompare(b.name));
  return model.family === 'replicated' ? ofSystem : nodesUsed(model, ofSystem);
}

/** bench.json setup: one entry per lock, from what was measured (pure). */
export function setupCosts(i: SetupInput): SetupCost[] {
  return i.locks.map((spec): SetupCost => {
    const tolerance = nodesToSurviveOneFailure(spec.model);
    const used = containersOf(spec.model, i.nodes);
    const unread = used.filter((n) => n.memoryBytes === null);
    const memoryBytesAtRest = used.length === 0 || unread.length > 0 ? null : used.reduce((sum, n) => sum + (n.memoryBytes ?? 0), 0);
    const memoryWhy =
      used.length === 0 ? `no running ${spec.model.system} container in the cluster` : unread.length > 0 ? `not read for ${unread.map((n) => `${n.name} (${n.why ?? 'no figure'})`).join(', ')}` : undefined;
    const readyMs = i.ready.measured ? (i.ready.bySystemMs[spec.model.system] ?? null) : null;
    const readyWhy = i.ready.measured ? (readyMs === null ? `no ready time recorded for ${spec.model.system}` : undefined) : i.ready.why;
    const code = i.clientCode[spec.name];
    return {
      lock: spec.name,
      system: spec.model.system,
      nodesToSurviveOneFailure: tolerance.nodes,
      why: tolerance.why,
      containers: used.length,
      containerNames: used.map((n) => n.name),
      memoryBytesAtRest,
      ...(memoryWhy !== undefined ? { memoryWhy } : {}),
      readyMs,
      ...(readyWhy !== undefined ? { readyWhy } : i.ready.measured ? { readyHow: i.ready.how } : {}),
      clientLines: code?.lines ?? 0,
      clientFiles: code?.files ?? [],
    };
  });
}

export interface MeasureSetupOptions {
  readonly docker: Docker;
  /** The lab cluster's name (ClusterConfig.name). */
  readonly cluster: string;
  /** clusterUp's UpResult.ready. */
  readonly ready: ReadyReading;
  readonly locks: readonly Pick<LockSpec, 'name' | 'model' | 'sources'>[];
}

/** Reads everything setupCosts needs; call it after clusterUp and before the suite, while the cluster is idle. */
export async function measureSetup(o: MeasureSetupOptions): Promise<SetupCost[]> {
  const [nodes, codes] = await Promise.all([nodeMemoryAtRest(o.docker, o.cluster), Promise.all(o.locks.map(async (l) => [l.name, await clientCodeOf(l)] as const))]);
  return setupCosts({ locks: o.locks, clientCode: Object.fromEntries(codes), nodes, ready: o.ready });
}
