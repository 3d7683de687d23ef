// WAN simulation: a latency toxic on both streams (upstream and downstream) of every client link
// — every client slot to every node — so a round trip grows by twice the injected one-way latency.
// Applied once per latency group of the sweep, verified by measuring that the round trip through a
// link grew, and always removed (the caller holds the returned handle in a finally / await using).
import type { ClusterControl } from '../clusters/node-faults.ts';
import { HarnessError, errorMessage } from '../core/errors.ts';
import { markInForce } from '../core/in-force.ts';
import { logger } from '../core/log.ts';

const log = logger('bench');
const TOXIC_PREFIX = 'bench_wan';

export interface WanLinks extends AsyncDisposable {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly links: number;
  remove(): Promise<void>;
}

/** Jitter for an injected latency: ±20%, in whole ms (Toxiproxy's attributes are integers). */
export function jitterFor(latencyMs: number): number {
  return Math.round(latencyMs * 0.2);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function limited<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const x = items[next++] as T;
        try {
          await fn(x);
        } catch (err) {
          errors.push(err);
        }
      }
    }),
  );
  if (errors.length > 0) throw new HarnessError('PROXY_API', `${errors.length} of ${items.length} toxic operations failed: ${errorMessage(errors[0])}`);
}

export async function addWanLatency(control: ClusterControl, latencyMs: number, jitterMs: number): Promise<WanLinks> {
  const links = control.plan.nodes.flatMap((n) => n.proxies.map((p) => ({ slot: p.slot, node: n.name })));
  const added: { slot: number; node: string; toxic: string }[] = [];
  const mark = markInForce(`latency toxics of ${latencyMs} ms on ${links.length} client links (bench WAN case)`);
  const remove = async (): Promise<void> => {
    const todo = added.splice(0);
    try {
      await limited(todo, 8, (t) => control.removeToxic(t.slot, t.node, t.toxic));
    } catch (err) {
      // A toxic left behind would slow every later case: reset the proxies as a last resort.
      log.warn(`removing latency toxics: ${errorMessage(err)}; resetting every proxy instead`);
      await control.toxiproxy.reset();
    }
    mark.release();
  };
  try {
    await limited(links, 8, async (l) => {
      for (const stream of ['upstream', 'downstream'] as const) {
        const toxic = await control.addToxic(l.slot, l.node, { type: 'latency', name: `${TOXIC_PREFIX}_${stream}`, stream, attributes: { latency: latencyMs, jitter: jitterMs } });
        added.push({ slot: l.slot, node: l.node, toxic });
      }
    });
  } catch (err) {
    await remove();
    throw err;
  }
  return { latencyMs, jitterMs, links: links.length, remove, [Symbol.asyncDispose]: remove };
}

/** Did the round trip grow by (most of) the two injected one-way latencies? */
export function latencyTookEffect(baseP50Ms: number, withToxicP50Ms: number, latencyMs: number): boolean {
  return withToxicP50Ms - baseP50Ms >= 2 * latencyMs * 0.75;
}
