// The HTTP API of Toxiproxy 2.12: routing (gorilla/mux behaviour: 404 text for unknown paths,
// empty 405 for a wrong method), status codes, JSON shapes with Go's field order, and error bodies
// written the way Go's http.Error writes them. Every response also carries X-Toxiproxy-Compat so
// lockbench can tell this server from the real one.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyCollection } from './collection.ts';
import { decodeAttributes, decodeProxy, decodeProxyList, decodeToxicHeader, decodeToxicPatch, parseBody } from './decode.ts';
import { PopulateError, ToxiproxyApiError, missingField } from './errors.ts';
import type { ProxyInstance } from './proxy.ts';
import type { ToxicRecord } from './toxic-collection.ts';

export const COMPAT_HEADER = 'X-Toxiproxy-Compat';
export const COMPAT_HEADER_VALUE = 'lockbench';
export const TOXIPROXY_VERSION = '2.12.0';

// Far above any real request; only there so a runaway client cannot fill memory.
const MAX_BODY_BYTES = 1024 * 1024;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

interface RequestContext {
  readonly collection: ProxyCollection;
  readonly params: readonly string[];
  readonly body: () => unknown;
}

interface Reply {
  readonly status: number;
  readonly json?: unknown;
  /** Pre-serialised body with its own content type (only /version needs this). */
  readonly raw?: { readonly text: string; readonly contentType: string };
}

export function proxyJson(proxy: ProxyInstance): unknown {
  return {
    name: proxy.name,
    listen: proxy.listen,
    upstream: proxy.upstream,
    enabled: proxy.enabled,
    toxics: proxy.toxics.list().map(toxicJson),
  };
}

export function toxicJson(toxic: ToxicRecord): unknown {
  const attributes: Record<string, number> = {};
  for (const { name } of toxic.definition.attributes) attributes[name] = toxic.attributes[name] ?? 0;
  return { attributes, name: toxic.name, type: toxic.definition.type, stream: toxic.stream, toxicity: toxic.toxicity };
}

const proxyToxic = (ctx: RequestContext): { proxy: ProxyInstance; toxic: ToxicRecord } => {
  const proxy = ctx.collection.get(param(ctx, 0));
  return { proxy, toxic: proxy.toxics.get(param(ctx, 1)) };
};

function param(ctx: RequestContext, index: number): string {
  return ctx.params[index] ?? '';
}

async function updateProxy(ctx: RequestContext): Promise<Reply> {
  const proxy = ctx.collection.get(param(ctx, 0));
  const fields = decodeProxy(ctx.body(), { name: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled });
  await proxy.update(fields);
  return { status: 200, json: proxyJson(proxy) };
}

function updateToxic(ctx: RequestContext): Reply {
  const { proxy, toxic } = proxyToxic(ctx);
  const patch = decodeToxicPatch(ctx.body(), toxic.definition, toxic);
  return { status: 200, json: toxicJson(proxy.toxics.update(toxic.name, patch.attributes, patch.toxicity)) };
}

interface Route {
  /** Path segments; '*' matches one non-empty segment and becomes a parameter. */
  readonly pattern: readonly string[];
  readonly methods: Partial<Record<Method, Handler>>;
}

const routes: readonly Route[] = [
  {
    pattern: ['version'],
    methods: {
      GET: () => ({
        status: 200,
        raw: { text: `{"version": "${TOXIPROXY_VERSION}"}\n`, contentType: 'application/json;charset=utf-8' },
      }),
    },
  },
  {
    pattern: ['reset'],
    methods: {
      POST: async (ctx) => {
        await ctx.collection.reset();
        return { status: 204 };
      },
    },
  },
  {
    pattern: ['populate'],
    methods: {
      POST: async (ctx) => {
        const inputs = decodeProxyList(ctx.body());
        const proxies = await ctx.collection.populate(inputs);
        // The real server answers {"proxies":null} for [], which makes node-client's populate throw.
        return { status: 201, json: { proxies: proxies.map(proxyJson) } };
      },
    },
  },
  {
    pattern: ['proxies'],
    methods: {
      GET: (ctx) => {
        const all: Record<string, unknown> = {};
        for (const proxy of ctx.collection.all()) all[proxy.name] = proxyJson(proxy);
        return { status: 200, json: all };
      },
      POST: async (ctx) => {
        const fields = decodeProxy(ctx.body(), { name: '', listen: '', upstream: '', enabled: true });
        if (fields.name === '') throw missingField('name');
        if (fields.upstream === '') throw missingField('upstream');
        return { status: 201, json: proxyJson(await ctx.collection.add(fields)) };
      },
    },
  },
  {
    pattern: ['proxies', '*'],
    methods: {
      GET: (ctx) => ({ status: 200, json: proxyJson(ctx.collection.get(param(ctx, 0))) }),
      POST: updateProxy,
      PATCH: updateProxy,
      DELETE: (ctx) => {
        ctx.collection.remove(param(ctx, 0));
        return { status: 204 };
      },
    },
  },
  {
    pattern: ['proxies', '*', 'toxics'],
    methods: {
      GET: (ctx) => ({ status: 200, json: ctx.collection.get(param(ctx, 0)).toxics.list().map(toxicJson) }),
      POST: (ctx) => {
        const proxy = ctx.collection.get(param(ctx, 0));
        const header = decodeToxicHeader(ctx.body());
        proxy.toxics.assertNameFree(header.name);
        const attributes = decodeAttributes(header.definition, header.rawAttributes, {});
        const toxic = proxy.toxics.add({
          name: header.name,
          definition: header.definition,
          stream: header.stream,
          direction: header.direction,
          toxicity: header.toxicity,
          attributes,
        });
        // 200, not 201: the real server's answer to a toxic create.
        return { status: 200, json: toxicJson(toxic) };
      },
    },
  },
  {
    pattern: ['proxies', '*', 'toxics', '*'],
    methods: {
      GET: (ctx) => ({ status: 200, json: toxicJson(proxyToxic(ctx).toxic) }),
      POST: updateToxic,
      PATCH: updateToxic,
      DELETE: (ctx) => {
        const { proxy, toxic } = proxyToxic(ctx);
        proxy.toxics.remove(toxic.name);
        return { status: 204 };
      },
    },
  },
];

function match(segments: readonly string[]): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (route.pattern.length !== segments.length) continue;
    const params: string[] = [];
    const matched = route.pattern.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part === '*') {
        params.push(segment);
        return segment !== '';
      }
      return part === segment;
    });
    if (matched) return { route, params };
  }
  return undefined;
}

function pathSegments(url: string): string[] | undefined {
  const path = url.split('?')[0] ?? '';
  if (!path.startsWith('/')) return undefined;
  try {
    return path.slice(1).split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function requestId(): string {
  // Shaped like Go's xid: 20 characters of base32hex.
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  return [...randomBytes(20)].map((b) => alphabet[b % 32] ?? '0').join('');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let sizeBytes = 0;
    req.on('data', (part: Buffer) => {
      sizeBytes += part.length;
      if (sizeBytes > MAX_BODY_BYTES) {
        reject(new ToxiproxyApiError(400, 'bad request body: larger than 1 MiB'));
        req.destroy();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, contentType?: string, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.setHeader(COMPAT_HEADER, COMPAT_HEADER_VALUE);
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  if (contentType !== undefined) res.setHeader('Content-Type', contentType);
  res.statusCode = status;
  res.end(body);
}

/** Go's http.Error: text/plain, nosniff, and the body plus a newline. */
function sendError(res: ServerResponse, error: ToxiproxyApiError, extraHeaders: Record<string, string>): void {
  if (error instanceof PopulateError) {
    // /populate errors are JSON and list what was created before the failure.
    const body = JSON.stringify({ error: error.message, status: error.status, proxies: error.created.length === 0 ? null : error.created.map(proxyJson) });
    send(res, error.status, `${body}\n`, 'application/json', extraHeaders);
    return;
  }
  res.setHeader('X-Content-Type-Options', 'nosniff');
  send(res, error.status, `${JSON.stringify({ error: error.message, status: error.status })}\n`, 'text/plain; charset=utf-8', extraHeaders);
}

/** The request listener of the API server. */
export function createApiHandler(collection: ProxyCollection): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(collection, req, res).catch((err: unknown) => {
      const error = err instanceof ToxiproxyApiError ? err : new ToxiproxyApiError(500, String(err), { cause: err });
      sendError(res, error, {});
    });
  };
}

async function handle(collection: ProxyCollection, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    // The real server refuses browsers, so a web page cannot drive it (CSRF protection).
    send(res, 403, 'User agent not allowed\n', 'text/plain; charset=utf-8');
    return;
  }
  const segments = pathSegments(req.url ?? '/');
  const found = segments === undefined ? undefined : match(segments);
  if (found === undefined) {
    send(res, 404, '404 page not found\n', 'text/plain; charset=utf-8');
    return;
  }
  const handler = found.route.methods[(req.method ?? 'GET') as Method];
  if (handler === undefined) {
    send(res, 405, '');
    return;
  }
  const headers = { 'X-Toxiproxy-Request-Id': requestId() };
  const text = await readBody(req);
  let parsed: { value: unknown } | undefined;
  const ctx: RequestContext = {
    collection,
    params: found.params,
    body: () => (parsed ??= { value: parseBody(text) }).value,
  };
  try {
    const reply = await collection.exclusive(() => handler(ctx));
    if (reply.raw !== undefined) send(res, reply.status, reply.raw.text, reply.raw.contentType, headers);
    else if (reply.json !== undefined) send(res, reply.status, JSON.stringify(reply.json), 'application/json', headers);
    else send(res, reply.status, '', undefined, headers);
  } catch (err) {
    const error = err instanceof ToxiproxyApiError ? err : new ToxiproxyApiError(500, String(err), { cause: err });
    sendError(res, error, headers);
  }
}
