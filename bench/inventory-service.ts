// The end-to-end case's system under test: a small inventory service over HTTP. Each purchase
// locks its SKU, reads the stock from the resource, writes stock − 1 if there is any, and releases
// — the read-modify-write a lock exists to protect. With a correct lock and no faults, stock never
// goes below zero and sold = start − end (the driver checks); the attempt log and the resource's
// audit log feed the overlap checker.
//   POST /purchase/<sku>  200 sold · 409 sold out · 503 lock timeout/unavailable · 500 unknown
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResourceClient } from '../resource/client.ts';
import { monoMs } from '../core/clock.ts';
import { withDeadline } from '../core/wait.ts';
import type { LockClient } from '../locks/lock-client.ts';
import { AttemptLog, OUTCOME } from './attempts.ts';
import { noErrors, type ErrorCounts } from './cycle-loop.ts';

export interface InventoryClient {
  readonly id: number;
  readonly lock: LockClient;
  readonly resource: ResourceClient;
}

export interface InventoryOptions {
  readonly clients: readonly InventoryClient[];
  readonly ttlMs: number;
  readonly waitMs: number;
}

export interface InventoryStats {
  readonly purchases: number;
  readonly soldOut: number;
  /** Requests answered 500/503. */
  readonly failed: number;
  readonly errors: ErrorCounts;
  /** Attempt rows; their keyIndex points into `keys`. */
  readonly log: Float64Array;
  readonly keys: readonly string[];
}

export interface InventoryService {
  readonly port: number;
  /** Stops accepting, waits for requests in flight (bounded), returns what the service did. */
  stop(): Promise<InventoryStats>;
}

export const skuKey = (sku: string): string => `inventory:${sku}`;

export async function startInventoryService(o: InventoryOptions): Promise<InventoryService> {
  const free = [...o.clients];
  const waiting: ((c: InventoryClient) => void)[] = [];
  const checkout = (): Promise<InventoryClient> => {
    const c = free.pop();
    return c ? Promise.resolve(c) : new Promise((resolve) => waiting.push(resolve));
  };
  const checkin = (c: InventoryClient): void => {
    const next = waiting.shift();
    if (next) next(c);
    else free.push(c);
  };
  const log = new AttemptLog(4096);
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const indexOf = (key: string): number => {
    let i = keyIndex.get(key);
    if (i === undefined) {
      i = keys.push(key) - 1;
      keyIndex.set(key, i);
    }
    return i;
  };
  const errors = noErrors();
  let purchases = 0;
  let soldOut = 0;
  let failed = 0;
  let inFlight = 0;

  const purchase = async (sku: string, res: ServerResponse): Promise<void> => {
    const c = await checkout();
    const key = skuKey(sku);
    const row = log.begin(c.id, monoMs(), indexOf(key));
    try {
      let outcome;
      try {
        outcome = await c.lock.acquire(key, { ttlMs: o.ttlMs, waitMs: o.waitMs });
      } catch {
        log.acquired(row, monoMs(), OUTCOME.info);
        errors.unknown++;
        failed++;
        res.writeHead(500).end('lock outcome unknown\n');
        return;
      }
      if (!outcome.acquired) {
        log.acquired(row, monoMs(), OUTCOME.fail);
        errors[outcome.reason]++;
        failed++;
        res.writeHead(503).end(`lock ${outcome.reason}\n`);
        return;
      }
      log.acquired(row, monoMs(), OUTCOME.ok, outcome.lease.validUntilMs);
      let status = 200;
      try {
        await c.resource.enter(key, c.id);
        const stock = await c.resource.read(key, c.id);
        if (stock > 0) {
          await c.resource.write(key, c.id, stock - 1);
          purchases++;
        } else {
          status = 409;
          soldOut++;
        }
        await c.resource.exit(key, c.id);
      } catch {
        status = 500;
        failed++;
      }
      log.releaseInvoked(row, monoMs());
      try {
        const r = await c.lock.release(outcome.lease);
        log.released(row, monoMs(), r === 'released' ? OUTCOME.ok : OUTCOME.fail);
        if (r !== 'released') errors.releaseNotHeld++;
      } catch {
        log.released(row, monoMs(), OUTCOME.info);
        errors.releaseUnknown++;
      }
      res.writeHead(status).end(status === 200 ? 'sold\n' : status === 409 ? 'sold out\n' : 'resource error\n');
    } finally {
      checkin(c);
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/purchase\/([\w-]+)$/.exec(req.url ?? '');
    // Drain the body (autocannon sends none; a client might).
    req.resume();
    if (req.method !== 'POST' || !m?.[1]) {
      res.writeHead(404).end();
      return;
    }
    inFlight++;
    purchase(m[1], res)
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => inFlight--);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests in flight finish within their lock wait budget plus the resource calls.
      const deadline = monoMs() + o.waitMs + 10_000;
      while (inFlight > 0 && monoMs() < deadline) await new Promise((r) => setTimeout(r, 10));
      server.closeAllConnections();
      await withDeadline(closed, 'the inventory service to close', 10_000).catch(() => undefined);
      return { purchases, soldOut, failed, errors, log: log.toArray(), keys };
    },
  };
}
