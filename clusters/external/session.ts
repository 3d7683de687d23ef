// One command's use of an external target, from start to end: the namespace checked (empty, or
// --reuse-namespace) and made ready, the local proxy started, and on dispose — after a run, a
// failure or Ctrl-C — the proxy closed and everything under the namespace removed, with counts.
import { errorMessage, UsageError } from '../../core/errors.ts';
import { logger } from '../../core/log.ts';
import { NAMESPACE_ENV, serverNameEnv } from '../../core/access.ts';
import { ClusterControl } from '../node-faults.ts';
import type { ClusterPlan } from '../topology.ts';
import { startLocalProxy } from './local-proxy.ts';
import { planExternal } from './plan.ts';
import { serviceOps } from './services.ts';
import { exportCredentials, validateNamespace, type ExternalTarget } from './target.ts';

const log = logger('external');

export interface ExternalRunSettings {
  readonly target: ExternalTarget;
  readonly namespace: string;
  /** Start even when the namespace already holds data (--reuse-namespace). */
  readonly reuseNamespace: boolean;
  readonly clientSlots?: number;
}

export interface ExternalSession extends AsyncDisposable {
  readonly plan: ClusterPlan;
  readonly control: ClusterControl;
  /** What the run found and left, for results: per system, keys under the namespace at the start and removed at the end. */
  readonly namespaceReport: Record<string, { readonly before: number; removed?: number }>;
}

/** The target without credentials, as manifest.json and results record it. */
export function describeTargetForFiles(s: ExternalRunSettings): Record<string, unknown> {
  return { kind: 'external', namespace: s.namespace, systems: s.target.systems.map((x) => ({ system: x.system, endpoints: x.endpoints.map((e) => `${e.host}:${e.port}`) })) };
}

async function removeNamespace(s: ExternalRunSettings, report: ExternalSession['namespaceReport']): Promise<void> {
  for (const sys of s.target.systems) {
    try {
      const removed = await serviceOps[sys.system].removeUnder(sys, s.namespace);
      const entry = report[sys.system];
      if (entry) entry.removed = removed;
      log.info(`${sys.system}: removed ${removed} item(s) under ${s.namespace}`);
    } catch (err) {
      log.error(`${sys.system}: could not remove what lockbench wrote under ${s.namespace} (${errorMessage(err)}); remove it by hand`);
    }
  }
}

/** The target with the nodes each directory names (Sentinel's data nodes), as they are now. */
async function withMembers(t: ExternalTarget): Promise<ExternalTarget> {
  const systems = await Promise.all(
    t.systems.map(async (x) => {
      const find = serviceOps[x.system].members;
      return find ? { ...x, members: await find(x) } : x;
    }),
  );
  return { ...t, systems };
}

export async function openExternalSession(settings: ExternalRunSettings): Promise<ExternalSession> {
  const namespace = validateNamespace(settings.namespace);
  const s: ExternalRunSettings = { ...settings, target: await withMembers(settings.target) };
  const plan = planExternal(s.target, { namespace, ...(s.clientSlots !== undefined ? { clientSlots: s.clientSlots } : {}) });
  const report: ExternalSession['namespaceReport'] = {};
  for (const sys of s.target.systems) {
    const before = await serviceOps[sys.system].countUnder(sys, namespace);
    report[sys.system] = { before };
    if (before > 0 && !s.reuseNamespace) {
      throw new UsageError(`${sys.system} already holds ${before} item(s) under the namespace ${namespace}, which lockbench did not write in this run; choose another --namespace, or pass --reuse-namespace to use it anyway (lockbench removes everything under it at the end)`);
    }
  }
  // Workers are forked from here: they find the credentials and the namespace in their environment.
  exportCredentials(s.target);
  process.env[NAMESPACE_ENV] = namespace;
  for (const sys of s.target.systems) {
    const hosts = [...new Set(sys.endpoints.map((e) => e.host))];
    if (hosts.length === 1 && hosts[0] !== undefined) process.env[serverNameEnv(sys.system)] = hosts[0];
  }
  const forget = (): void => {
    for (const k of [NAMESPACE_ENV, ...s.target.systems.map((x) => serverNameEnv(x.system))]) Reflect.deleteProperty(process.env, k);
  };
  for (const sys of s.target.systems) await serviceOps[sys.system].prepare(sys, namespace);
  let proxy;
  try {
    proxy = await startLocalProxy(plan);
  } catch (err) {
    await removeNamespace(s, report);
    forget();
    throw err;
  }
  const opened = proxy;
  log.info(`external target ${s.target.source}: ${plan.nodes.length} endpoint(s), namespace ${namespace}, local proxy on 127.0.0.1:${plan.toxiproxy.apiPort}`);
  return {
    plan,
    control: ClusterControl.forExternal(plan),
    namespaceReport: report,
    [Symbol.asyncDispose]: async () => {
      await opened.close();
      await removeNamespace(s, report);
      forget();
    },
  };
}
