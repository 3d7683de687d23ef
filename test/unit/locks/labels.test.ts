// A lock wrapping a third-party package is named by package and version in every table, the
// version read from the installed package.json (never written down), and a known defect of its
// package is printed beside the cells it shows in, with the figure measured there.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderMatrix, type MatrixCell } from '../../../chaos/matrix.ts';
import { hasKnownDefect, knownDefectNotes, knownDefectsIn, lockLabel, lockPackage, lockPackageVersions } from '../../../locks/labels.ts';
import { installedPackage } from '../../../locks/package-version.ts';
import { lockNames, lockSpecs } from '../../../locks/registry.ts';

const installed = (folder: string): string => (JSON.parse(readFileSync(join('node_modules', folder, 'package.json'), 'utf8')) as { version: string }).version.replace(/^v/, '');

describe('package and version', () => {
  test('read from the installed package.json, the alias from its own folder', () => {
    assert.deepEqual(installedPackage('redlock-v4'), { name: 'redlock', version: '4.2.0' });
    assert.deepEqual(installedPackage('redlock'), { name: 'redlock', version: installed('redlock') });
    assert.equal(lockLabel('node-redlock'), 'node-redlock (redlock 5.0.0-beta.2)', 'its package.json says v5.0.0-beta.2; npm cleans the v');
    assert.deepEqual(installedPackage('redis-semaphore'), { name: 'redis-semaphore', version: installed('redis-semaphore') });
  });

  test('a package that is not installed says so instead of failing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockbench-pkg-'));
    try {
      assert.deepEqual(installedPackage('no-such-package', [dir]), { name: 'no-such-package', version: 'not installed' });
      mkdirSync(join(dir, 'fake'));
      writeFileSync(join(dir, 'fake', 'package.json'), JSON.stringify({ name: 'real-name', version: 'v9.9.9' }));
      assert.deepEqual(installedPackage('fake', [join(dir, 'nowhere'), dir]), { name: 'real-name', version: '9.9.9' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('lockLabel: package and version for the third-party clients, the bare name for lockbench\'s own', () => {
    assert.equal(lockLabel('node-redlock-v4'), 'node-redlock-v4 (redlock 4.2.0)');
    assert.equal(lockLabel('node-redlock'), `node-redlock (redlock ${installed('redlock')})`);
    assert.equal(lockLabel('redis-semaphore'), `redis-semaphore (redis-semaphore ${installed('redis-semaphore')})`);
    assert.equal(lockLabel('redis-semaphore-redlock'), `redis-semaphore-redlock (redis-semaphore ${installed('redis-semaphore')})`);
    for (const own of ['redis', 'redlock', 'zookeeper', 'etcd', 'module']) assert.equal(lockLabel(own), own);
    assert.equal(lockPackage('no-such-lock'), undefined);
  });

  test('the manifest\'s versions: every registered lock with a package, by lock name', () => {
    const v = lockPackageVersions();
    assert.deepEqual(Object.keys(v).sort(), lockNames.filter((n) => lockSpecs[n].package !== undefined).sort());
    assert.deepEqual(v['node-redlock-v4'], { name: 'redlock', version: '4.2.0' });
    assert.ok(['node-redlock', 'node-redlock-v4', 'redis-semaphore', 'redis-semaphore-redlock'].every((n) => n in v));
  });

  test('matrix.md names the lock with its package', () => {
    const cell: MatrixCell = { lock: 'node-redlock-v4', fault: 'none', ran: true, verdict: 'valid', definiteOverlaps: 0, possibleOverlaps: 0, maxOverlapMs: 0, lostUpdates: 0, fencingRejections: 0, acquireSuccessInFault: null, acquireP99InFaultMs: null, livenessOk: true, clientCrashes: 0, expected: 'valid', agrees: true, runDir: null, wallMs: 1 };
    const md = renderMatrix([cell], ['node-redlock-v4'], ['none'], 1000);
    assert.match(md, /^\| node-redlock-v4 \(redlock 4\.2\.0\) \| valid/m);
    assert.match(md, /^\| node-redlock-v4 \(redlock 4\.2\.0\) \| none \| valid \|/m);
  });
});

describe('known defects', () => {
  test('node-redlock 5.0.0-beta.2 has one, on contended cells only; the new clients have none', () => {
    assert.equal(hasKnownDefect({ lock: 'node-redlock', clients: 16, keys: '1' }), true);
    assert.equal(hasKnownDefect({ lock: 'node-redlock', clients: 1, keys: '1' }), false, 'one client does not contend');
    assert.equal(hasKnownDefect({ lock: 'node-redlock', clients: 16, keys: 'many' }), false);
    assert.equal(hasKnownDefect({ lock: 'node-redlock', clients: 16, keys: '4' }), false);
    for (const n of ['redis', 'redlock', 'node-redlock-v4', 'redis-semaphore', 'redis-semaphore-redlock', 'module']) assert.equal(hasKnownDefect({ lock: n, clients: 16, keys: '1' }), false, n);
  });

  test('the note carries the figures measured in the cells given, and the upstream reference', () => {
    const notes = knownDefectNotes([
      { lock: 'node-redlock', clients: 16, keys: '1', perSec: 1.06 },
      { lock: 'node-redlock', clients: 4, keys: '1', perSec: 2.94, context: '5 ms injected per link' },
      { lock: 'node-redlock', clients: 16, keys: 'many', perSec: 1913 },
      { lock: 'redlock', clients: 16, keys: '1', perSec: 873 },
    ]);
    assert.equal(notes.length, 1);
    assert.equal(
      notes[0],
      `node-redlock (redlock ${installed('redlock')}): 2.9 cycles/s with 4 clients, 5 ms injected per link, 1.1 cycles/s with 16 clients on one contended key — ` +
        'a known defect of that beta: its retries keep the keys a failed attempt set, so a contender blocks on its own key and a later attempt needs every other master ' +
        '(open upstream pull request mike-marcacci/node-redlock#369)',
    );
    assert.deepEqual(knownDefectNotes([{ lock: 'node-redlock', clients: 16, keys: 'many', perSec: 1 }]), []);
    assert.match(knownDefectNotes([{ lock: 'node-redlock', clients: 256, keys: '1', perSec: 3 }], 'grants/s')[0] ?? '', /3\.0 grants\/s with 256 clients/);
    assert.deepEqual(knownDefectsIn({ lock: 'node-redlock', clients: 16, keys: '1' }), [
      'a known defect of that beta: its retries keep the keys a failed attempt set, so a contender blocks on its own key and a later attempt needs every other master (open upstream pull request mike-marcacci/node-redlock#369)',
    ]);
  });
});
