// The Sentinel topology's raw floor operations: the independent masters' (PING, SET NX PX +
// compare-and-delete, cleanup) on the primary, plus W, one write a replica has acknowledged:
// SET, then WAIT 1, as the `sentinel-wait` lock does after each grant.
import { HarnessError } from '../../../core/errors.ts';
import type { FloorOps } from '../driver.ts';
import { floorClient, redisFloorOpsFor } from '../redis/floor-ops.ts';

const SYSTEM = 'redis-sentinel';
const redisFloorOps = redisFloorOpsFor(SYSTEM);

const WAIT_TIMEOUT_MS = 1000;

export const sentinelFloorOps: FloorOps = {
  roundTrips: (address) => redisFloorOps.roundTrips(address),
  pairs: (targets, scope) => redisFloorOps.pairs(targets, scope),
  removeMatching: (address, patterns, deadlineMs) => redisFloorOps.removeMatching(address, patterns, deadlineMs),

  async quorumWrites(address, dir) {
    const i = address.lastIndexOf(':');
    const c = floorClient(SYSTEM, address.slice(0, i), Number(address.slice(i + 1)));
    try {
      await c.connect();
    } catch (err) {
      c.disconnect();
      throw err;
    }
    const key = `${dir}:w`;
    return {
      ops: {
        async write() {
          await c.set(key, 'x', 'PX', 10_000);
          const acked = Number(await c.call('WAIT', '1', String(WAIT_TIMEOUT_MS)));
          if (acked < 1) throw new HarnessError('INTERNAL', `no replica acknowledged a write on ${address} within ${WAIT_TIMEOUT_MS} ms (WAIT 1 answered ${acked})`);
        },
        undo: () => c.del(key),
      },
      close: () => Promise.resolve(c.disconnect()),
    };
  },
};
