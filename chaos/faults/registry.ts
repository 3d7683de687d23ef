// Fault mechanisms keyed by the schedule's step kinds (the --fault names).
import type { StepKind } from '../schedule.ts';
import { clientPause, latency } from './client-faults.ts';
import type { FaultMechanism } from './fault.ts';
import { clockSkew, crash, pause } from './node-faults.ts';
import { partition } from './partition.ts';

export const faultMechanisms = {
  partition,
  crash,
  'clock-skew': clockSkew,
  pause,
  'client-pause': clientPause,
  latency,
} satisfies Record<StepKind, FaultMechanism>;
