// `--lock-module PATH`: a user's own lock client, loaded from a JavaScript or TypeScript module.
// The module exports `createLockClient(ctx)` (or a default export of the same function) returning
// an object with acquire / release / close (extend optional), as documented in README.md
// ("Testing your own lock client"). We check the shape when loading, so a mistake is a clear usage
// error rather than a crash in the middle of a run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError, errorMessage } from '../core/errors.ts';
import type { LockClient, LockClientContext, LockClientFactory } from './lock-client.ts';

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

export async function loadLockModule(modulePath: string): Promise<LockClientFactory> {
  const path = resolve(modulePath);
  if (!existsSync(path)) throw new UsageError(`--lock-module ${modulePath}: no such file`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--lock-module ${modulePath} could not be loaded: ${errorMessage(err)}`);
  }
  const factory = mod['createLockClient'] ?? mod['default'];
  if (typeof factory !== 'function') throw new UsageError(`--lock-module ${modulePath} does not ${howTo}`);
  return async (ctx: LockClientContext) => checkShape(await (factory as (c: LockClientContext) => unknown)(ctx), modulePath);
}
