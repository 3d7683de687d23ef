// A fixed FloorFigures for the floor and efficiency tests: the figures a run could measure on the
// default cluster (5 Redis masters, 3 ZooKeeper nodes, 3 etcd members, the Sentinel topology's primary), with the words the drivers give.
import { driverFor } from '../../../clusters/systems/registry.ts';
import type { FloorFigures } from '../../../bench/efficiency.ts';
import { figureWords } from '../../../bench/floor.ts';

export function fixedFigures(): FloorFigures {
  return {
    systems: {
      redis: {
        rttMs: 0.1,
        nodesRttMs: [0.3, 0.1, 0.2, 0.5, 0.4],
        pairsPerSec: new Map([
          [1, 4000],
          [16, 10_000],
        ]),
        words: figureWords(driverFor('redis')),
      },
      zookeeper: {
        rttMs: 0.3,
        nodesRttMs: [],
        writeMs: 1,
        pairsPerSec: new Map([
          [1, 400],
          [16, 1000],
        ]),
        words: figureWords(driverFor('zookeeper')),
      },
      etcd: {
        rttMs: 0.4,
        nodesRttMs: [],
        writeMs: 1.5,
        pairsPerSec: new Map([
          [1, 300],
          [16, 800],
        ]),
        words: figureWords(driverFor('etcd')),
      },
      'redis-sentinel': {
        rttMs: 0.12,
        nodesRttMs: [],
        writeMs: 0.3,
        pairsPerSec: new Map([
          [1, 3500],
          [16, 9000],
        ]),
        words: figureWords(driverFor('redis-sentinel')),
      },
    },
  };
}
