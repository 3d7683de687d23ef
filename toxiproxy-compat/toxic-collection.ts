// The toxics of one proxy, per direction in creation order, and the live patching of every open
// connection's links whenever one is added, updated or removed (Go's toxic_collection.go).
import type { Connection } from './connection.ts';
import { ToxiproxyApiError, toxicExists, toxicNotFound } from './errors.ts';
import type { EventSink } from './events.ts';
import type { ToxicSpec } from './link.ts';
import type { Attributes, Direction, ToxicDefinition } from './toxics.ts';

export interface ToxicRecord {
  readonly name: string;
  readonly definition: ToxicDefinition;
  /** The stream as the client spelled it; the real server echoes e.g. "UpStream" verbatim. */
  readonly stream: string;
  readonly direction: Direction;
  readonly toxicity: number;
  /** Every attribute of the type, defaulted to 0. */
  readonly attributes: Attributes;
}

export class ToxicCollection {
  private readonly chains: Record<Direction, ToxicRecord[]> = { upstream: [], downstream: [] };

  constructor(
    private readonly proxyName: string,
    private readonly liveConnections: () => Iterable<Connection>,
    private readonly emit: EventSink,
  ) {}

  /** Upstream toxics first, then downstream, each in chain order (as GET …/toxics lists them). */
  list(): ToxicRecord[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  specs(direction: Direction): ToxicSpec[] {
    return this.chains[direction].map(toSpec);
  }

  hasType(type: string): boolean {
    return this.list().some((t) => t.definition.type === type);
  }

  find(name: string): ToxicRecord | undefined {
    return this.list().find((t) => t.name === name);
  }

  get(name: string): ToxicRecord {
    const found = this.find(name);
    if (found === undefined) throw toxicNotFound();
    return found;
  }

  /** Names are unique across both directions. */
  assertNameFree(name: string): void {
    if (this.find(name) !== undefined) throw toxicExists();
  }

  add(toxic: ToxicRecord): ToxicRecord {
    this.assertNameFree(toxic.name);
    assertValid(toxic.definition, toxic.attributes);
    this.chains[toxic.direction].push(toxic);
    const spec = toSpec(toxic);
    for (const connection of this.snapshot()) connection.links[toxic.direction].addToxic(spec);
    this.emit({ kind: 'toxic-added', proxy: this.proxyName, toxic: toxic.name, type: toxic.definition.type, stream: toxic.stream });
    return toxic;
  }

  /** Merges attributes and replaces toxicity; name, type and stream never change. */
  update(name: string, attributes: Attributes, toxicity: number): ToxicRecord {
    const current = this.get(name);
    assertValid(current.definition, attributes);
    const updated: ToxicRecord = { ...current, attributes, toxicity };
    const chain = this.chains[current.direction];
    chain[chain.indexOf(current)] = updated;
    const spec = toSpec(updated);
    for (const connection of this.snapshot()) connection.links[current.direction].updateToxic(spec);
    this.emit({ kind: 'toxic-updated', proxy: this.proxyName, toxic: name });
    return updated;
  }

  remove(name: string): void {
    const current = this.get(name);
    const chain = this.chains[current.direction];
    chain.splice(chain.indexOf(current), 1);
    const connections = this.snapshot();
    for (const connection of connections) connection.links[current.direction].removeToxic(name);
    // Even links where toxicity rolled "off" are closed, as in Go's Cleanup.
    if (current.definition.closesOnRemove) for (const connection of connections) connection.close();
    this.emit({ kind: 'toxic-removed', proxy: this.proxyName, toxic: name });
  }

  removeAll(): void {
    for (const toxic of this.list()) this.remove(toxic.name);
  }

  private snapshot(): Connection[] {
    return [...this.liveConnections()];
  }
}

function toSpec(toxic: ToxicRecord): ToxicSpec {
  return { name: toxic.name, definition: toxic.definition, attributes: toxic.attributes, toxicity: toxic.toxicity };
}

function assertValid(definition: ToxicDefinition, attributes: Attributes): void {
  const problem = definition.validate(attributes);
  if (problem !== undefined) throw new ToxiproxyApiError(400, problem);
}
