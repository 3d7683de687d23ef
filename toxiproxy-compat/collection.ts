// All proxies of one server by name, and the operations that span them: create, populate, delete,
// reset. Operations are serialised, because binding is asynchronous here while Go holds a lock.
import { PopulateError, ToxiproxyApiError, missingField, proxyExists, proxyNotFound } from './errors.ts';
import type { EventSink } from './events.ts';
import { ProxyInstance } from './proxy.ts';

export interface ProxyInput {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

export class ProxyCollection {
  private readonly proxies = new Map<string, ProxyInstance>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly emit: EventSink) {}

  /** Runs `operation` after every earlier one has finished. */
  exclusive<T>(operation: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(operation, operation);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Sorted by name, as Go's encoding of a map. */
  all(): ProxyInstance[] {
    return [...this.proxies.keys()].sort().flatMap((name) => {
      const proxy = this.proxies.get(name);
      return proxy === undefined ? [] : [proxy];
    });
  }

  get(name: string): ProxyInstance {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw proxyNotFound();
    return proxy;
  }

  /** 409 before any bind; a failed bind leaves nothing behind. */
  async add(input: ProxyInput): Promise<ProxyInstance> {
    if (this.proxies.has(input.name)) throw proxyExists();
    const proxy = new ProxyInstance(input.name, input.listen, input.upstream, this.emit);
    if (input.enabled) await proxy.start();
    this.proxies.set(input.name, proxy);
    proxy.announceStateChanges = true;
    this.emit({ kind: 'proxy-created', proxy: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled });
    return proxy;
  }

  /**
   * Validates every entry first, then creates or replaces them in order. An entry equal to an
   * existing proxy (same resolved listen and upstream) is kept as it is, toxics and enabled state
   * included; a different one replaces it. On a failure the proxies done so far are reported.
   */
  async populate(inputs: readonly ProxyInput[]): Promise<ProxyInstance[]> {
    inputs.forEach((input, i) => {
      if (input.name === '') throw missingField('name', ` at proxy ${i + 1}`);
      if (input.upstream === '') throw missingField('upstream', ` at proxy ${i + 1}`);
    });
    const done: ProxyInstance[] = [];
    for (const input of inputs) {
      try {
        const existing = this.proxies.get(input.name);
        if (existing !== undefined) {
          if (!(await existing.differs(input))) {
            done.push(existing);
            continue;
          }
          this.remove(input.name);
        }
        done.push(await this.add(input));
      } catch (err) {
        const failure = err instanceof ToxiproxyApiError ? err : new ToxiproxyApiError(500, String(err), { cause: err });
        throw new PopulateError(failure, done);
      }
    }
    return done;
  }

  remove(name: string): void {
    const proxy = this.get(name);
    proxy.announceStateChanges = false;
    proxy.stop();
    this.proxies.delete(name);
    this.emit({ kind: 'proxy-deleted', proxy: name });
  }

  /** Enables every proxy (also ones created disabled) and removes every toxic; deletes nothing. */
  async reset(): Promise<void> {
    for (const proxy of this.all()) {
      await proxy.start();
      proxy.toxics.removeAll();
    }
    this.emit({ kind: 'reset' });
  }

  closeAll(): void {
    for (const proxy of this.all()) {
      proxy.announceStateChanges = false;
      proxy.stop();
    }
    this.proxies.clear();
  }
}
