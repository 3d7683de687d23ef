// Lock implementations under test, keyed by their CLI names (--lock). Adding one is its own file
// (a client and its LockSpec) plus one line here. `--lock-module PATH` loads a user's own client
// instead, with the descriptor its module exports (user-module.ts).
import { etcdLockSpec } from './etcd-lock.ts';
import { etcd3LockSpec } from './etcd3-lock.ts';
import type { LockClientFactory } from './lock-client.ts';
import { nodeRedlockSpec } from './node-redlock.ts';
import { nodeRedlockV4Spec } from './node-redlock-v4.ts';
import { redisLockSpec } from './redis-lock.ts';
import { redisSemaphoreMutexSpec } from './redis-semaphore-mutex.ts';
import { redisSemaphoreRedlockSpec } from './redis-semaphore-redlock.ts';
import { redlockSpec } from './redlock.ts';
import { sentinelLockSpec } from './sentinel-lock.ts';
import { sentinelWaitLockSpec } from './sentinel-wait-lock.ts';
import type { LockSpec } from './spec.ts';
import { zookeeperLockSpec } from './zookeeper-lock.ts';

// Keys are the specs' own names (a unit test checks they agree).
export const lockSpecs = {
  redis: redisLockSpec,
  redlock: redlockSpec,
  'node-redlock': nodeRedlockSpec,
  'node-redlock-v4': nodeRedlockV4Spec,
  'redis-semaphore': redisSemaphoreMutexSpec,
  'redis-semaphore-redlock': redisSemaphoreRedlockSpec,
  zookeeper: zookeeperLockSpec,
  etcd: etcdLockSpec,
  'etcd3-lock': etcd3LockSpec,
  sentinel: sentinelLockSpec,
  'sentinel-wait': sentinelWaitLockSpec,
} satisfies Record<string, LockSpec>;

export type LockName = keyof typeof lockSpecs;
export const lockNames = Object.keys(lockSpecs) as LockName[];

/** Client factories by name (the worker processes make their clients with these). */
export const lockClients = Object.fromEntries(lockNames.map((n) => [n, lockSpecs[n].create])) as Readonly<Record<LockName, LockClientFactory>>;

export function isLockName(name: string): name is LockName {
  return Object.hasOwn(lockSpecs, name);
}
