// chaos --systems: a lock (or a lock module's declared system) the selection leaves out is a usage
// error before anything starts; the resolved options carry the selection to the runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveChaosOptions } from '../../../chaos/options.ts';
import { systemNames } from '../../../clusters/systems/registry.ts';
import { UsageError } from '../../../core/errors.ts';
import { lockNames, lockSpecs } from '../../../locks/registry.ts';

const systemOf = (l: (typeof lockNames)[number]): string => lockSpecs[l].model.system;

test('the resolved options say which systems run; every one when none is given', () => {
  assert.deepEqual(resolveChaosOptions({ lock: 'redis', fault: 'none' }).systems, systemNames);
  for (const lock of lockNames) assert.deepEqual(resolveChaosOptions({ lock, fault: 'none', systems: [systemOf(lock)] }).systems, [systemOf(lock)]);
});

test('a lock whose system is left out is refused, saying how to fix it', () => {
  for (const lock of lockNames) {
    const other = systemNames.find((s) => s !== systemOf(lock));
    if (other === undefined) continue;
    assert.throws(
      () => resolveChaosOptions({ lock, fault: 'partition', systems: [other] }),
      (e: unknown) => e instanceof UsageError && e.exitCode === 254 && e.message.startsWith(`lock '${lock}' runs on ${systemOf(lock)}, which --systems ${other} leaves out; add it (--systems `),
    );
  }
});

test('a lock module whose declared system is left out is refused', () => {
  const model = lockSpecs.zookeeper.model;
  const other = systemNames.find((s) => s !== model.system);
  assert.ok(other);
  assert.throws(
    () => resolveChaosOptions({ lock: 'module', modulePath: 'my-lock.ts', lockModel: model, fault: 'none', systems: [other] }),
    (e: unknown) => e instanceof UsageError && /^the lock module my-lock\.ts \(its `system`\) runs on zookeeper, which --systems \S+ leaves out; add it/.test(e.message),
  );
  assert.deepEqual(resolveChaosOptions({ lock: 'module', modulePath: 'my-lock.ts', lockModel: model, fault: 'none', systems: [model.system] }).systems, [model.system]);
});

test('a bad selection is a usage error', () => {
  assert.throws(() => resolveChaosOptions({ lock: 'redis', fault: 'none', systems: [] }), UsageError);
  assert.throws(() => resolveChaosOptions({ lock: 'redis', fault: 'none', systems: ['mysql'] }), UsageError);
});
