// A `--lock-module` on ZooKeeper: lockbench's own ZooKeeper lock recipe, declared as a user's
// module would be. Its faults strike the ZooKeeper ensemble and its lease lasts a session.
// Run it with: npm run chaos -- --lock-module examples/lock-module-zookeeper.ts --fault crash
import { createZookeeperLock } from '../locks/zookeeper-lock.ts';

export const system = 'zookeeper';
export const lease = 'session';
export const family = 'consensus';

export const createLockClient = createZookeeperLock;
