// Verdicts and how they combine. A run is only as good as its worst checker, and a checker that
// could not finish proves nothing either way, so a crash inside a checker becomes `unknown`.
import { errorMessage } from '../core/errors.ts';

/** valid: no anomaly found; invalid: an anomaly proven; unknown: the evidence cannot decide. */
export type Verdict = 'valid' | 'invalid' | 'unknown';

const rank: Record<Verdict, number> = { valid: 0, unknown: 1, invalid: 2 };

/** Merges verdicts as invalid > unknown > valid (Jepsen's merge-valid). No input is valid. */
export function mergeVerdicts(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'valid';
  for (const v of verdicts) if (rank[v] > rank[worst]) worst = v;
  return worst;
}

/** What every checker returns; each checker adds its own details next to these. */
export interface CheckerResult {
  readonly verdict: Verdict;
  /** One line for humans, e.g. in `lockbench check` output. */
  readonly summary: string;
}

/** The result standing in for a checker that threw. */
export interface FailedCheck extends CheckerResult {
  readonly verdict: 'unknown';
  /** The error the checker threw. */
  readonly error: string;
}

/** Runs a checker; if it throws, the verdict is unknown and the error is kept for the report. */
export function checkSafe<T extends CheckerResult>(name: string, check: () => T): T | FailedCheck {
  try {
    return check();
  } catch (err) {
    const error = errorMessage(err);
    return { verdict: 'unknown', summary: `${name} checker failed: ${error}`, error };
  }
}

/** True when a result came from a checker that threw. */
export function isFailedCheck(result: CheckerResult): result is FailedCheck {
  return 'error' in result && typeof (result as { error?: unknown }).error === 'string';
}
