// What lockbench asks of an external target's services itself, as the user's account: what each
// endpoint is (role, version; a wrong credential is a usage error here, before anything runs),
// and the run's namespace — is anything there already, make room for it, remove what the run
// wrote. Each operation touches only the namespace: Redis keys "<namespace>:*" (SCAN MATCH, never
// KEYS or FLUSH*), the ZooKeeper subtree "/<namespace>", etcd keys with prefix "/<namespace>/".
import { Redis } from 'ioredis';
import { errorMessage, HarnessError, UsageError } from '../../core/errors.ts';
import { etcdAccess, redisAccess } from '../../core/access.ts';
import { countZkTree, deleteZkTree, ensureZkPath, openZkSession, type ZkSession } from '../systems/zookeeper/session.ts';
import { zkCommand } from '../systems/zookeeper/probes.ts';
import { fieldsOf, infoFields, respCommand, RespError } from '../systems/redis-sentinel/resp.ts';
import { credentialEnvNames, type Access, type ExternalSystemName } from '../../core/access.ts';
import type { ExternalSystem, HostPort } from './target.ts';

const TIMEOUT_MS = 5000;

export interface EndpointAnswer {
  readonly address: string;
  readonly role: string;
  readonly version: string;
}

interface ServiceOps {
  /** Connects as the account and says what the endpoint is; a refused credential throws UsageError. */
  describe(e: HostPort, s: ExternalSystem): Promise<EndpointAnswer>;
  /** How many keys / znodes / etcd keys the namespace holds now (on every endpoint that holds data). */
  countUnder(s: ExternalSystem, ns: string): Promise<number>;
  /** Whatever the locks need before they write under the namespace (ZooKeeper: its chroot znode). */
  prepare(s: ExternalSystem, ns: string): Promise<void>;
  /** Removes everything under the namespace; returns how many it removed. */
  removeUnder(s: ExternalSystem, ns: string): Promise<number>;
  /** The nodes behind the endpoints, where the endpoints are a directory (Sentinel's data nodes). */
  readonly members?: (s: ExternalSystem) => Promise<HostPort[]>;
}

const addr = (e: HostPort): string => `${e.host}:${e.port}`;
const asEndpoint = (e: HostPort, s: ExternalSystem): HostPort & Access => ({ host: e.host, port: e.port, credentials: s.credentials });

function badCredential(system: string, e: HostPort, detail: string): UsageError {
  const vars = credentialEnvNames().filter((v) => v.startsWith(`LOCKBENCH_${system.toUpperCase()}_`));
  return new UsageError(`${system} at ${addr(e)} refused lockbench's credentials (${detail}); set them in the target file's "${system}" entry or in ${vars.join(', ')}`);
}

function unreachable(system: string, e: HostPort, err: unknown): HarnessError {
  return new UsageError(`${system} at ${addr(e)} does not answer (${errorMessage(err)}); check the endpoint, or that lockbench may reach it from here`);
}

// --- Redis -------------------------------------------------------------------------------------------

async function withRedis<T>(e: HostPort, s: ExternalSystem, fn: (r: Redis) => Promise<T>): Promise<T> {
  const { keyPrefix: _unused, ...access } = redisAccess(asEndpoint(e, s));
  const r = new Redis({ host: e.host, port: e.port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: TIMEOUT_MS, commandTimeout: TIMEOUT_MS, ...access });
  // A refused AUTH reaches the 'error' event, and connect() rejects only with "Connection is closed".
  let lastError = '';
  r.on('error', (err: unknown) => {
    lastError = errorMessage(err);
  });
  try {
    try {
      await r.connect();
    } catch (err) {
      const m = lastError || errorMessage(err);
      if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(m)) throw badCredential('redis', e, m.split('\n')[0] ?? m);
      throw unreachable('redis', e, err);
    }
    try {
      return await fn(r);
    } catch (err) {
      if (/NOAUTH|NOPERM/.test(errorMessage(err))) throw badCredential('redis', e, errorMessage(err));
      throw err;
    }
  } finally {
    r.disconnect();
  }
}

/**
 * Each master's keys under the namespace, one connection per endpoint. Only masters hold the keys
 * a lock writes; a replica refuses writes and would count them twice.
 */
async function onMasters(s: ExternalSystem, ns: string, each: (r: Redis, keys: string[]) => Promise<number>): Promise<number> {
  let n = 0;
  for (const e of s.endpoints) {
    await withRedis(e, s, async (r) => {
      if ((await r.role())[0] !== 'master') return;
      await scanNamespace(r, ns, async (keys) => {
        n += await each(r, keys);
      });
    });
  }
  return n;
}

async function scanNamespace(r: Redis, ns: string, each: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  const deadline = Date.now() + 60_000;
  do {
    if (Date.now() > deadline) throw new HarnessError('WAIT_TIMEOUT', `scanning Redis for keys under ${ns}: over 60 s`);
    const [next, keys] = await r.scan(cursor, 'MATCH', `${ns}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await each(keys);
  } while (cursor !== '0');
}

const redisOps: ServiceOps = {
  describe: (e, s) =>
    withRedis(e, s, async (r) => {
      const info = await r.info('server');
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
      const first: unknown = (await r.role())[0];
      const role = typeof first === 'string' ? first : 'unknown';
      return { address: addr(e), role, version };
    }),
  countUnder: (s, ns) => onMasters(s, ns, (_r, keys) => Promise.resolve(keys.length)),
  prepare: () => Promise.resolve(),
  // Every key came from a SCAN MATCH "<ns>:*", checked again here: nothing outside is deleted.
  removeUnder: (s, ns) =>
    onMasters(s, ns, async (r, keys) => {
      const mine = keys.filter((k) => k.startsWith(`${ns}:`));
      return mine.length > 0 ? r.unlink(...mine) : 0;
    }),
};

// --- ZooKeeper ---------------------------------------------------------------------------------------

type Zk = ZkSession['zk'];

async function withZk<T>(s: ExternalSystem, fn: (zk: Zk) => Promise<T>): Promise<T> {
  const first = s.endpoints[0] ?? { host: '?', port: 0 };
  let session: ZkSession;
  try {
    session = await openZkSession(s.endpoints.map(addr).join(','), 15_000, s.credentials.digest);
  } catch (err) {
    if (s.credentials.digest !== undefined && /digest/.test(errorMessage(err))) throw badCredential('zookeeper', first, errorMessage(err));
    throw unreachable('zookeeper', first, err);
  }
  try {
    return await fn(session.zk);
  } finally {
    await session.close();
  }
}

const zookeeperOps: ServiceOps = {
  async describe(e, s) {
    const one = { ...s, endpoints: [e] };
    // The client API has no version call: the session proves the endpoint serves, and `srvr` (the
    // one four-letter word ZooKeeper allows by default since 3.5) adds mode and version where the
    // operator has not turned it off.
    await withZk(one, async (zk) => {
      await zk.exists('/', false);
    });
    const srvr = await zkCommand(e.host, e.port, 'srvr', 2000);
    const reply = srvr.state === 'answered' ? srvr.reply : '';
    const role = /Mode:\s*(\w+)/.exec(reply)?.[1] ?? 'serving';
    const version = /Zookeeper version:\s*([^,\s]+)/.exec(reply)?.[1] ?? 'unknown (srvr not allowed)';
    return { address: addr(e), role, version };
  },
  countUnder: (s, ns) => withZk(s, (zk) => countZkTree(zk, `/${ns}`)),
  prepare: (s, ns) => withZk(s, (zk) => ensureZkPath(zk, `/${ns}`)),
  // The namespace's own znode and its parents that lockbench made (lockbench/<run-id>: both) go too,
  // when nothing else lives in them.
  async removeUnder(s, ns) {
    return withZk(s, async (zk) => {
      const before = await countZkTree(zk, `/${ns}`);
      await deleteZkTree(zk, `/${ns}`);
      const left = await countZkTree(zk, `/${ns}`);
      if (left > 0) throw new HarnessError('CLEANUP_FAILED', `${left} znode(s) under /${ns} could not be removed`);
      const parts = ns.split('/');
      for (let i = parts.length - 1; i >= 1; i--) {
        const parent = '/' + parts.slice(0, i).join('/');
        const others: string[] = await zk.get_children(parent, false).catch(() => ['?']);
        if (others.length > 0 || parts[0] !== 'lockbench') break;
        await zk.delete_(parent, -1).catch(() => undefined);
      }
      return before;
    });
  },
};

// --- etcd --------------------------------------------------------------------------------------------

async function withEtcd<T>(endpoints: readonly HostPort[], s: ExternalSystem, fn: (c: import('etcd3').Etcd3) => Promise<T>): Promise<T> {
  const { Etcd3 } = await import('etcd3');
  const eps = endpoints.map((e) => asEndpoint(e, s));
  const access = etcdAccess(eps);
  const c = new Etcd3({ hosts: eps.map((e) => `${access.scheme}://${e.host}:${e.port}`), ...access.options, defaultCallOptions: () => ({ deadline: Date.now() + TIMEOUT_MS }) });
  try {
    return await fn(c);
  } catch (err) {
    const m = errorMessage(err);
    if (/authentication failed|invalid auth token|permission denied|user name is empty/i.test(m)) throw badCredential('etcd', endpoints[0] ?? { host: '?', port: 0 }, m);
    throw err instanceof UsageError ? err : unreachable('etcd', endpoints[0] ?? { host: '?', port: 0 }, err);
  } finally {
    c.close();
  }
}

const etcdOps: ServiceOps = {
  describe: (e, s) =>
    withEtcd([e], s, async (c) => {
      const st = await c.maintenance.status();
      const role = st.leader === st.header.member_id ? 'leader' : 'follower';
      return { address: addr(e), role, version: st.version };
    }),
  countUnder: (s, ns) => withEtcd(s.endpoints, s, (c) => c.getAll().prefix(`/${ns}/`).count()),
  prepare: () => Promise.resolve(),
  removeUnder: (s, ns) => withEtcd(s.endpoints, s, async (c) => Number((await c.delete().prefix(`/${ns}/`).exec()).deleted)),
};

// --- Redis with Sentinel -------------------------------------------------------------------------------

/**
 * The data nodes, primary first, as the first Sentinel that knows the master names them (SENTINEL
 * get-master-addr-by-name, SENTINEL replicas; replicas it flags down or disconnected are left out).
 * These are the addresses a Sentinel hands a client, so the lock clients' natMap maps exactly them.
 */
export async function discoverMembers(s: ExternalSystem): Promise<HostPort[]> {
  const master = s.master ?? '';
  const errors: string[] = [];
  for (const e of s.endpoints) {
    const v = await respCommand(e.host, e.port, ['SENTINEL', 'get-master-addr-by-name', master], TIMEOUT_MS);
    if (v === undefined) errors.push(`${addr(e)} does not answer`);
    else if (v instanceof RespError) errors.push(`${addr(e)}: ${v.message}`);
    else if (!Array.isArray(v) || typeof v[0] !== 'string' || v[1] === undefined) errors.push(`${addr(e)} knows no master named '${master}'`);
    else {
      const primary = { host: v[0], port: Number(v[1]) };
      const listed = await respCommand(e.host, e.port, ['SENTINEL', 'replicas', master], TIMEOUT_MS);
      const replicas = (Array.isArray(listed) ? (listed as readonly (readonly string[])[]) : [])
        .map((x) => fieldsOf(x))
        .filter((f) => f['ip'] !== undefined && f['port'] !== undefined && !/s_down|o_down|disconnected/.test(f['flags'] ?? ''))
        .map((f) => ({ host: f['ip'] ?? '', port: Number(f['port']) }));
      return [primary, ...replicas];
    }
  }
  throw new UsageError(`no Sentinel named a primary for the master '${master}' (${errors.join('; ')}); check --sentinel (the Sentinels' host:port) and --sentinel-master (the name in their "sentinel monitor <name> …" line)`);
}

/** The data nodes as a Redis system of their own, with the Sentinel entry's account. */
async function dataNodes(s: ExternalSystem): Promise<ExternalSystem> {
  return { ...s, endpoints: s.members ?? (await discoverMembers(s)) };
}

const sentinelOps: ServiceOps = {
  async describe(e, s) {
    // The data nodes as this Sentinel names them; they answer as themselves, with the account (a wrong one is refused here).
    const members = { ...s, endpoints: await discoverMembers({ ...s, endpoints: [e] }) };
    const [primary] = members.endpoints;
    const version = infoFields(await respCommand(e.host, e.port, ['INFO', 'server'], TIMEOUT_MS))['redis_version'] ?? 'unknown';
    const roles = await Promise.all(members.endpoints.map(async (m) => `${addr(m)} ${(await redisOps.describe(m, members)).role}`));
    return { address: addr(e), role: `sentinel of '${s.master ?? ''}' (primary ${primary ? addr(primary) : '?'}; data nodes ${roles.join(', ')})`, version };
  },
  countUnder: async (s, ns) => redisOps.countUnder(await dataNodes(s), ns),
  prepare: () => Promise.resolve(),
  removeUnder: async (s, ns) => redisOps.removeUnder(await dataNodes(s), ns),
  members: discoverMembers,
};

export const serviceOps: Readonly<Record<ExternalSystemName, ServiceOps>> = { redis: redisOps, zookeeper: zookeeperOps, etcd: etcdOps, 'redis-sentinel': sentinelOps };

/** Every endpoint's answer, all systems at once. */
export async function describeTarget(systems: readonly ExternalSystem[]): Promise<{ readonly system: string; readonly answers: readonly EndpointAnswer[] }[]> {
  return Promise.all(systems.map(async (s) => ({ system: s.system, answers: await Promise.all(s.endpoints.map((e) => serviceOps[s.system].describe(e, s))) })));
}
