// Every ZooKeeper client lockbench opens, with the native binding's logging switched off. The
// binding (node_modules/zookeeper/src/zk_log.h) prints its own errors with printf, to stdout, so
// one session stall ("yield:zookeeper_interest returned error: -7") landed in front of
// `bench --json`'s result and CI could not parse it. Level 0 is the C client's "logging off"
// (zoo_set_debug_level); the errors that matter reach us as return codes and session events.
import ZooKeeper from 'zookeeper';

const LOG_OFF = 0;

export interface ZooKeeperClientOptions {
  /** host:port,host:port[/chroot] */
  readonly connect: string;
  readonly sessionTimeoutMs: number;
}

export function newZooKeeperClient(o: ZooKeeperClientOptions): ZooKeeper {
  return new ZooKeeper({ connect: o.connect, timeout: o.sessionTimeoutMs, debug_level: LOG_OFF, host_order_deterministic: false });
}
