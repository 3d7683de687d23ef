// redlock 4.2.0 (installed as the npm alias `redlock-v4`) ships no types; @types/redlock 4 clashes
// with ioredis 5's. Only what locks/node-redlock-v4.ts uses, as its redlock.js defines it.
declare module 'redlock-v4' {
  import { EventEmitter } from 'node:events';

  namespace Redlock {
    interface Options {
      readonly driftFactor?: number;
      readonly retryCount?: number;
      readonly retryDelay?: number;
      readonly retryJitter?: number;
    }
    /** Per call; read as `options.x || instance.x`, so 0 means "the instance's". */
    interface CallOptions {
      readonly retryCount?: number;
      readonly retryDelay?: number;
    }
    interface Lock {
      readonly resource: string | string[];
      value: string;
      /** Wall-clock ms since the epoch: start of the winning attempt + ttl − drift; 0 once released. */
      expiration: number;
      readonly attempts: number;
      readonly attemptsRemaining: number;
      unlock(): Promise<void>;
      /** Mutates and returns this same lock. */
      extend(ttl: number): Promise<Lock>;
    }
    class LockError extends Error {
      /** The number of attempts made (0 for an extend of a lock its own clock says expired). */
      readonly attempts: number;
    }
  }

  class Redlock extends EventEmitter {
    constructor(clients: readonly object[], options?: Redlock.Options);
    lock(resource: string | string[], ttl: number): Promise<Redlock.Lock>;
    lockWithOptions(resource: string | string[], ttl: number, options: Redlock.CallOptions): Promise<Redlock.Lock>;
    unlock(lock: Redlock.Lock): Promise<void>;
    extend(lock: Redlock.Lock, ttl: number): Promise<Redlock.Lock>;
    quit(): Promise<void>;
  }

  export = Redlock;
}
