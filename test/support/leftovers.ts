// What an interrupted command may have left behind, for the interrupt tests: faults still in
// force on the cluster, and processes of the job still running.
import { readFileSync, readdirSync } from 'node:fs';
import type { ClusterControl } from '../../clusters/node-faults.ts';
import { procStat } from './process-alive.ts';

export interface ProxyState {
  readonly enabled: boolean;
  readonly toxics: readonly { readonly name: string }[];
}

const apiPortOf = (control: Pick<ClusterControl, 'plan'>): number => control.plan.toxiproxy.apiPort;

/** The proxy API's own listing by proxy name: the client library's Proxy objects do not carry their toxics. */
export async function proxyListing(apiPort: number): Promise<Record<string, ProxyState>> {
  const res = await fetch(`http://127.0.0.1:${apiPort}/proxies`, { signal: AbortSignal.timeout(10_000) });
  return (await res.json()) as Record<string, ProxyState>;
}

/** Every toxic left on any proxy, as `proxy/toxic`. */
export async function toxicsLeft(control: Pick<ClusterControl, 'plan'>): Promise<string[]> {
  return Object.entries(await proxyListing(apiPortOf(control))).flatMap(([name, p]) => p.toxics.map((t) => `${name}/${t.name}`));
}

/**
 * Every fault still in force, as sentences; empty when the cluster is as `up` leaves it: each node
 * running and not paused, no lockbench iptables rule, clock offsets 0, every proxy enabled and
 * without toxics.
 */
export async function faultsInForce(control: ClusterControl): Promise<string[]> {
  const found: string[] = [];
  const serving: string[] = [];
  for (const n of control.plan.nodes) {
    const state = (await control.docker.getContainer(n.container).inspect()).State;
    if (state.Paused) found.push(`${n.name} is paused`);
    else if (!state.Running) found.push(`${n.name} is ${state.Status}`);
    else serving.push(n.name);
  }
  for (const left of await control.leftoverRules()) found.push(`${left.node} has iptables rules: ${left.rules.join('; ')}`);
  for (const name of serving) {
    const clock = await control.clockOffsetMs(name);
    // A skew is seconds; what is left of the read's resolution is not one.
    if (Math.abs(clock.offsetMs) > clock.resolutionMs + 250) found.push(`${name}'s clock is off by ${Math.round(clock.offsetMs)} ms (${clock.source})`);
  }
  for (const [name, proxy] of Object.entries(await proxyListing(apiPortOf(control)))) {
    if (!proxy.enabled) found.push(`proxy ${name} is disabled`);
    if (proxy.toxics.length > 0) found.push(`proxy ${name} has toxics: ${proxy.toxics.map((t) => t.name).join(', ')}`);
  }
  return found;
}

/** Processes still in process group `pgid` (a job started by spawnNpmJob), with their command lines. */
export function processesInGroup(pgid: number): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    // A zombie waiting for its parent is gone already.
    if (stat === undefined || stat.pgrp !== pgid || stat.state === 'Z') continue;
    try {
      out.push(`${entry}: ${readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`);
    } catch {
      // It exited while we looked.
    }
  }
  return out;
}
