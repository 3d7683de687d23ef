// Lock implementations under test, keyed by their CLI names (--lock). Adding one is one new file
// plus one line here. `--lock-module PATH` loads a user's own client instead (user-module.ts).
import type { LockClientFactory } from './lock-client.ts';
import { createNodeRedlock } from './node-redlock.ts';
import { createRedisLock } from './redis-lock.ts';
import { createRedlock } from './redlock.ts';
import { createZookeeperLock } from './zookeeper-lock.ts';

export const lockClients = {
  redis: createRedisLock,
  redlock: createRedlock,
  'node-redlock': createNodeRedlock,
  zookeeper: createZookeeperLock,
} satisfies Record<string, LockClientFactory>;

export type LockName = keyof typeof lockClients;
export const lockNames = Object.keys(lockClients) as LockName[];

export function isLockName(name: string): name is LockName {
  return Object.hasOwn(lockClients, name);
}
