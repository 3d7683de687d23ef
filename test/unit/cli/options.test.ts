// The cluster flags → ClusterConfig: --systems, and a flag of a left-out system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterConfigFromArgs, type ClusterArgs } from '../../../cli/options.ts';
import { formatStatus } from '../../../cli/commands/status.ts';
import type { ClusterStatus } from '../../../clusters/cluster.ts';
import { drivers, systemNames } from '../../../clusters/systems/registry.ts';
import { defaultClusterConfig, planCluster } from '../../../clusters/topology.ts';
import { UsageError } from '../../../core/errors.ts';

/** What yargs hands a command when no cluster flag is given: every declared flag at its default. */
function args(over: Record<string, unknown> = {}): ClusterArgs {
  const a: Record<string, unknown> = { 'client-slots': defaultClusterConfig.clientSlots, 'port-base': defaultClusterConfig.portBase };
  for (const d of drivers) for (const o of d.config.options) if (o.fromDurability !== true) a[o.flag] = (defaultClusterConfig as unknown as Record<string, unknown>)[o.field];
  return { ...a, ...over } as ClusterArgs;
}

test('no --systems: every registered system; --systems: those, in registry order', () => {
  assert.deepEqual(clusterConfigFromArgs(args()).systems, systemNames);
  assert.deepEqual(clusterConfigFromArgs(args({ systems: [...systemNames].reverse().join(',') })).systems, systemNames);
  const first = systemNames[0];
  assert.ok(first);
  assert.deepEqual(clusterConfigFromArgs(args({ systems: first })).systems, [first]);
  assert.throws(() => clusterConfigFromArgs(args({ systems: 'nope' })), UsageError);
});

test('a flag of a left-out system set away from its default is refused; at its default it is harmless', () => {
  for (const d of drivers) {
    const other = systemNames.find((s) => s !== d.name);
    const count = d.config.options.find((o) => o.type === 'number');
    if (other === undefined || count === undefined) continue;
    const dflt = (defaultClusterConfig as unknown as Record<string, unknown>)[count.field];
    assert.doesNotThrow(() => clusterConfigFromArgs(args({ systems: other, [count.flag]: dflt })));
    assert.throws(
      () => clusterConfigFromArgs(args({ systems: other, [count.flag]: Number(dflt) + 2 })),
      (e: unknown) => e instanceof UsageError && e.message.includes(`--${count.flag} ${Number(dflt) + 2} sets ${d.name}, which --systems ${other} leaves out`),
    );
  }
});

test('status says which systems run and which do not', () => {
  const first = systemNames[0];
  assert.ok(first);
  const config = { ...defaultClusterConfig, systems: [first] };
  const plan = planCluster(config);
  const status: ClusterStatus = {
    config,
    network: plan.network,
    nodes: plan.nodes.map((n) => ({ name: n.name, system: n.system, container: n.container, state: 'running', role: 'x', direct: `127.0.0.1:${n.directPort}`, proxied: [] })),
    toxiproxy: { container: plan.toxiproxy.container, state: 'running', api: 'http://127.0.0.1:1', implementation: 'compat', version: null },
  };
  const text = formatStatus(status);
  const out = systemNames.filter((s) => s !== first);
  assert.match(text, new RegExp(`systems ${first}${out.length > 0 ? ` \\(not running: ${out.join(', ')}` : ''}`));
  assert.deepEqual([...new Set(plan.nodes.map((n) => n.system))], [first]);
});
