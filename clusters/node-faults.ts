// The primitives later faults are built from. Each one checks that it took effect (a probe after
// applying it) and has an undo that checks that service came back. A primitive that did not take
// effect throws FAULT_NOT_EFFECTIVE: a fault that silently did nothing would make a run look safe.
// What a request to a node is and what "serving again" means come from the node's system driver.
import type Docker from 'dockerode';
import type { Proxy as ToxiproxyProxy, Toxiproxy, ToxicDirection } from 'toxiproxy-node-client';
import { HarnessError, UsageError, errorMessage } from '../core/errors.ts';
import { waitFor } from '../core/wait.ts';
import { toxiproxyClient } from './toxiproxy-client.ts';
import { dockerClient } from './docker-engine.ts';
import { configFromLabels, execIn, execChecked, listProjectContainers } from './docker-objects.ts';
import { driverFor } from './systems/registry.ts';
import type { ProbeResult } from './tcp-probe.ts';
import { defaultClusterConfig, nodesOf, planCluster, type ClusterPlan, type NodePlan } from './topology.ts';
import { memberAddress } from './node-plan.ts';
import { healFailureText, type HealFailure } from './heal-failures.ts';

const HOST = '127.0.0.1';
const NODE_RESTART_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 1000;

// Every rule lockbench adds inside a node lives in one of these chains, so healing is flushing
// them, and listing them shows what is left. Each chain is jumped to from where its rules apply.
const CHAIN = 'LOCKBENCH'; // isolate: both directions (from INPUT and OUTPUT)
const CHAIN_IN = 'LOCKBENCH-IN'; // oneWayDrop inbound (from INPUT)
const CHAIN_OUT = 'LOCKBENCH-OUT'; // oneWayDrop outbound (from OUTPUT)
const CHAIN_LOSS = 'LOCKBENCH-LOSS'; // packetLoss (from INPUT and OUTPUT, loopback excluded by the jumps)
const CHAINS = [CHAIN, CHAIN_IN, CHAIN_OUT, CHAIN_LOSS] as const;
const flushAll = CHAINS.map((c) => `iptables -F ${c} 2>/dev/null || true`).join('; ');

/** Shell that creates `chain` if missing and jumps to it from `hook` (with `match`), once. */
function hooked(chain: string, hook: 'INPUT' | 'OUTPUT', match?: string): string {
  const rule = `${hook} ${match !== undefined ? `${match} ` : ''}-j ${chain}`;
  return `(iptables -N ${chain} 2>/dev/null || true) && (iptables -C ${rule} 2>/dev/null || iptables -I ${rule})`;
}

function notEffective(what: string, detail: string): HarnessError {
  return new HarnessError('FAULT_NOT_EFFECTIVE', `${what} did not take effect: ${detail}`);
}

/**
 * Removes every lockbench iptables rule (isolation, one-way drops, packet loss) and the clock
 * offset from a running node. Every system's image carries iptables and skewctl for this.
 */
export async function resetNodeState(docker: Docker, node: NodePlan): Promise<void> {
  await execChecked(docker, node.container, ['sh', '-c', `${flushAll}; skewctl 0 >/dev/null`]);
}

/** The primitives bound to one running cluster. */
/** The name that stands for the Toxiproxy container among a node's peers (one-way drops). */
export const PROXY_PEER = 'toxiproxy';

export class ClusterControl {
  private constructor(
    readonly docker: Docker,
    readonly plan: ClusterPlan,
    readonly toxiproxy: Toxiproxy,
  ) {}

  /** Attaches to the running cluster; throws if there is none. */
  static async attach(docker: Docker = dockerClient(), cluster: string = defaultClusterConfig.name): Promise<ClusterControl> {
    const config = configFromLabels(await listProjectContainers(docker, cluster));
    if (!config) throw new HarnessError('CLUSTER_START_FAILED', `no lockbench cluster named ${cluster} is running; start one with \`npm run up\``);
    const plan = planCluster(config);
    return new ClusterControl(docker, plan, toxiproxyClient(plan));
  }

  /**
   * Links only, for an external target (clusters/external/plan.ts): its proxies run in this process
   * and its servers are not lockbench's, so only client-side faults use this control.
   */
  static forExternal(plan: ClusterPlan): ClusterControl {
    return new ClusterControl(dockerClient(), plan, toxiproxyClient(plan));
  }

  node(name: string): NodePlan {
    const n = this.plan.nodes.find((x) => x.name === name);
    if (!n) throw new UsageError(`no node named '${name}'; nodes are ${this.plan.nodes.map((x) => x.name).join(', ')}`);
    return n;
  }

  /** One request to the node on its direct port, as its driver defines it (Redis PING, ZooKeeper srvr). */
  async probe(name: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
    const n = this.node(name);
    return driverFor(n.system).probe(HOST, n.directPort, timeoutMs);
  }

  /** Waits until the node serves requests again, as its driver defines it (ZooKeeper: has joined a quorum). */
  async waitServing(name: string, timeoutMs = NODE_RESTART_TIMEOUT_MS): Promise<void> {
    const n = this.node(name);
    const driver = driverFor(n.system);
    await waitFor(() => driver.faults.serving(HOST, n.directPort), { what: `${name} to serve requests`, timeoutMs, intervalMs: 250 });
  }

  // --- kill / start -------------------------------------------------------------------------

  /** SIGKILL the node's container. Verified: the container is stopped and its port does not answer. */
  async kill(name: string): Promise<void> {
    const n = this.node(name);
    await this.docker.getContainer(n.container).kill({ signal: 'SIGKILL' });
    await waitFor(async () => !(await this.docker.getContainer(n.container).inspect()).State.Running, { what: `${name} to stop after SIGKILL`, timeoutMs: 10_000, intervalMs: 100 });
    const r = await this.probe(name);
    if (r.state === 'answered') throw notEffective(`kill ${name}`, 'it still answers');
  }

  /** Starts a killed node again and waits until it serves. */
  async start(name: string): Promise<void> {
    const n = this.node(name);
    const info = await this.docker.getContainer(n.container).inspect();
    if (!info.State.Running) await this.docker.getContainer(n.container).start();
    await this.waitServing(name);
  }

  // --- pause / unpause ----------------------------------------------------------------------

  /** Freezes every process of the node (cgroup freezer). Verified: a request times out. */
  async pause(name: string): Promise<void> {
    const n = this.node(name);
    await this.docker.getContainer(n.container).pause();
    const r = await this.probe(name, 500);
    if (r.state !== 'timeout') throw notEffective(`pause ${name}`, `expected a request to time out, got ${r.state}`);
  }

  async unpause(name: string): Promise<void> {
    const n = this.node(name);
    const info = await this.docker.getContainer(n.container).inspect();
    if (info.State.Paused) await this.docker.getContainer(n.container).unpause();
    await this.waitServing(name);
  }

  // --- isolate / heal (iptables inside the node) ----------------------------------------------

  private async ipOf(name: string): Promise<string> {
    // The proxy is a peer of every node: all client traffic reaches a node through it.
    const container = name === PROXY_PEER ? this.plan.toxiproxy.container : this.node(name).container;
    const info = await this.docker.getContainer(container).inspect();
    const ip = info.NetworkSettings.Networks[this.plan.network]?.IPAddress;
    if (!ip) throw new HarnessError('INTERNAL', `${name} has no address on the ${this.plan.network} network`);
    return ip;
  }

  /** Can `from` open a TCP connection to `to`'s service port, over the Docker network? */
  async canReach(from: string, to: string): Promise<boolean> {
    const target = this.node(to);
    const r = await execIn(this.docker, this.node(from).container, ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${target.name}/${target.internalPort}`], 5000);
    return r.exitCode === 0;
  }

  /**
   * Drops all traffic between `name` and each of `peers` with iptables rules inside `name`
   * (both directions). Client traffic through Toxiproxy is untouched. Verified: `name` can no
   * longer open a connection to any peer.
   */
  async isolate(name: string, peers: readonly string[]): Promise<void> {
    const n = this.node(name);
    if (peers.length === 0) throw new UsageError(`isolate ${name}: name at least one peer`);
    const ips = await Promise.all(peers.map((p) => this.ipOf(p)));
    const script = [
      hooked(CHAIN, 'INPUT'),
      hooked(CHAIN, 'OUTPUT'),
      ...ips.flatMap((ip) => [`iptables -A ${CHAIN} -s ${ip} -j DROP`, `iptables -A ${CHAIN} -d ${ip} -j DROP`]),
    ].join(' && ');
    await execChecked(this.docker, n.container, ['sh', '-c', script]);
    for (const p of peers) {
      if (await this.canReach(name, p)) throw notEffective(`isolate ${name} from ${p}`, `${name} can still connect to ${p}`);
    }
  }

  /**
   * Drops traffic between `name` and each of `peers` in one direction only, with iptables rules
   * inside `name`: 'inbound' drops packets from the peers (the node never hears them), 'outbound'
   * drops packets to them. TCP needs both directions, so either way no connection forms; what
   * differs is which side's datagrams and retransmissions still arrive. Verified with a
   * connection attempt in the dropped direction. Undone by clearIsolation / heal / healAll.
   */
  async oneWayDrop(name: string, peers: readonly string[], direction: 'inbound' | 'outbound'): Promise<void> {
    const n = this.node(name);
    if (peers.length === 0) throw new UsageError(`oneWayDrop ${name}: name at least one peer`);
    const ips = await Promise.all(peers.map((p) => this.ipOf(p)));
    const script =
      direction === 'inbound'
        ? [hooked(CHAIN_IN, 'INPUT'), ...ips.map((ip) => `iptables -A ${CHAIN_IN} -s ${ip} -j DROP`)]
        : [hooked(CHAIN_OUT, 'OUTPUT'), ...ips.map((ip) => `iptables -A ${CHAIN_OUT} -d ${ip} -j DROP`)];
    await execChecked(this.docker, n.container, ['sh', '-c', script.join(' && ')]);
    for (const p of peers) {
      if (p === PROXY_PEER) {
        // Either direction breaks a request/reply through the proxy: a client's request never
        // arrives, or its reply never leaves.
        const port = n.proxies[0]?.port;
        if (port === undefined || (await driverFor(n.system).passesTraffic(HOST, port, 1000))) throw notEffective(`oneWayDrop ${direction} ${name} / ${p}`, `a request through the proxy still reaches ${name} and comes back`);
        continue;
      }
      const reached = direction === 'inbound' ? await this.canReach(p, name) : await this.canReach(name, p);
      if (reached) throw notEffective(`oneWayDrop ${direction} ${name} / ${p}`, direction === 'inbound' ? `${p} can still connect to ${name}` : `${name} can still connect to ${p}`);
    }
  }

  /**
   * Drops each packet the node sends or receives (loopback excepted) with `probability`, with an
   * iptables `statistic` rule inside it; a second call replaces the first. The kernel has no
   * netem, so this is how packet loss is made. Verified by reading the rule back (a probe cannot
   * prove a random drop). Undone by clearPacketLoss / healAll.
   */
  async packetLoss(name: string, probability: number): Promise<void> {
    const n = this.node(name);
    if (!Number.isFinite(probability) || probability <= 0 || probability > 1) {
      throw new UsageError(`packet loss probability must be above 0 and at most 1, got ${probability}`);
    }
    const script = [
      hooked(CHAIN_LOSS, 'INPUT', '! -i lo'),
      hooked(CHAIN_LOSS, 'OUTPUT', '! -o lo'),
      `iptables -F ${CHAIN_LOSS}`,
      `iptables -A ${CHAIN_LOSS} -m statistic --mode random --probability ${probability} -j DROP`,
    ].join(' && ');
    await execChecked(this.docker, n.container, ['sh', '-c', script]);
    const listed = await this.rulesOf(name);
    const loss = listed.filter((r) => r.startsWith(`-A ${CHAIN_LOSS} `));
    const p = Number(/--probability (\S+)/.exec(loss[0] ?? '')?.[1]);
    if (loss.length !== 1 || !(Math.abs(p - probability) < 1e-6)) throw notEffective(`packet loss ${probability} on ${name}`, `the rules read back are: ${loss.join('; ') || 'none'}`);
    for (const hook of [`-A INPUT ! -i lo -j ${CHAIN_LOSS}`, `-A OUTPUT ! -o lo -j ${CHAIN_LOSS}`]) {
      if (!listed.includes(hook)) throw notEffective(`packet loss ${probability} on ${name}`, `the jump '${hook}' is missing`);
    }
  }

  /** Removes the node's packet loss rule, without checking. */
  async clearPacketLoss(name: string): Promise<void> {
    await execChecked(this.docker, this.node(name).container, ['sh', '-c', `iptables -F ${CHAIN_LOSS} 2>/dev/null || true`]);
  }

  /**
   * The node's iptables rules that matter to lockbench, as `iptables -S` prints them: the jumps
   * into its chains and the rules inside them.
   */
  async rulesOf(name: string): Promise<string[]> {
    const out = await execChecked(this.docker, this.node(name).container, ['sh', '-c', `iptables -S INPUT; iptables -S OUTPUT; for c in ${CHAINS.join(' ')}; do iptables -S $c 2>/dev/null; done; true`]);
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('-A ') && CHAINS.some((c) => l.includes(` ${c} `) || l.endsWith(` ${c}`)));
  }

  /** Fault rules still in place on running nodes (jumps excluded): what a heal has left behind. */
  async leftoverRules(): Promise<{ readonly node: string; readonly rules: readonly string[] }[]> {
    const out: { node: string; rules: string[] }[] = [];
    for (const n of this.plan.nodes) {
      const state = (await this.docker.getContainer(n.container).inspect()).State;
      if (!state.Running || state.Paused) continue;
      const rules = (await this.rulesOf(n.name)).filter((r) => CHAINS.some((c) => r.startsWith(`-A ${c} `)));
      if (rules.length > 0) out.push({ node: n.name, rules });
    }
    return out;
  }

  /** Removes every isolation rule from the node (isolate and oneWayDrop), without checking (see heal). */
  async clearIsolation(name: string): Promise<void> {
    await execChecked(this.docker, this.node(name).container, ['sh', '-c', [CHAIN, CHAIN_IN, CHAIN_OUT].map((c) => `iptables -F ${c} 2>/dev/null || true`).join('; ')]);
  }

  /**
   * Removes every isolation rule from the node. Verified: it reaches its peers again, so the
   * peers' own rules against it must be cleared first (clearIsolation) when both sides have them.
   */
  async heal(name: string): Promise<void> {
    const n = this.node(name);
    await this.clearIsolation(name);
    const peers = nodesOf(this.plan, n.system).filter((p) => p.name !== name);
    for (const p of peers) {
      const running = (await this.docker.getContainer(p.container).inspect()).State;
      if (!running.Running || running.Paused) continue;
      if (!(await this.canReach(name, p.name))) throw notEffective(`heal ${name}`, `${name} still cannot reach ${p.name}`);
    }
  }

  // --- wall clock -------------------------------------------------------------------------------

  /**
   * The node's wall clock minus the host's, in ms, and the read's resolution: the server process's
   * own clock where its driver can read it (NodeFaultHooks.wallClock), else `date` inside the node.
   */
  async clockOffsetMs(name: string): Promise<{ readonly offsetMs: number; readonly resolutionMs: number; readonly source: string }> {
    const n = this.node(name);
    const read = driverFor(n.system).faults.wallClock;
    const before = Date.now();
    if (read) {
      const r = await read(HOST, n.directPort, 2000);
      const after = Date.now();
      if (!r) throw new HarnessError('INTERNAL', `could not read ${name}'s own clock over its client port`);
      return { offsetMs: r.ms - (before + after) / 2, resolutionMs: r.resolutionMs + (after - before), source: `${name}'s server clock` };
    }
    const out = await execChecked(this.docker, n.container, ['date', '+%s%3N']);
    const after = Date.now();
    return { offsetMs: Number(out.trim()) - (before + after) / 2, resolutionMs: after - before, source: `date in ${name}` };
  }

  /**
   * Sets the node's wall-clock offset (ms; 0 restores it) through the skew shim. Only the node's
   * processes see it; the harness's clocks are untouched. Verified by reading the node's clock.
   */
  async setClockOffset(name: string, offsetMs: number): Promise<void> {
    if (!Number.isInteger(offsetMs)) throw new UsageError(`clock offset must be a whole number of ms, got ${offsetMs}`);
    await execChecked(this.docker, this.node(name).container, ['skewctl', String(offsetMs)]);
    const measured = await this.clockOffsetMs(name);
    if (Math.abs(measured.offsetMs - offsetMs) > 1000 + measured.resolutionMs) {
      throw notEffective(`clock offset ${offsetMs} ms on ${name}`, `${measured.source} is off by ${measured.offsetMs.toFixed(0)} ms`);
    }
  }

  // --- links (Toxiproxy) ------------------------------------------------------------------------

  /** The proxy carrying client slot `slot`'s traffic to `name`. */
  async link(slot: number, name: string): Promise<ToxiproxyProxy> {
    const p = this.node(name).proxies.find((x) => x.slot === slot);
    if (!p) throw new UsageError(`client slot ${slot} does not exist; the cluster has slots 0-${this.plan.config.clientSlots - 1}`);
    return this.toxiproxy.get(p.name);
  }

  linkPort(slot: number, name: string): number {
    const p = this.node(name).proxies.find((x) => x.slot === slot);
    if (!p) throw new UsageError(`client slot ${slot} does not exist`);
    return p.port;
  }

  /** Adds a toxic to a link; verified by reading it back from the API. Returns its name. */
  async addToxic(slot: number, name: string, toxic: { type: string; name?: string; stream?: ToxicDirection; toxicity?: number; attributes: Record<string, number> }): Promise<string> {
    const proxy = await this.link(slot, name);
    const stream = toxic.stream ?? 'downstream';
    const toxicName = toxic.name ?? `${toxic.type}_${stream}`;
    const body = { name: toxicName, type: toxic.type, stream, toxicity: toxic.toxicity ?? 1, attributes: toxic.attributes };
    try {
      await proxy.addToxic(body as Parameters<ToxiproxyProxy['addToxic']>[0]);
      await proxy.getToxic(toxicName);
    } catch (err) {
      throw new HarnessError('PROXY_API', `adding toxic ${toxicName} to ${proxy.name}: ${errorMessage(err)}`);
    }
    return toxicName;
  }

  async removeToxic(slot: number, name: string, toxicName: string): Promise<void> {
    const proxy = await this.link(slot, name);
    const toxic = await proxy.getToxic(toxicName);
    await toxic.remove();
  }

  /** Disables a link: its listener closes and open connections drop. Verified: connects are refused. */
  async disableLink(slot: number, name: string): Promise<void> {
    const proxy = await this.link(slot, name);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    if (await driverFor(this.node(name).system).passesTraffic(HOST, this.linkPort(slot, name), PROBE_TIMEOUT_MS)) {
      throw notEffective(`disable link c${slot}-${name}`, 'it still passes traffic');
    }
  }

  async enableLink(slot: number, name: string): Promise<void> {
    const proxy = await this.link(slot, name);
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const port = this.linkPort(slot, name);
    const driver = driverFor(this.node(name).system);
    await waitFor(() => driver.passesTraffic(HOST, port, PROBE_TIMEOUT_MS), {
      what: `link c${slot}-${name} to pass traffic again`,
      timeoutMs: 10_000,
    });
  }

  // --- peer links (systems whose members reach each other through Toxiproxy: peerLinks) ---------

  private peerPlan(name: string): { readonly name: string; readonly port: number } {
    const p = this.node(name).peerProxy;
    if (!p) throw new UsageError(`${name} has no peer link: its system's members reach each other directly`);
    return p;
  }

  /** Can node `from` open a TCP connection to `address` (host:port on the cluster network)? */
  async canConnect(from: string, address: string): Promise<boolean> {
    const i = address.lastIndexOf(':');
    const r = await execIn(this.docker, this.node(from).container, ['timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${address.slice(0, i)}/${address.slice(i + 1)}`], 5000);
    return r.exitCode === 0;
  }

  /** Another running member of `name`'s system, to check a peer link from. */
  private peerOf(name: string): string {
    const n = this.node(name);
    const other = nodesOf(this.plan, n.system).find((x) => x.name !== name);
    if (!other) throw new UsageError(`${name} has no other member to check its peer link from`);
    return other.name;
  }

  /** Cuts the link every other member uses to reach `name`: its listener closes and open connections (replication, monitoring) drop. Verified from another member. */
  async cutPeerLink(name: string): Promise<void> {
    const p = this.peerPlan(name);
    const proxy = await this.toxiproxy.get(p.name);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    if (await this.canConnect(this.peerOf(name), memberAddress(this.node(name)))) throw notEffective(`cut peer link ${p.name}`, 'another member can still connect through it');
  }

  /** Restores a cut peer link. Verified: another member connects through it again. */
  async restorePeerLink(name: string): Promise<void> {
    const p = this.peerPlan(name);
    const proxy = await this.toxiproxy.get(p.name);
    if (!proxy.enabled) await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const from = this.peerOf(name);
    await waitFor(() => this.canConnect(from, memberAddress(this.node(name))), { what: `peer link ${p.name} to accept connections again`, timeoutMs: 10_000 });
  }

  /** Adds a toxic to `name`'s peer link (what every other member's connection to it crosses); verified by reading it back. */
  async addPeerToxic(name: string, toxic: { type: string; name: string; stream: ToxicDirection; attributes: Record<string, number> }): Promise<void> {
    const proxy = await this.toxiproxy.get(this.peerPlan(name).name);
    try {
      await proxy.addToxic({ ...toxic, toxicity: 1 } as Parameters<ToxiproxyProxy['addToxic']>[0]);
      await proxy.getToxic(toxic.name);
    } catch (err) {
      throw new HarnessError('PROXY_API', `adding toxic ${toxic.name} to ${proxy.name}: ${errorMessage(err)}`);
    }
  }

  /** Removes a toxic from a peer link; one already gone (a reset healed it) is no error. */
  async removePeerToxic(name: string, toxicName: string): Promise<void> {
    const proxy = await this.toxiproxy.get(this.peerPlan(name).name);
    let toxic: Awaited<ReturnType<ToxiproxyProxy['getToxic']>>;
    try {
      toxic = await proxy.getToxic(toxicName);
    } catch (err) {
      if (/404|not found/i.test(errorMessage(err))) return;
      throw new HarnessError('PROXY_API', `reading toxic ${toxicName} of ${proxy.name}: ${errorMessage(err)}`);
    }
    await toxic.remove();
  }

  /**
   * The time a Redis PING takes from another member through `name`'s peer link, ms: how a toxic
   * on the link is checked to have taken effect (the members of the systems with peer links speak
   * RESP).
   */
  async peerPingMs(name: string): Promise<number> {
    const [host, port] = memberAddress(this.node(name)).split(':');
    const script = `exec 3<>/dev/tcp/${host}/${port} || exit 3; s=$(date +%s%N); printf 'PING\r\n' >&3; read -t 10 -r line <&3 || exit 4; e=$(date +%s%N); echo $(( (e - s) / 1000000 ))`;
    const out = await execChecked(this.docker, this.node(this.peerOf(name)).container, ['bash', '-c', script], 15_000);
    const ms = Number(out.trim());
    if (!Number.isFinite(ms)) throw new HarnessError('INTERNAL', `timing a PING through ${name}'s peer link printed '${out.trim()}'`);
    return ms;
  }

  /**
   * Splits the members into two sides that cannot reach each other, with iptables rules inside
   * each node: traffic to and from the other side's nodes is dropped, and so is traffic to their
   * peer links (which all pass through the Toxiproxy container, so they are told apart by port).
   * Clients are untouched. Verified: no node reaches any node of the other side. Undone by
   * clearIsolation / heal / healAll, like isolate.
   */
  async splitMembers(a: readonly string[], b: readonly string[]): Promise<void> {
    if (a.length === 0 || b.length === 0) throw new UsageError('splitMembers: both sides need at least one node');
    const proxyIp = await this.ipOf(PROXY_PEER);
    const rulesAgainst = async (others: readonly string[]): Promise<string[]> => {
      const rules: string[] = [];
      for (const o of others) {
        const ip = await this.ipOf(o);
        rules.push(`iptables -A ${CHAIN} -s ${ip} -j DROP`, `iptables -A ${CHAIN} -d ${ip} -j DROP`);
        const peer = this.node(o).peerProxy;
        if (peer) rules.push(`iptables -A ${CHAIN} -d ${proxyIp} -p tcp --dport ${peer.port} -j DROP`);
      }
      return rules;
    };
    for (const [side, others] of [
      [a, b],
      [b, a],
    ] as const) {
      const rules = await rulesAgainst(others);
      for (const n of side) await execChecked(this.docker, this.node(n).container, ['sh', '-c', [hooked(CHAIN, 'INPUT'), hooked(CHAIN, 'OUTPUT'), ...rules].join(' && ')]);
    }
    // Every pair at once: each blocked attempt waits out its connect timeout.
    const pairs = [...a.flatMap((n) => b.map((o) => [n, o] as const)), ...b.flatMap((n) => a.map((o) => [n, o] as const))];
    const reached = await Promise.all(pairs.map(async ([n, o]) => ((await this.canConnect(n, memberAddress(this.node(o)))) ? `${n} → ${o}` : undefined)));
    const open = reached.filter((x) => x !== undefined);
    if (open.length > 0) throw notEffective(`split ${a.join(',')} | ${b.join(',')}`, `still connected: ${open.join(', ')}`);
  }

  /**
   * Undo every primitive at once: unpause, start, every lockbench iptables rule flushed, clock
   * offsets 0, proxies reset. Goes on past a node it cannot heal (its container removed from
   * outside, say), and then throws one HEAL_INCOMPLETE naming each and how to repair the cluster.
   */
  async healAll(): Promise<void> {
    const failed: HealFailure[] = [];
    const note = (what: string, err: unknown): void => {
      const gone = (err as { statusCode?: number }).statusCode === 404;
      failed.push({ what, cause: gone ? 'its container is gone (removed outside lockbench)' : errorMessage(err) });
    };
    await this.toxiproxy.reset().catch((err: unknown) => note('the proxies', err));
    if (!this.plan.external) {
      const healthy: NodePlan[] = [];
      for (const n of this.plan.nodes) {
        try {
          const state = (await this.docker.getContainer(n.container).inspect()).State;
          if (state.Paused) await this.docker.getContainer(n.container).unpause();
          else if (!state.Running) await this.docker.getContainer(n.container).start();
          healthy.push(n);
        } catch (err) {
          note(n.name, err);
        }
      }
      const reset = await Promise.allSettled(healthy.map((n) => resetNodeState(this.docker, n)));
      const serving = await Promise.allSettled(healthy.map((n) => this.waitServing(n.name)));
      healthy.forEach((n, i) => {
        const r = reset[i];
        const w = serving[i];
        if (r?.status === 'rejected') note(n.name, r.reason);
        else if (w?.status === 'rejected') note(n.name, w.reason);
      });
    }
    if (failed.length > 0) {
      const engine = this.plan.external ? true : await this.docker.ping().then(
        () => true,
        () => false,
      );
      throw new HarnessError('HEAL_INCOMPLETE', healFailureText(failed, engine));
    }
  }

}
