// What the Sentinel topology's nodes say about it, on raw sockets: a data node's replication state
// (INFO replication) and a Sentinel's view of the primary (SENTINEL master). Addresses are the
// members' own names for each other (toxiproxy:<peer port>), which topology.ts memberAddress gives.
import { fieldsOf, infoFields, respCommand, RespError } from './resp.ts';
import { MASTER_NAME } from './config.ts';

const TIMEOUT_MS = 1000;

export interface ReplicaEntry {
  /** The replica's announced address, host:port. */
  readonly address: string;
  readonly state: string;
  readonly offset: number;
}

export type DataNodeView =
  | { readonly role: 'primary'; readonly offset: number; readonly replicas: readonly ReplicaEntry[] }
  | { readonly role: 'replica'; readonly primary: string; readonly linkUp: boolean; readonly offset: number };

/** INFO replication of a data node; undefined when it does not answer. */
export async function replicationView(host: string, port: number, timeoutMs = TIMEOUT_MS): Promise<DataNodeView | undefined> {
  const f = infoFields(await respCommand(host, port, ['INFO', 'replication'], timeoutMs));
  if (f['role'] === 'master') {
    const replicas: ReplicaEntry[] = [];
    for (const [k, v] of Object.entries(f)) {
      if (!/^slave\d+$/.test(k)) continue;
      const kv = Object.fromEntries(v.split(',').map((p) => p.split('=') as [string, string]));
      replicas.push({ address: `${kv['ip'] ?? '?'}:${kv['port'] ?? '?'}`, state: kv['state'] ?? '?', offset: Number(kv['offset'] ?? Number.NaN) });
    }
    return { role: 'primary', offset: Number(f['master_repl_offset'] ?? Number.NaN), replicas };
  }
  if (f['role'] === 'slave') {
    return { role: 'replica', primary: `${f['master_host'] ?? '?'}:${f['master_port'] ?? '?'}`, linkUp: f['master_link_status'] === 'up', offset: Number(f['slave_repl_offset'] ?? Number.NaN) };
  }
  return undefined;
}

export interface SentinelView {
  /** The primary's address as this Sentinel knows it. */
  readonly primary: string;
  /** Its flags for the primary: master, s_down, o_down, failover_in_progress, … */
  readonly flags: readonly string[];
  readonly replicas: number;
  readonly otherSentinels: number;
  readonly quorum: number;
}

/** SENTINEL master of a Sentinel; undefined when it does not answer (or is no Sentinel). */
export async function sentinelView(host: string, port: number, timeoutMs = TIMEOUT_MS): Promise<SentinelView | undefined> {
  const f = fieldsOf(await respCommand(host, port, ['SENTINEL', 'master', MASTER_NAME], timeoutMs));
  if (f['ip'] === undefined) return undefined;
  return {
    primary: `${f['ip']}:${f['port'] ?? '?'}`,
    flags: (f['flags'] ?? '').split(','),
    replicas: Number(f['num-slaves'] ?? 0),
    otherSentinels: Number(f['num-other-sentinels'] ?? 0),
    quorum: Number(f['quorum'] ?? 0),
  };
}

/** ROLE's first element: master, slave or sentinel; undefined when the node does not answer. */
export async function roleName(host: string, port: number, timeoutMs = TIMEOUT_MS): Promise<string | undefined> {
  const v = await respCommand(host, port, ['ROLE'], timeoutMs);
  return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/** Asks one Sentinel to fail over now (SENTINEL FAILOVER); rejects with its error. */
export async function requestFailover(host: string, port: number, timeoutMs = TIMEOUT_MS): Promise<void> {
  const v = await respCommand(host, port, ['SENTINEL', 'FAILOVER', MASTER_NAME], timeoutMs);
  if (v === 'OK') return;
  throw new Error(v instanceof RespError ? v.message : `no answer from the Sentinel on ${host}:${port}`);
}
