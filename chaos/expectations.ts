// What the literature says a run should show, per lock family and fault, so a summary can say
// whether reality agreed. An expectation is about safety only (overlap at the resource, lost
// updates); where nothing is known for sure the answer is undefined and nothing is claimed. Each
// fault's module states its own; a lock that declares no family gets none.
import type { Expectation } from './faults/fault.ts';
import { faultModule, stepKinds } from './faults/registry.ts';
import { storedLockModel, type ChaosOptions } from './options.ts';

export type { Expectation } from './faults/fault.ts';

/** Options as a run recorded them (a results.json of an older version may lack lockModel). */
export function expectationFor(recorded: ChaosOptions): Expectation | undefined {
  const o: ChaosOptions = { ...recorded, lockModel: storedLockModel(recorded) };
  if (o.fault === 'none') return { overlap: false, why: 'without faults every implementation excludes' };
  if (o.fault === 'mix' || o.lockModel.family === 'unknown' || !(stepKinds as readonly string[]).includes(o.fault)) return undefined;
  return faultModule(o.fault).expect?.(o);
}
