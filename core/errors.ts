// Every failure the harness can explain carries a stable code, so scripts and tests can match on it
// without parsing prose, and cli/main.ts can map it to an exit code in one place.

/** Stable error codes. Never rename one: users match on them. */
export type ErrorCode =
  | 'USAGE' // bad flag or value: exit 254
  | 'ENV_DOCKER_MISSING' // no Docker engine and no way to install one: exit 254
  | 'ENV_SETUP_FAILED' // installing or starting something failed
  | 'IMAGE_BUILD_FAILED'
  | 'PORT_IN_USE' // a port we must publish is taken: exit 254
  | 'CLUSTER_START_FAILED'
  | 'WAIT_TIMEOUT' // a wait passed its deadline
  | 'FAULT_NOT_EFFECTIVE' // a fault was applied but the probe says it did not take effect
  | 'PROXY_API' // the Toxiproxy API answered with an error
  | 'INTERRUPTED' // Ctrl-C / SIGTERM
  | 'LOCK_OUTCOME_UNKNOWN' // a lock operation may or may not have taken effect
  | 'WORKER_PROTOCOL' // a worker process sent a message that does not fit its protocol
  | 'WORKER_EXITED' // a worker process exited while something waited for it
  | 'CLEANUP_FAILED' // what lockbench wrote on a service could not all be removed
  | 'OUTSIDE_CHANGE' // something outside lockbench changed the cluster or killed one of its processes during a run
  | 'HEAL_INCOMPLETE' // some faults could not be undone: the message names each and how to undo it
  | 'FLOOR_FAILED' // a floor measurement failed twice, each time with a fresh connection
  | 'INTERNAL';

/** Exit codes, after Jepsen's cli: valid, invalid, unknown, usage, crash. */
export const ExitCode = { valid: 0, invalid: 1, unknown: 2, interrupted: 130, usage: 254, crash: 255 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class HarnessError extends Error {
  override readonly name: string = 'HarnessError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The process exit code this error maps to. */
  get exitCode(): ExitCode {
    switch (this.code) {
      case 'USAGE':
      case 'ENV_DOCKER_MISSING':
      case 'PORT_IN_USE':
        return ExitCode.usage;
      case 'INTERRUPTED':
        return ExitCode.interrupted;
      default:
        return ExitCode.crash;
    }
  }
}

/** Bad input from the user; the message must say how to fix it. */
export class UsageError extends HarnessError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A wait that ran out of time; the message names what was awaited and for how long. */
export class WaitTimeoutError extends HarnessError {
  override readonly name = 'WaitTimeoutError';
  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('WAIT_TIMEOUT', `${what} did not happen within ${timeoutMs} ms`, options);
  }
}

/** Thrown in place of a command's result when the user pressed Ctrl-C. */
export class InterruptedError extends HarnessError {
  override readonly name = 'InterruptedError';
  constructor(signal: string) {
    super('INTERRUPTED', `interrupted by ${signal}`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
