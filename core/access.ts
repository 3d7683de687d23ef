// The account lockbench presents to a service it did not start (an external target:
// clusters/external/target.ts), and the namespace it writes under, in the shapes the client
// libraries take: the lock clients (locks/) and the target's own operations and floor
// (clusters/) build their connections from here, so no lock's algorithm changes. Lab endpoints
// carry neither, and every lock talks to the lab as before.
//   Redis      ioredis `keyPrefix` "<namespace>:" (every key a command names, EVAL's KEYS too),
//              `username`/`password` (AUTH / ACL), `tls`
//   ZooKeeper  a chroot "/<namespace>" on the connect string, digest auth (addAuthInfo)
//   etcd       keys under "/<namespace>" (the locks' roots), `auth`, `credentials` (TLS)
import { readFileSync } from 'node:fs';
import { registerSecret } from './secrets.ts';

/** Paths of PEM files. */
export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** What a client presents to one system: Redis AUTH / ACL user, ZooKeeper digest, etcd user, and TLS. */
export interface SystemCredentials {
  readonly username?: string;
  readonly password?: string;
  /** ZooKeeper digest auth, "user:password". */
  readonly digest?: string;
  readonly tls?: TlsFiles;
}

/** The systems an external target can name, with the flag that gives their endpoints. */
export const externalSystems = [
  { system: 'redis', flag: 'redis', env: 'REDIS', credentials: ['username', 'password', 'tls'] },
  { system: 'zookeeper', flag: 'zookeeper', env: 'ZOOKEEPER', credentials: ['digest'] },
  { system: 'etcd', flag: 'etcd', env: 'ETCD', credentials: ['username', 'password', 'tls'] },
  // The endpoints are the Sentinels; the account is the data nodes' (the Sentinels themselves are
  // asked without one). The data nodes are found by asking the Sentinels (clusters/external/services.ts).
  { system: 'redis-sentinel', flag: 'sentinel', env: 'SENTINEL', credentials: ['username', 'password'] },
] as const;
export type ExternalSystemName = (typeof externalSystems)[number]['system'];

export const envName = (system: string, field: string): string => `LOCKBENCH_${system}_${field.toUpperCase()}`;

/** The environment variables that carry credentials, for messages and docs. */
export function credentialEnvNames(): string[] {
  return externalSystems.flatMap((s) => s.credentials.flatMap((c) => (c === 'tls' ? ['TLS_CA', 'TLS_CERT', 'TLS_KEY'].map((f) => envName(s.env, f)) : [envName(s.env, c)])));
}

/**
 * Credentials of each system from the environment (LOCKBENCH_REDIS_PASSWORD, …). Workers read them
 * here too: the parent puts what a target file holds into its environment (exportCredentials), so
 * no credential travels in a message or a file.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<ExternalSystemName, SystemCredentials>> {
  const out: Partial<Record<ExternalSystemName, SystemCredentials>> = {};
  for (const s of externalSystems) {
    const get = (f: string): string | undefined => {
      const v = env[envName(s.env, f)];
      return v === undefined || v === '' ? undefined : v;
    };
    const tls: TlsFiles = { ...opt('ca', get('TLS_CA')), ...opt('cert', get('TLS_CERT')), ...opt('key', get('TLS_KEY')) };
    const c: SystemCredentials = {
      ...opt('username', get('username')),
      ...opt('password', get('password')),
      ...opt('digest', get('digest')),
      ...(Object.keys(tls).length > 0 && (s.credentials as readonly string[]).includes('tls') ? { tls } : {}),
    };
    registerSecret(c.password);
    registerSecret(c.digest);
    if (Object.keys(c).length > 0) out[s.system] = c;
  }
  return out;
}

export function opt<K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, V>);
}

/** Set by an external target's session (clusters/external/session.ts) in its process and so in every worker it forks. */
export const NAMESPACE_ENV = 'LOCKBENCH_EXTERNAL_NAMESPACE';

/** What an endpoint carries on an external target: its namespace and account; neither in the lab. */
export interface Access {
  readonly namespace?: string | undefined;
  readonly credentials?: SystemCredentials | undefined;
  /**
   * The host the server's certificate names, when the connection goes to another address (the
   * local proxy on 127.0.0.1): TLS sends it as SNI and checks the certificate against it.
   */
  readonly serverName?: string | undefined;
}

/**
 * The account and namespace of the open external session, for code that is handed addresses
 * rather than endpoints (the floor's raw operations); nothing in the lab, whatever else the
 * environment holds.
 */
export function sessionAccess(system: string): Access {
  const namespace = process.env[NAMESPACE_ENV];
  if (namespace === undefined || namespace === '') return {};
  const credentials = credentialsFromEnv()[system as ExternalSystemName];
  const serverName = process.env[serverNameEnv(system)];
  return { namespace, ...(credentials ? { credentials } : {}), ...(serverName ? { serverName } : {}) };
}

/**
 * Where the session puts a system's host for TLS name checks, when all its endpoints share one
 * (the floor's operations are handed proxy addresses, not nodes); with several hosts, a TLS floor
 * through the proxy cannot name the server and fails saying so.
 */
export function serverNameEnv(system: string): string {
  return `LOCKBENCH_EXTERNAL_${system.toUpperCase()}_SERVERNAME`;
}

const pem = (path: string | undefined): Buffer | undefined => (path === undefined ? undefined : readFileSync(path));

/** ioredis options (a subset of its RedisOptions) for an endpoint's access. */
export interface RedisAccessOptions {
  readonly keyPrefix?: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: { readonly ca?: Buffer | undefined; readonly cert?: Buffer | undefined; readonly key?: Buffer | undefined; readonly servername?: string };
}

export function redisAccess(e: Access): RedisAccessOptions {
  const c = e.credentials;
  const tls = c?.tls;
  return {
    ...(e.namespace !== undefined ? { keyPrefix: `${e.namespace}:` } : {}),
    ...(c?.username !== undefined ? { username: c.username } : {}),
    ...(c?.password !== undefined ? { password: c.password } : {}),
    ...(tls !== undefined ? { tls: { ...(tls.ca ? { ca: pem(tls.ca) } : {}), ...(tls.cert ? { cert: pem(tls.cert) } : {}), ...(tls.key ? { key: pem(tls.key) } : {}), ...(e.serverName !== undefined ? { servername: e.serverName } : {}) } } : {}),
  };
}

/** The connect string's chroot ("" in the lab): every path the lock names lives under it. */
export function zookeeperChroot(endpoints: readonly Access[]): string {
  const ns = endpoints[0]?.namespace;
  return ns === undefined ? '' : `/${ns}`;
}

export function zookeeperDigest(endpoints: readonly Access[]): string | undefined {
  return endpoints[0]?.credentials?.digest;
}

/** Where an etcd lock keeps its keys: `root` in the lab, under "/<namespace>" on an external target. */
export function etcdRoot(endpoints: readonly Access[], root: string): string {
  const ns = endpoints[0]?.namespace;
  return ns === undefined ? root : `/${ns}${root}`;
}

export function etcdAccess(endpoints: readonly Access[]): { readonly scheme: 'http' | 'https'; readonly options: Record<string, unknown> } {
  const c = endpoints[0]?.credentials;
  const tls = c?.tls;
  const auth = c?.username !== undefined && c.password !== undefined ? { auth: { username: c.username, password: c.password } } : {};
  if (tls === undefined) return { scheme: 'http', options: auth };
  const credentials = { ...(tls.ca ? { rootCertificate: pem(tls.ca) } : {}), ...(tls.key ? { privateKey: pem(tls.key) } : {}), ...(tls.cert ? { certChain: pem(tls.cert) } : {}) };
  // gRPC checks the certificate against its target, the proxy's 127.0.0.1: name the real server instead.
  const serverName = endpoints[0]?.serverName;
  const grpcOptions = serverName !== undefined ? { grpcOptions: { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } } : {};
  return { scheme: 'https', options: { ...auth, credentials, ...grpcOptions } };
}
