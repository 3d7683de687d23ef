// --systems: parsing and validating a selection, and the usage errors for what it leaves out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemNames } from '../../../clusters/systems/registry.ts';
import { leftOut, locksOnSelected, onSelected, otherLocksText, parseSystems, requireSelected, selectedDrivers, systemsHelp, validateSystems } from '../../../clusters/systems/selection.ts';
import { UsageError } from '../../../core/errors.ts';

const registered = ['alpha', 'beta', 'gamma'];
const usage = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);

test('no --systems, or all, is every registered system in registry order', () => {
  assert.deepEqual(parseSystems(undefined, registered), registered);
  assert.deepEqual(parseSystems('all', registered), registered);
  assert.deepEqual(parseSystems(' all ', registered), registered);
  assert.deepEqual(parseSystems(undefined), [...systemNames]);
});

test('a list is kept in registry order, duplicates and blanks dropped', () => {
  assert.deepEqual(parseSystems('gamma,alpha', registered), ['alpha', 'gamma']);
  assert.deepEqual(parseSystems('beta, beta ,,beta', registered), ['beta']);
  assert.deepEqual(parseSystems(' gamma ', registered), ['gamma']);
});

test('an unknown name or an empty list is a usage error that lists the choices', () => {
  assert.throws(() => parseSystems('alpha,mysql,pg', registered), usage(/no backing system named 'mysql', 'pg'; choose from alpha, beta, gamma/));
  assert.throws(() => parseSystems('', registered), usage(/--systems needs at least one of alpha, beta, gamma/));
  assert.throws(() => parseSystems(' , ', registered), usage(/needs at least one/));
  assert.throws(() => parseSystems('Alpha', registered), UsageError, 'names are exact');
});

test('a config\'s systems must be a non-empty list of registered names; it comes back in registry order', () => {
  assert.deepEqual(validateSystems(['gamma', 'alpha', 'gamma'], registered), ['alpha', 'gamma']);
  for (const bad of [undefined, [], 'alpha', [1], ['alpha', 2], null]) assert.throws(() => validateSystems(bad, registered), UsageError, JSON.stringify(bad));
  assert.throws(() => validateSystems(['delta'], registered), usage(/'delta'/));
});

test('left out: the registered systems a selection does not have', () => {
  assert.deepEqual(leftOut(['beta'], registered), ['alpha', 'gamma']);
  assert.deepEqual(leftOut(registered, registered), []);
});

test('the selected drivers are the registry\'s, in its order', () => {
  const last = systemNames[systemNames.length - 1];
  assert.ok(last);
  assert.deepEqual(selectedDrivers({ systems: [last] }).map((d) => d.name), [last]);
  assert.deepEqual(selectedDrivers({ systems: systemNames }).map((d) => d.name), [...systemNames]);
});

const locks = [
  { name: 'a1', system: 'alpha' },
  { name: 'b1', system: 'beta' },
  { name: 'a2', system: 'alpha' },
];

test('a lock on a left-out system is refused with both ways out', () => {
  assert.doesNotThrow(() => requireSelected("lock 'a1'", 'alpha', ['alpha'], undefined, registered));
  assert.throws(
    () => requireSelected("lock 'b1'", 'beta', ['alpha', 'gamma'], otherLocksText(locks, ['alpha', 'gamma']), registered),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === "lock 'b1' runs on beta, which --systems alpha,gamma leaves out; add it (--systems alpha,beta,gamma) or choose a lock on alpha: a1, a2",
  );
  // Nothing else to choose: only the first way out.
  assert.throws(() => requireSelected("lock 'b1'", 'beta', ['gamma'], otherLocksText(locks, ['gamma']), registered), usage(/leaves out; add it \(--systems beta,gamma\)$/));
});

test('the default locks are those on the selected systems; none at all is a usage error naming where locks run', () => {
  assert.deepEqual(onSelected(locks, ['alpha']).map((l) => l.name), ['a1', 'a2']);
  assert.deepEqual(locksOnSelected(locks, ['beta', 'gamma'], '--locks').map((l) => l.name), ['b1']);
  assert.throws(() => locksOnSelected(locks, ['gamma'], '--locks'), usage(/no lock runs on --systems gamma.*alpha \(a1, a2\), beta \(b1\)/));
});

test('the help lists the registered names and says what happens to a running cluster', () => {
  const help = systemsHelp(registered);
  assert.match(help, /alpha, beta, gamma, or all/);
  assert.match(help, /running cluster with other systems is replaced/);
  for (const s of systemNames) assert.ok(systemsHelp().includes(s));
});
