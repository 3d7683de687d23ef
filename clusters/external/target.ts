// Where a command's load goes: the lab (the Docker cluster lockbench builds, the default) or an
// external target, services the user already runs and lockbench did not start. An external target
// comes from flags (--redis host:port,… --zookeeper … --etcd …) or a target file
// (--target-file lockbench.target.json, docs/external.md), with credentials from that file or from
// environment variables (credentialsFromEnv). Pure and checked before anything starts: a bad field
// is a UsageError that names the field and how to fix it.
import { readFileSync } from 'node:fs';
import { errorMessage, UsageError } from '../../core/errors.ts';
import { registerSecret } from '../../core/secrets.ts';
import { credentialsFromEnv, envName, externalSystems, opt, type ExternalSystemName, type SystemCredentials, type TlsFiles } from '../../core/access.ts';

export type { ExternalSystemName, SystemCredentials } from '../../core/access.ts';

export const targetKinds = ['lab', 'external'] as const;
export type TargetKind = (typeof targetKinds)[number];

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface ExternalSystem {
  readonly system: ExternalSystemName;
  /** Where lockbench connects first: the servers, or for redis-sentinel the Sentinels. */
  readonly endpoints: readonly HostPort[];
  readonly credentials: SystemCredentials;
  /** redis-sentinel: the master name the Sentinels watch (--sentinel-master). */
  readonly master?: string;
  /**
   * redis-sentinel: the data nodes, primary first, as the Sentinels name them; filled when a
   * session opens (services.ts discoverMembers), not by the flags.
   */
  readonly members?: readonly HostPort[];
}

export interface ExternalTarget {
  readonly kind: 'external';
  /** In registry order of externalSystems; only those with endpoints. */
  readonly systems: readonly ExternalSystem[];
  /** From the target file; the --namespace flag wins. */
  readonly namespace?: string;
  /** Where it came from, for messages: "--redis, --etcd" or the file's path. */
  readonly source: string;
}

export interface TargetFlags {
  readonly target?: string | undefined;
  readonly targetFile?: string | undefined;
  readonly redis?: string | undefined;
  readonly zookeeper?: string | undefined;
  readonly etcd?: string | undefined;
  readonly sentinel?: string | undefined;
  readonly sentinelMaster?: string | undefined;
}

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** "host:port" → HostPort; `where` names the flag or field in the message. */
export function parseHostPort(text: string, where: string): HostPort {
  const t = text.trim();
  const i = t.lastIndexOf(':');
  const host = i > 0 ? t.slice(0, i) : '';
  const portText = i > 0 ? t.slice(i + 1) : '';
  const port = Number(portText);
  if (!HOST_RE.test(host) || !/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    throw new UsageError(`${where} takes host:port with a port from 1 to 65535 (e.g. 127.0.0.1:6379), got '${text}'`);
  }
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port };
}

export function parseEndpointList(text: string, where: string): HostPort[] {
  const items = text.split(',').map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${where} takes a comma-separated list of host:port, got '${text}'`);
  const out = items.map((x) => parseHostPort(x, where));
  const seen = new Set<string>();
  for (const e of out) {
    const k = `${e.host}:${e.port}`;
    if (seen.has(k)) throw new UsageError(`${where} names ${k} twice; list each endpoint once`);
    seen.add(k);
  }
  return out;
}

/** Puts a target's credentials into this process's environment, where its workers find them. */
export function exportCredentials(target: ExternalTarget, env: NodeJS.ProcessEnv = process.env): void {
  for (const s of target.systems) {
    const e = externalSystems.find((x) => x.system === s.system);
    if (!e) continue;
    const c = s.credentials;
    const set = (f: string, v: string | undefined): void => {
      if (v !== undefined) env[envName(e.env, f)] = v;
    };
    set('username', c.username);
    set('password', c.password);
    set('digest', c.digest);
    set('TLS_CA', c.tls?.ca);
    set('TLS_CERT', c.tls?.cert);
    set('TLS_KEY', c.tls?.key);
  }
}

// --- the target file -------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Json, field: string, where: string): string | undefined {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`${where}.${field} must be a non-empty string`);
  return v;
}

function onlyFields(o: Json, allowed: readonly string[], where: string): void {
  const bad = Object.keys(o).filter((k) => !allowed.includes(k));
  if (bad.length > 0) throw new UsageError(`${where} has unknown field(s) ${bad.join(', ')}; allowed: ${allowed.join(', ')}`);
}

function tlsOf(o: Json, where: string): TlsFiles | undefined {
  const v = o['tls'];
  if (v === undefined) return undefined;
  if (!isObject(v)) throw new UsageError(`${where}.tls must be an object with ca, cert and key (paths of PEM files)`);
  onlyFields(v, ['ca', 'cert', 'key'], `${where}.tls`);
  const t: TlsFiles = { ...opt('ca', str(v, 'ca', `${where}.tls`)), ...opt('cert', str(v, 'cert', `${where}.tls`)), ...opt('key', str(v, 'key', `${where}.tls`)) };
  if ((t.cert === undefined) !== (t.key === undefined)) throw new UsageError(`${where}.tls: a client certificate needs both cert and key`);
  for (const [k, path] of Object.entries(t)) {
    try {
      readFileSync(path as string);
    } catch (err) {
      throw new UsageError(`${where}.tls.${k}: cannot read ${String(path)} (${errorMessage(err)}); give the path of a PEM file`);
    }
  }
  return t;
}

function systemFromFile(o: unknown, s: (typeof externalSystems)[number], file: string): ExternalSystem {
  const where = `${file}: ${s.system}`;
  if (!isObject(o)) throw new UsageError(`${where} must be an object with "endpoints": ["host:port", …]`);
  const isSentinel = s.system === 'redis-sentinel';
  onlyFields(o, ['endpoints', ...(isSentinel ? ['master'] : []), ...s.credentials], where);
  const eps = o['endpoints'];
  if (!Array.isArray(eps) || eps.length === 0 || !eps.every((e) => typeof e === 'string')) {
    throw new UsageError(`${where}.endpoints must be a non-empty list of "host:port" strings`);
  }
  const endpoints = parseEndpointList((eps).join(','), `${where}.endpoints`);
  const tls = (s.credentials as readonly string[]).includes('tls') ? tlsOf(o, where) : undefined;
  const credentials: SystemCredentials = { ...opt('username', str(o, 'username', where)), ...opt('password', str(o, 'password', where)), ...opt('digest', str(o, 'digest', where)), ...opt('tls', tls) };
  if (credentials.digest !== undefined && !/^[^:]+:.+$/.test(credentials.digest)) throw new UsageError(`${where}.digest must be "user:password"`);
  if (!isSentinel) return { system: s.system, endpoints, credentials };
  const master = str(o, 'master', where);
  if (master === undefined) throw new UsageError(`${where}.master is missing: give the master name the Sentinels watch (their "sentinel monitor <name> …" line)`);
  return { system: s.system, endpoints, credentials, master: validateMasterName(master, `${where}.master`) };
}

/** A Sentinel master name as `sentinel monitor` takes it: letters, digits, . _ - (it goes into SENTINEL commands). */
function validateMasterName(name: string, where: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new UsageError(`${where} takes a Sentinel master name of letters, digits, '.', '_' and '-' (e.g. mymaster), got '${name}'`);
  return name;
}

export function readTargetFile(path: string): ExternalTarget {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--target-file: cannot read ${path} (${errorMessage(err)}); see docs/external.md for the format`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--target-file ${path} is not JSON: ${errorMessage(err)}`);
  }
  if (!isObject(raw)) throw new UsageError(`--target-file ${path} must hold one JSON object ({"redis": {"endpoints": […]}, …})`);
  onlyFields(raw, ['namespace', ...externalSystems.map((s) => s.system)], path);
  const systems = externalSystems.filter((s) => raw[s.system] !== undefined).map((s) => systemFromFile(raw[s.system], s, path));
  if (systems.length === 0) throw new UsageError(`--target-file ${path} names no system: give at least one of ${externalSystems.map((s) => s.system).join(', ')}`);
  const ns = str(raw, 'namespace', path);
  return { kind: 'external', systems, source: path, ...opt('namespace', ns) };
}


/**
 * The target of a command: undefined for the lab, or the external target its flags or file
 * describe, with credentials from the file or else the environment. Refuses mixtures (a target
 * file and endpoint flags, endpoint flags with --target lab).
 */
export function resolveTarget(f: TargetFlags, env: NodeJS.ProcessEnv = process.env): ExternalTarget | undefined {
  const endpointFlags = [...externalSystems.map((s) => s.flag), 'sentinel-master'].filter((fl) => (fl === 'sentinel-master' ? f.sentinelMaster : f[fl as keyof TargetFlags]) !== undefined);
  const kind = f.target ?? (f.targetFile !== undefined || endpointFlags.length > 0 ? 'external' : 'lab');
  if (!(targetKinds as readonly string[]).includes(kind)) throw new UsageError(`--target takes lab or external, got '${kind}'`);
  if (kind === 'lab') {
    if (f.targetFile !== undefined || endpointFlags.length > 0) {
      const what = f.targetFile !== undefined ? '--target-file' : endpointFlags.map((x) => `--${x}`).join(', ');
      throw new UsageError(`${what} describe(s) an external target, but --target is lab; drop --target lab (or say --target external)`);
    }
    return undefined;
  }
  if ((f.sentinel === undefined) !== (f.sentinelMaster === undefined)) {
    throw new UsageError(f.sentinel === undefined ? '--sentinel-master names the master the Sentinels watch: give the Sentinels too (--sentinel host:port,…)' : '--sentinel needs --sentinel-master NAME, the master name the Sentinels watch (their "sentinel monitor <name> …" line)');
  }
  const fromEnv = credentialsFromEnv(env);
  if (f.targetFile !== undefined) {
    if (endpointFlags.length > 0) throw new UsageError(`--target-file and ${endpointFlags.map((x) => `--${x}`).join(', ')} both name endpoints; put them all in the file, or drop --target-file`);
    const t = readTargetFile(f.targetFile);
    for (const s of t.systems) {
      registerSecret(s.credentials.password);
      registerSecret(s.credentials.digest);
    }
    // The file's credentials win; the environment fills what the file leaves out.
    return { ...t, systems: t.systems.map((s) => ({ ...s, credentials: { ...fromEnv[s.system], ...s.credentials } })) };
  }
  const systems = externalSystems
    .filter((s) => f[s.flag] !== undefined)
    .map((s): ExternalSystem => ({
      system: s.system,
      endpoints: parseEndpointList(f[s.flag] ?? '', `--${s.flag}`),
      credentials: fromEnv[s.system] ?? {},
      ...(s.system === 'redis-sentinel' && f.sentinelMaster !== undefined ? { master: validateMasterName(f.sentinelMaster, '--sentinel-master') } : {}),
    }));
  if (systems.length === 0) {
    throw new UsageError(`--target external needs endpoints: ${externalSystems.map((s) => `--${s.flag} host:port,…`).join(', ')}, or --target-file lockbench.target.json (docs/external.md)`);
  }
  return { kind: 'external', systems, source: externalSystems.filter((s) => f[s.flag] !== undefined).map((s) => `--${s.flag}`).join(', ') };
}

// --- the namespace -----------------------------------------------------------------------------------

/** Letters, digits and . _ - /, segments not empty, no glob characters (a Redis SCAN MATCH pattern is built from it). */
const NAMESPACE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)*$/;

export function defaultNamespace(runId: string): string {
  return `lockbench/${runId}`;
}

export function validateNamespace(ns: string): string {
  if (!NAMESPACE_RE.test(ns) || ns.length > 120 || ns.split('/').some((seg) => seg === '.' || seg === '..')) {
    throw new UsageError(`--namespace takes segments of letters, digits, '.', '_' and '-' separated by '/' (at most 120 characters, e.g. lockbench/staging), got '${ns}'`);
  }
  return ns;
}
