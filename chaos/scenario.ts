// Scenario identity: which stored runs measured the same thing and may be combined. Two runs are
// trials of one scenario when they share the lock, the fault and every option that changes the
// outcome; seeds, durations and client counts only change how often it shows. The default
// scenario of a lock × fault is the one chaos/options.ts resolves when no flag is given, so a
// delayed-restart or fencing run is never counted as a plain crash or client-pause trial.
import { basename } from 'node:path';
import { faultFlags } from './faults/registry.ts';
import { resolveChaosOptions, storedLockModel, type ChaosOptions } from './options.ts';

/** The options every run has, or that older runs recorded, that change what it can show, in the order labels name them. */
const NAMED_OUTCOME_OPTIONS = [
  'fencing',
  'checkLease',
  'restartDelayMs',
  'persistence',
  'ttlMs',
  'sessionTimeoutMs',
  'skewMs',
  'skewMode',
  'pauseMultiple',
  'partitionShape',
  'construction',
  'latencyMs',
  'jitterMs',
] as const satisfies readonly (keyof ChaosOptions)[];

/**
 * Every option that changes what a run can show: the named ones, then every other fault's own
 * options from the fault registry, so a new fault's options split scenarios without an edit here.
 */
export const OUTCOME_OPTIONS: readonly string[] = [...NAMED_OUTCOME_OPTIONS, ...[...faultFlags().keys()].filter((k) => !(NAMED_OUTCOME_OPTIONS as readonly string[]).includes(k))];

export type OutcomeOption = string;

/** What a stored run says about itself: results.json or manifest.json `options`, possibly from an older version. */
export type StoredOptions = Readonly<Partial<Record<keyof ChaosOptions, unknown>>> & { readonly lock: string; readonly fault: string };

export interface Scenario {
  /** Equal keys = the same scenario. */
  readonly key: string;
  readonly lock: string;
  readonly fault: string;
  /** True when every outcome option is the lock × fault default (a user's lock module never is: each module is its own lock). */
  readonly isDefault: boolean;
  /** The options that differ from the defaults, e.g. "fencing" or "delayed restart (restart-delay 9000 ms > TTL 8000 ms)"; empty for the default. */
  readonly label: string;
}

/** Defaults for a lock × fault; a lock or fault this version does not know gets the generic ones. */
function defaultsFor(lock: string, fault: string, modulePath: string | undefined, ttlMs?: number): ChaosOptions | undefined {
  const ttl = typeof ttlMs === 'number' ? { ttlMs } : {};
  for (const f of [{ lock, fault, ...(modulePath === undefined ? {} : { modulePath }), ...ttl }, { lock: 'redis', fault: 'none', ...ttl }]) {
    try {
      // A module's own declaration is not at hand here; its defaults are the generic ones.
      return resolveChaosOptions({ ...f, seed: 0, lockModel: storedLockModel(f) });
    } catch {
      // Try the generic defaults next.
    }
  }
  return undefined;
}

function phrase(option: OutcomeOption, value: unknown, o: StoredOptions): string {
  const v = String(value);
  switch (option) {
    case 'fencing':
      return value === true ? 'fencing' : 'no fencing';
    case 'checkLease':
      return value === true ? 'lease check' : 'no lease check';
    case 'restartDelayMs': {
      const ttl = o.ttlMs;
      return typeof ttl === 'number' && typeof value === 'number' && value > ttl ? `delayed restart (restart-delay ${v} ms > TTL ${ttl} ms)` : `restart-delay ${v} ms`;
    }
    case 'persistence':
      return `persistence ${v}`;
    case 'ttlMs':
      return `TTL ${v} ms`;
    case 'sessionTimeoutMs':
      return `session timeout ${v} ms`;
    case 'skewMs':
      return `skew ${v} ms`;
    case 'skewMode':
      return `skew-mode ${v}`;
    case 'pauseMultiple':
      return `pause ${v}× lease`;
    case 'partitionShape':
      return `shape ${v}`;
    case 'construction':
      return value === false ? 'no construction' : 'construction';
    case 'latencyMs':
      return `latency ${v} ms`;
    case 'jitterMs':
      return `jitter ${v} ms`;
    default:
      // A fault's own option, named by its flag.
      return `${faultFlags().get(option)?.flag ?? option} ${v}`;
  }
}

/** The scenario a stored run belongs to. Options it does not record count as their defaults. */
export function scenarioOf(o: StoredOptions): Scenario {
  const modulePath = typeof o.modulePath === 'string' ? o.modulePath : undefined;
  const base = defaultsFor(o.lock, o.fault, modulePath) as Readonly<Record<string, unknown>> | undefined;
  const given = o as Readonly<Record<string, unknown>>;
  const value = (k: OutcomeOption): unknown => given[k] ?? base?.[k];
  const identity = [o.lock, o.fault, modulePath ?? null, ...OUTCOME_OPTIONS.map((k) => value(k) ?? null)];
  const differs = OUTCOME_OPTIONS.filter((k) => value(k) !== base?.[k]);
  // Some defaults follow other options (the clock jump follows the TTL): name only what was chosen.
  const ttl = value('ttlMs');
  const derived = differs.includes('ttlMs') ? (defaultsFor(o.lock, o.fault, modulePath, typeof ttl === 'number' ? ttl : undefined) as Readonly<Record<string, unknown>> | undefined) : base;
  const resolved = { ...o, ttlMs: ttl } as StoredOptions;
  const named = differs.filter((k) => k === 'ttlMs' || value(k) !== derived?.[k]).map((k) => phrase(k, value(k), resolved));
  // "delayed restart (… > TTL 3000 ms)" already names the TTL.
  const ttlPhrase = phrase('ttlMs', ttl, resolved);
  const shown = named.some((n) => n.startsWith('delayed restart')) ? named.filter((n) => n !== ttlPhrase) : named;
  if (modulePath !== undefined) shown.unshift(`module ${basename(modulePath)}`);
  return { key: JSON.stringify(identity), lock: o.lock, fault: o.fault, isDefault: differs.length === 0 && modulePath === undefined, label: shown.join(', ') };
}
