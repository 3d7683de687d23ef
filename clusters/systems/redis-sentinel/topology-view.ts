// The Sentinel topology as its nodes report it, and whether it is settled: one primary that every
// Sentinel names, with every replica following it and nothing failing over. Observing is a few
// raw requests; judging is pure, so the rules are tested without Docker.
import { memberAddress, type NodePlan } from '../../node-plan.ts';
import { DATA_PREFIX, SENTINEL_PREFIX } from './config.ts';
import { replicationView, sentinelView, type DataNodeView, type SentinelView } from './probes.ts';

export interface Observed {
  /** Data nodes in node order, with what each answered (undefined: no answer). */
  readonly data: readonly { readonly node: NodePlan; readonly view: DataNodeView | undefined }[];
  readonly sentinels: readonly { readonly node: NodePlan; readonly view: SentinelView | undefined }[];
}

export const dataNodesOf = (nodes: readonly NodePlan[]): NodePlan[] => nodes.filter((n) => n.group === DATA_PREFIX);
export const sentinelNodesOf = (nodes: readonly NodePlan[]): NodePlan[] => nodes.filter((n) => n.group === SENTINEL_PREFIX);

export async function observe(nodes: readonly NodePlan[], host: string, timeoutMs = 1000): Promise<Observed> {
  const [data, sentinels] = await Promise.all([
    Promise.all(dataNodesOf(nodes).map(async (node) => ({ node, view: await replicationView(host, node.directPort, timeoutMs) }))),
    Promise.all(sentinelNodesOf(nodes).map(async (node) => ({ node, view: await sentinelView(host, node.directPort, timeoutMs) }))),
  ]);
  return { data, sentinels };
}

/** The data node known to the members by `address` (toxiproxy:<peer port>). */
export function nodeAt(o: Observed, address: string): NodePlan | undefined {
  return o.data.find((d) => memberAddress(d.node) === address)?.node;
}

/** The data node a majority of all Sentinels name as primary, or undefined when no majority agrees. */
export function sentinelsPrimary(o: Observed): NodePlan | undefined {
  const votes = new Map<string, number>();
  for (const s of o.sentinels) if (s.view) votes.set(s.view.primary, (votes.get(s.view.primary) ?? 0) + 1);
  for (const [address, n] of votes) if (n > o.sentinels.length / 2) return nodeAt(o, address);
  return undefined;
}

export type Settled = { readonly settled: true; readonly primary: NodePlan } | { readonly settled: false; readonly why: string };

/**
 * Settled: every node answers; exactly one data node is primary and every Sentinel names it with
 * no failover or down flag, knows every replica and every other Sentinel; every other data node
 * replicates from it with its link up.
 */
export function judge(o: Observed): Settled {
  const silent = [...o.data, ...o.sentinels].filter((x) => x.view === undefined).map((x) => x.node.name);
  if (silent.length > 0) return { settled: false, why: `no answer from ${silent.join(', ')}` };
  const primaries = o.data.filter((d) => d.view?.role === 'primary');
  const first = primaries[0];
  if (primaries.length !== 1 || !first) return { settled: false, why: `${primaries.length} data nodes say they are primary (${primaries.map((p) => p.node.name).join(', ') || 'none'})` };
  const address = memberAddress(first.node);
  const replicas = o.data.length - 1;
  for (const s of o.sentinels) {
    const v = s.view;
    if (!v) continue;
    if (v.primary !== address) return { settled: false, why: `${s.node.name} names ${nodeAt(o, v.primary)?.name ?? v.primary} as primary, not ${first.node.name}` };
    const extra = v.flags.filter((f) => f !== 'master');
    if (extra.length > 0) return { settled: false, why: `${s.node.name} flags the primary ${extra.join(',')}` };
    if (v.replicas !== replicas || v.otherSentinels !== o.sentinels.length - 1) {
      return { settled: false, why: `${s.node.name} knows ${v.replicas} of ${replicas} replicas and ${v.otherSentinels} of ${o.sentinels.length - 1} other Sentinels` };
    }
  }
  for (const d of o.data) {
    if (d === first) continue;
    const v = d.view;
    if (v?.role !== 'replica' || v.primary !== address || !v.linkUp) return { settled: false, why: `${d.node.name} does not replicate from ${first.node.name} with its link up` };
  }
  return { settled: true, primary: first.node };
}

/** Each node's role for `status`: primary, replica with its lag behind the primary in bytes, or the Sentinel's view. */
export function rolesOf(o: Observed): Map<string, string> {
  const out = new Map<string, string>();
  const primary = o.data.find((d) => d.view?.role === 'primary');
  for (const d of o.data) {
    const v = d.view;
    if (!v) out.set(d.node.name, 'unreachable');
    else if (v.role === 'primary') out.set(d.node.name, `primary, ${v.replicas.length} replica${v.replicas.length === 1 ? '' : 's'}`);
    else {
      const source = nodeAt(o, v.primary)?.name ?? v.primary;
      const pv = primary?.view;
      const entry = pv?.role === 'primary' ? pv.replicas.find((r) => r.address === memberAddress(d.node)) : undefined;
      const lag = entry && pv?.role === 'primary' ? `, lag ${Math.max(0, pv.offset - entry.offset)} B` : '';
      out.set(d.node.name, `replica of ${source}${v.linkUp ? '' : ' (link down)'}${lag}`);
    }
  }
  for (const s of o.sentinels) {
    const v = s.view;
    if (!v) out.set(s.node.name, 'unreachable');
    else {
      const flags = v.flags.filter((f) => f !== 'master');
      out.set(s.node.name, `sentinel: primary ${nodeAt(o, v.primary)?.name ?? v.primary}${flags.length > 0 ? ` (${flags.join(',')})` : ''}, ${v.replicas} replicas, ${v.otherSentinels} other sentinels`);
    }
  }
  return out;
}
