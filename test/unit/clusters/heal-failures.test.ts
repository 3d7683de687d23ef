// The text of a heal that could not finish: one clause per cause, and the engine named first when
// it is what stopped everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { healFailureText } from '../../../clusters/heal-failures.ts';

test('one node removed from outside: its name, the cause, and how to repair', () => {
  assert.equal(
    healFailureText([{ what: 'redis-3', cause: 'its container is gone (removed outside lockbench)' }], true),
    'could not heal redis-3: its container is gone (removed outside lockbench). `npm run up` repairs the cluster (it recreates what is missing), or `npm run down` removes it',
  );
});

test('nodes that failed the same way are named together, with their count; other causes keep their own clause', () => {
  const sock = 'connect ENOENT /var/run/docker.sock';
  const text = healFailureText(
    [
      { what: 'the proxies', cause: 'fetch failed' },
      { what: 'redis-1', cause: sock },
      { what: 'redis-2', cause: sock },
      { what: 'zk-1', cause: sock },
    ],
    false,
  );
  assert.equal(
    text,
    'could not heal the proxies: fetch failed; redis-1, redis-2, zk-1 (3): connect ENOENT /var/run/docker.sock. ' +
      'the Docker engine does not answer (restarted or stopped from outside?): start it with `npm run setup`; then `npm run up` repairs the cluster (it recreates what is missing), or `npm run down` removes it',
  );
});

test('two nodes with one cause are listed without a count', () => {
  assert.match(healFailureText([{ what: 'a', cause: 'x' }, { what: 'b', cause: 'x' }], true), /^could not heal a, b: x\. /);
});
