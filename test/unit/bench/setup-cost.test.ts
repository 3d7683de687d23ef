// Ease of setup's pure parts: the failure tolerance each family's design implies, the line count
// of client code (comments and blank lines out, code with a trailing comment in, comment markers
// inside strings not comments), which containers a lock uses, and that a figure the run could
// not read is null with its reason rather than a made-up number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clientCodeOf, containersOf, countCodeLines, nodesToSurviveOneFailure, setupCosts } from '../../../bench/setup-cost.ts';
import type { NodeMemoryAtRest } from '../../../clusters/memory-at-rest.ts';
import { lockNames, lockSpecs } from '../../../locks/registry.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('nodes to survive one failure follow from the family: none for one node, a majority of 3 otherwise', () => {
  const single = nodesToSurviveOneFailure({ family: 'single', system: 'redis' });
  assert.equal(single.nodes, null);
  assert.match(single.why, /one node: a failure stops the lock service/);
  const fanOut = nodesToSurviveOneFailure({ family: 'fan-out', system: 'redis' });
  assert.equal(fanOut.nodes, 3);
  assert.match(fanOut.why, /majority/);
  const consensus = nodesToSurviveOneFailure({ family: 'consensus', system: 'zookeeper' });
  assert.equal(consensus.nodes, 3);
  assert.match(consensus.why, /2f \+ 1/);
  assert.equal(nodesToSurviveOneFailure({ family: 'unknown', system: 'redis' }).nodes, null);
  assert.equal(nodesToSurviveOneFailure(lockSpecs.redis.model).nodes, null);
  assert.equal(nodesToSurviveOneFailure(lockSpecs.redlock.model).nodes, 3);
  assert.equal(nodesToSurviveOneFailure(lockSpecs.zookeeper.model).nodes, 3);
});

test('code lines: blank lines, line comments and block comments do not count; code beside a comment does', () => {
  const source = [
    '// a header comment',
    '/**',
    ' * JSDoc over several lines',
    ' */',
    "import { x } from './x.ts';", // 1
    '',
    '   ',
    'const url = "http://example.com"; // a URL is not a comment', // 2
    "const glob = '/* not a comment */';", // 3
    '/* a block */ const y = 1;', // 4
    'const z = 2; /* trailing', // 5
    '   still the comment */',
    'const lua = `', // 6
    '  -- a Lua line inside a template is code', // 7
    '  // and so is this one', // 8
    '`;', // 9
    'export function f(): number {', // 10
    '  return x + y + z; // why, not what', // 11
    '}', // 12
    '\t// indented comment',
  ].join('\n');
  assert.equal(countCodeLines(source), 12);
  assert.equal(countCodeLines(''), 0);
  assert.equal(countCodeLines('\r\n// only\r\nlet a = 1;\r\n'), 1);
});

test('every registered lock names its client code files, which exist, its own file first', async () => {
  for (const name of lockNames) {
    const spec = lockSpecs[name];
    assert.ok(spec.sources.length > 0, name);
    for (const f of spec.sources) assert.ok(existsSync(`${ROOT}${f}`), `${name}: ${f}`);
    assert.match(spec.sources[0] ?? '', /^locks\/[a-z0-9-]+\.ts$/);
    const code = await clientCodeOf(spec);
    assert.ok(code.lines > 0, name);
    assert.deepEqual(code.files, spec.sources);
  }
});

const nodes: NodeMemoryAtRest[] = [
  { name: 'redis-2', system: 'redis', memoryBytes: 2_000_000 },
  { name: 'redis-1', system: 'redis', memoryBytes: 1_000_000 },
  { name: 'redis-10', system: 'redis', memoryBytes: 10_000_000 },
  { name: 'zk-1', system: 'zookeeper', memoryBytes: 50_000_000 },
  { name: 'zk-2', system: 'zookeeper', memoryBytes: null, why: 'one-shot stats of zk-2 timed out' },
];

test('a lock on the first node uses one container, a lock on all nodes every one of its system', () => {
  assert.deepEqual(containersOf({ system: 'redis', nodes: 'first' }, nodes).map((n) => n.name), ['redis-1']);
  assert.deepEqual(containersOf({ system: 'redis', nodes: 'all' }, nodes).map((n) => n.name), ['redis-1', 'redis-2', 'redis-10']);
  assert.deepEqual(containersOf({ system: 'etcd', nodes: 'all' }, nodes), []);
});

test('setup costs: measured figures summed per lock, unread ones null with their reason', () => {
  const locks = [lockSpecs.redis, lockSpecs.redlock, lockSpecs.zookeeper];
  const clientCode = { redis: { lines: 61, files: ['locks/redis-lock.ts'] }, redlock: { lines: 70, files: ['locks/redlock.ts'] }, zookeeper: { lines: 90, files: ['locks/zookeeper-lock.ts'] } };
  const measured = setupCosts({ locks, clientCode, nodes, ready: { measured: true, bySystemMs: { redis: 1200, zookeeper: 9800 }, measuredAt: '2026-12-01T00:00:00.000Z', how: 'test' } });
  const [redis, redlock, zk] = measured;
  assert.ok(redis && redlock && zk);
  assert.deepEqual(
    { n: redis.nodesToSurviveOneFailure, c: redis.containers, m: redis.memoryBytesAtRest, r: redis.readyMs, l: redis.clientLines },
    { n: null, c: 1, m: 1_000_000, r: 1200, l: 61 },
  );
  assert.equal(redlock.containers, 3);
  assert.equal(redlock.memoryBytesAtRest, 13_000_000);
  assert.equal(redlock.readyHow, 'test');
  assert.equal(zk.memoryBytesAtRest, null);
  assert.match(zk.memoryWhy ?? '', /zk-2 \(one-shot stats of zk-2 timed out\)/);
  assert.equal(zk.readyMs, 9800);

  const reused = setupCosts({ locks, clientCode, nodes, ready: { measured: false, why: 'the recorded ready times are of an earlier cluster' } });
  for (const s of reused) {
    assert.equal(s.readyMs, null);
    assert.equal(s.readyWhy, 'the recorded ready times are of an earlier cluster');
  }
});

