// `--lock-module PATH`: a user's own lock client, loaded from a JavaScript or TypeScript module.
// The module exports `createLockClient(ctx)` (or a default export of the same function) returning
// an object with acquire / release / close (extend optional), and declares what it runs on:
//   export const system = 'redis' | 'zookeeper' | 'etcd'   the backing system its client talks to
//   export const lease = 'ttl' | 'session'        how its grant ends without a release
// and optionally `nodes` ('all' | 'first': which of the system's nodes it uses, default all) and
// `family` ('single' | 'fan-out' | 'consensus': what the literature expects, default none), as
// documented in README.md ("Testing your own lock client"). Faults then strike the nodes it uses
// and the recovery waits its lease's lifetime. We check all of it when loading, so a mistake is a
// clear usage error rather than a crash, or a meaningless verdict, in the middle of a run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, errorMessage } from '../core/errors.ts';
import { importUserModule } from '../core/runnable.ts';
import type { LockClient, LockClientContext, LockClientFactory } from './lock-client.ts';
import { lockFamilies, type LockFamily, type LockModel } from './spec.ts';

const howTo = 'export `createLockClient(ctx)` (or a default export) that returns { name, acquire, release, close } — see README.md, "Testing your own lock client"';

function checkShape(client: unknown, path: string): LockClient {
  const c = client as Partial<Record<keyof LockClient, unknown>> | null;
  const missing = (['acquire', 'release', 'close'] as const).filter((m) => typeof c?.[m] !== 'function');
  if (c === null || typeof c !== 'object' || missing.length > 0) {
    throw new UsageError(`the lock client made by ${path} lacks ${missing.join(', ') || 'everything'}; ${howTo}`);
  }
  const named = c as LockClient;
  return {
    name: typeof named.name === 'string' ? named.name : `module:${path}`,
    acquire: named.acquire.bind(named),
    release: named.release.bind(named),
    ...(typeof named.extend === 'function' ? { extend: named.extend.bind(named) } : {}),
    close: named.close.bind(named),
    [Symbol.asyncDispose]: () => named.close(),
  };
}

async function importModule(modulePath: string): Promise<Record<string, unknown>> {
  const path = resolve(modulePath);
  if (!existsSync(path)) throw new UsageError(`--lock-module ${modulePath}: no such file`);
  try {
    // A TypeScript module needs tsx even when lockbench itself runs compiled.
    return await importUserModule(path);
  } catch (err) {
    throw new UsageError(`--lock-module ${modulePath} could not be loaded: ${errorMessage(err)}`);
  }
}

const declareHow = (systems: readonly string[]): string =>
  `declare what it runs on: \`export const system = '${systems.join("' | '")}'\` and \`export const lease = 'ttl' | 'session'\` (see README.md, "Testing your own lock client")`;

/**
 * The descriptor a lock module declares. `systems` are the backing systems lockbench can run;
 * a missing or unknown declaration is a usage error that says what to export.
 */
export async function loadLockModel(modulePath: string, systems: readonly string[]): Promise<LockModel> {
  const mod = await importModule(modulePath);
  const { system, lease, nodes, family } = mod;
  const missing = [system === undefined ? 'system' : '', lease === undefined ? 'lease' : ''].filter(Boolean);
  if (missing.length > 0) throw new UsageError(`--lock-module ${modulePath} does not export ${missing.join(' and ')}; ${declareHow(systems)}`);
  if (typeof system !== 'string' || !systems.includes(system)) throw new UsageError(`--lock-module ${modulePath}: \`system\` must be one of ${systems.join(', ')}, got ${JSON.stringify(system)}`);
  if (lease !== 'ttl' && lease !== 'session') throw new UsageError(`--lock-module ${modulePath}: \`lease\` must be 'ttl' or 'session', got ${JSON.stringify(lease)}`);
  if (nodes !== undefined && nodes !== 'all' && nodes !== 'first') throw new UsageError(`--lock-module ${modulePath}: \`nodes\` must be 'all' or 'first', got ${JSON.stringify(nodes)}`);
  if (family !== undefined && (typeof family !== 'string' || !lockFamilies.includes(family as LockFamily))) {
    throw new UsageError(`--lock-module ${modulePath}: \`family\` must be one of ${lockFamilies.join(', ')}, got ${JSON.stringify(family)}`);
  }
  return {
    system,
    lease,
    family: (family as LockFamily | undefined) ?? 'unknown',
    nodes: nodes ?? 'all',
    // Client-side cuts apply to any system; server-side grudges need to know the protocol.
    partitionSide: 'client',
    fencingTokens: false,
  };
}

export async function loadLockModule(modulePath: string): Promise<LockClientFactory> {
  const mod = await importModule(modulePath);
  const factory = mod['createLockClient'] ?? mod['default'];
  if (typeof factory !== 'function') throw new UsageError(`--lock-module ${modulePath} does not ${howTo}`);
  return async (ctx: LockClientContext) => checkShape(await (factory as (c: LockClientContext) => unknown)(ctx), modulePath);
}
