// What the failover faults (failover, split-brain, replica-lag) share: they apply only to locks
// on a system with a primary, replicas and automatic failover (a driver with FailoverHooks), find
// the primary the deciders name now, wait for a promotion as proof that the fault took effect,
// and heal by waiting until the system has settled again (whichever node is primary then: the
// next run's start fails back, clusters/cluster.ts).
import { nodesOf, type NodePlan } from '../../clusters/topology.ts';
import type { FailoverHooks } from '../../clusters/systems/driver.ts';
import { driverFor, isSystemName } from '../../clusters/systems/registry.ts';
import { monoMs, sleep } from '../../core/clock.ts';
import { HarnessError } from '../../core/errors.ts';
import type { LockModel } from '../../locks/spec.ts';
import type { FaultContext } from './fault.ts';

const HOST = '127.0.0.1';
/** Sentinel: 2 s to call the primary down, an election, a promotion; a failed election is retried after 2 × failover-timeout. */
export const PROMOTION_TIMEOUT_MS = 30_000;
const SETTLE_TIMEOUT_MS = 60_000;

/** Why a failover fault cannot strike this lock, or undefined when it can. */
export function failoverApplies(model: Pick<LockModel, 'system'>): string | undefined {
  if (isSystemName(model.system) && driverFor(model.system).failover) return undefined;
  return `needs a lock on a system with replicas and automatic failover (redis-sentinel: --lock sentinel or sentinel-wait); this lock runs on ${model.system}`;
}

export interface FailoverTarget {
  readonly hooks: FailoverHooks;
  readonly nodes: readonly NodePlan[];
  readonly primary: string;
}

export async function failoverTarget(ctx: FaultContext): Promise<FailoverTarget> {
  const system = ctx.options.lockModel.system;
  const hooks = isSystemName(system) ? driverFor(system).failover : undefined;
  if (!hooks) throw new HarnessError('INTERNAL', `${system} has no failover hooks`);
  const nodes = nodesOf(ctx.control.plan, system);
  const primary = await hooks.primary(nodes, HOST);
  if (primary === undefined) throw new HarnessError('FAULT_NOT_EFFECTIVE', `no majority of ${system}'s deciders names a primary, so there is none to strike`);
  return { hooks, nodes, primary };
}

/** Waits until the deciders name another primary; returns it and when (host monotonic ms). No promotion is a fault that did not take effect. */
export async function waitForPromotion(t: FailoverTarget, timeoutMs = PROMOTION_TIMEOUT_MS): Promise<{ readonly promoted: string; readonly atMs: number }> {
  const deadline = monoMs() + timeoutMs;
  while (monoMs() < deadline) {
    const now = await t.hooks.primary(t.nodes, HOST);
    if (now !== undefined && now !== t.primary) return { promoted: now, atMs: monoMs() };
    await sleep(100);
  }
  throw new HarnessError('FAULT_NOT_EFFECTIVE', `no replica was promoted within ${timeoutMs} ms after ${t.primary} was cut off`);
}

export async function settled(t: FailoverTarget): Promise<void> {
  await t.hooks.settle(t.nodes, { host: HOST, timeoutMs: SETTLE_TIMEOUT_MS });
}

/** What a failover fault needs of the shared options: one key, holds that outlast a promotion, a TTL longer still. */
export const failoverDefaults = { keys: 1, holdMs: 6000, ttlMs: 10_000 } as const;

/** Strikes within this long of a grant made after the fault began (the grant cannot have replicated). */
export const holderWaitMs = (o: { readonly holdMs: number }): number => o.holdMs + 5000;
