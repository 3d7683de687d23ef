// redis-benchmark (it ships with Debian's redis-tools in the Redis image) sending the first command
// of a raw pair, SET NX PX on random keys, at the floor's concurrency: how fast a C client drives the
// same master, beside how fast lockbench's Node clients drive it (bench/anchor.ts).
import type { AnchorSpec } from '../driver.ts';

export const redisAnchor: AnchorSpec = {
  tool: 'redis-benchmark',
  command: 'SET lockbench:anchor:<random key> x NX PX 10000',
  commandsPerPair: 2,
  // -r draws the key from 1e6 values per request; --csv prints one line per test: "name","rps",…
  argv: (t, clients, requests) => ['redis-benchmark', '-h', t.host, '-p', String(t.port), '-c', String(clients), '-n', String(requests), '-r', '1000000', '--csv', 'SET', 'lockbench:anchor:__rand_int__', 'x', 'NX', 'PX', '10000'],
  parse: (stdout) => {
    const line = stdout.split('\n').find((l) => /^"SET/i.test(l.trim()));
    const rps = Number(line?.split(',')[1]?.replaceAll('"', ''));
    return Number.isFinite(rps) && rps > 0 ? rps : undefined;
  },
};
