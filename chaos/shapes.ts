// Partition shapes as data. Client-side shapes say, per client, which nodes it loses (its
// Toxiproxy links to them are cut); server-side shapes split the ZooKeeper ensemble into groups
// that cannot reach each other (iptables inside the nodes). Pure and seeded, so a schedule can
// be written down before it runs.

export interface ClientCut {
  readonly client: number;
  /** Nodes this client can no longer reach. */
  readonly nodes: readonly string[];
}

function pickSubset(nodes: readonly string[], size: number, random: () => number): string[] {
  const pool = [...nodes];
  const out: string[] = [];
  while (out.length < size && pool.length > 0) {
    const [n] = pool.splice(Math.floor(random() * pool.length), 1);
    if (n !== undefined) out.push(n);
  }
  return out.sort();
}

/** Who loses what, for a client-side shape over `nodes` (e.g. redis-1..5) and clients 0..clients-1. */
export function clientCuts(shape: 'one' | 'minority' | 'majority' | 'majorities-ring' | 'bridge', nodes: readonly string[], clients: number, random: () => number): ClientCut[] {
  const n = nodes.length;
  const quorum = Math.floor(n / 2) + 1;
  const all = Array.from({ length: clients }, (_, i) => i);
  const everyone = (lost: readonly string[]): ClientCut[] => all.map((client) => ({ client, nodes: lost }));
  switch (shape) {
    case 'one':
      return everyone(pickSubset(nodes, 1, random));
    case 'minority':
      return everyone(pickSubset(nodes, Math.max(1, n - quorum), random));
    case 'majority':
      return everyone(pickSubset(nodes, quorum, random));
    case 'majorities-ring':
      // Client i sees the majority starting at node i: every client has a majority, no two the same.
      return all.map((client) => {
        const seen = new Set(Array.from({ length: quorum }, (_, k) => nodes[(client + k) % n]));
        return { client, nodes: nodes.filter((x) => !seen.has(x)) };
      });
    case 'bridge': {
      // Even clients see the first majority, odd clients the last; they share the middle node(s).
      const first = new Set(nodes.slice(0, quorum));
      const last = new Set(nodes.slice(n - quorum));
      return all.map((client) => ({ client, nodes: nodes.filter((x) => !(client % 2 === 0 ? first : last).has(x)) }));
    }
  }
}

/** The node(s) both sides of a bridge reach: the ones a construction fault hits. */
export function bridgeNodes(nodes: readonly string[]): string[] {
  const quorum = Math.floor(nodes.length / 2) + 1;
  const first = new Set(nodes.slice(0, quorum));
  return nodes.slice(nodes.length - quorum).filter((x) => first.has(x));
}

/** Server-side groups: nodes in different groups cannot reach each other. */
export function serverGroups(shape: 'isolate-one' | 'halves', nodes: readonly string[], random: () => number): string[][] {
  if (shape === 'isolate-one') {
    const [lonely] = pickSubset(nodes, 1, random);
    return [[lonely ?? ''], nodes.filter((x) => x !== lonely)];
  }
  const minority = pickSubset(nodes, Math.floor(nodes.length / 2), random);
  return [minority, nodes.filter((x) => !minority.includes(x))];
}
