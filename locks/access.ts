// How a lock client reaches an external target's services as the user's account and inside the
// run's namespace (clusters/external/target.ts): the client libraries' own means, so no lock's
// algorithm changes. Lab endpoints carry neither, and every lock talks to the lab as before.
//   Redis      ioredis `keyPrefix` "<namespace>:" (every key a command names, EVAL's KEYS too),
//              `username`/`password` (AUTH / ACL), `tls`
//   ZooKeeper  a chroot "/<namespace>" on the connect string, digest auth (addAuthInfo)
//   etcd       keys under "/<namespace>" (the locks' roots), `auth`, `credentials` (TLS)
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import { credentialsFromEnv, type ExternalSystemName, type SystemCredentials } from '../clusters/external/target.ts';
import type { Endpoint } from './lock-client.ts';

/** Set by an external target's session (clusters/external/session.ts) in its process and so in every worker it forks. */
export const NAMESPACE_ENV = 'LOCKBENCH_EXTERNAL_NAMESPACE';

/**
 * The account and namespace of the open external session, for code that is handed addresses
 * rather than endpoints (the floor's raw operations); nothing in the lab, whatever else the
 * environment holds.
 */
export function sessionAccess(system: string): { readonly namespace?: string; readonly credentials?: SystemCredentials } {
  const namespace = process.env[NAMESPACE_ENV];
  if (namespace === undefined || namespace === '') return {};
  const credentials = credentialsFromEnv()[system as ExternalSystemName];
  return { namespace, ...(credentials ? { credentials } : {}) };
}

const pem = (path: string | undefined): Buffer | undefined => (path === undefined ? undefined : readFileSync(path));

export function redisAccess(e: Endpoint): Partial<RedisOptions> {
  const c = e.credentials;
  const tls = c?.tls;
  return {
    ...(e.namespace !== undefined ? { keyPrefix: `${e.namespace}:` } : {}),
    ...(c?.username !== undefined ? { username: c.username } : {}),
    ...(c?.password !== undefined ? { password: c.password } : {}),
    ...(tls !== undefined ? { tls: { ...(tls.ca ? { ca: pem(tls.ca) } : {}), ...(tls.cert ? { cert: pem(tls.cert) } : {}), ...(tls.key ? { key: pem(tls.key) } : {}) } } : {}),
  };
}

/** The connect string's chroot ("" in the lab): every path the lock names lives under it. */
export function zookeeperChroot(endpoints: readonly Endpoint[]): string {
  const ns = endpoints[0]?.namespace;
  return ns === undefined ? '' : `/${ns}`;
}

export function zookeeperDigest(endpoints: readonly Endpoint[]): string | undefined {
  return endpoints[0]?.credentials?.digest;
}

/** Where an etcd lock keeps its keys: `root` in the lab, under "/<namespace>" on an external target. */
export function etcdRoot(endpoints: readonly Endpoint[], root: string): string {
  const ns = endpoints[0]?.namespace;
  return ns === undefined ? root : `/${ns}${root}`;
}

export function etcdAccess(endpoints: readonly Endpoint[]): { readonly scheme: 'http' | 'https'; readonly options: Record<string, unknown> } {
  const c = endpoints[0]?.credentials;
  const tls = c?.tls;
  const auth = c?.username !== undefined && c.password !== undefined ? { auth: { username: c.username, password: c.password } } : {};
  if (tls === undefined) return { scheme: 'http', options: auth };
  const credentials = { ...(tls.ca ? { rootCertificate: pem(tls.ca) } : {}), ...(tls.key ? { privateKey: pem(tls.key) } : {}), ...(tls.cert ? { certChain: pem(tls.cert) } : {}) };
  return { scheme: 'https', options: { ...auth, credentials } };
}
