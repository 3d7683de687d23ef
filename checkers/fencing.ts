// Fencing: with fencing on, the resource must only accept a write whose token is greater than every
// token it accepted before on that key (Kleppmann's fencing, Hazelcast's FencedMutex model).
// Tokens are decimal strings compared as bigints: ZooKeeper zxids exceed 2^53.
// Fencing is judged only on runs where the resource enforced it (the run's options say so): with
// fencing off the resource records tokens but accepts every write, so stale tokens are expected.
// With fencing on, an accepted write without a token is a violation as much as a stale one. When
// the options are not known (a folder without manifest.json / results.json), a `reject` line shows
// fencing was on; otherwise a stale accepted token cannot be judged and the verdict is unknown.
import type { CheckInput } from './input.ts';
import type { CheckerResult, Verdict } from './verdict.ts';

/**
 * An accepted write that fencing should have refused: its token was not above the highest token
 * accepted before on its key (`stale-token`), or it had none (`missing-token`).
 */
export interface StaleAccept {
  readonly reason: 'stale-token' | 'missing-token';
  readonly key: string;
  readonly timeMs: number;
  readonly client: number;
  readonly token?: string;
  readonly previousToken?: string;
  readonly previousClient?: number;
  readonly previousTimeMs?: number;
}

/** How the checker knew whether fencing was on. */
export type FencingMode = 'on' | 'off' | 'inferred-on' | 'not-known';

export interface FencingResult extends CheckerResult {
  /** on / off from the run's options; inferred-on from a reject line; not-known otherwise. */
  readonly mode: FencingMode;
  /** False when fencing was off, or no write or rejection carried a token. */
  readonly applicable: boolean;
  readonly auditPresent: boolean;
  /** Accepted writes that carried a token. */
  readonly tokenedWrites: number;
  /** Accepted writes without a token, while other writes had one. */
  readonly untokenedWrites: number;
  readonly rejections: number;
  readonly rejectionsByReason: Readonly<Record<string, number>>;
  /** Accepted writes fencing should have refused (stale or missing token); with mode not-known, stale ones. */
  readonly violations: number;
  /** Tokens that are not decimal integers; they make the verdict unknown. */
  readonly malformedTokens: number;
  /** The first violations, in audit order; capped. */
  readonly violationSamples: readonly StaleAccept[];
}

export interface FencingOptions {
  /** Cap on violations listed with details. Default 1000. */
  readonly maxReported?: number;
}

function parseToken(token: string): bigint | undefined {
  return /^-?\d+$/.test(token.trim()) ? BigInt(token.trim()) : undefined;
}

export function checkFencing(input: CheckInput, options: FencingOptions = {}): FencingResult {
  const cap = options.maxReported ?? 1000;
  const audit = input.audit;
  const declared = input.run.fencing;
  const empty = { tokenedWrites: 0, untokenedWrites: 0, rejections: 0, rejectionsByReason: {}, violations: 0, malformedTokens: 0, violationSamples: [] };
  if (declared === false) {
    const tokened = audit?.reduce((n, e) => (e.event === 'write' && e.token !== undefined ? n + 1 : n), 0) ?? 0;
    return {
      verdict: 'valid',
      summary: `not judged: fencing was off for this run (the resource accepted every write; ${tokened} carried a token)`,
      mode: 'off',
      applicable: false,
      auditPresent: audit !== undefined,
      ...empty,
      tokenedWrites: tokened,
    };
  }
  if (audit === undefined) {
    const tokensGranted = input.paired.pairs.some((p) => p.f === 'acquire' && p.completion?.lease?.token !== undefined);
    const judge = declared === true || tokensGranted;
    return {
      verdict: judge ? 'unknown' : 'valid',
      summary: judge ? 'unknown: fencing cannot be judged without the audit log' : 'not applicable (no tokens, no audit log)',
      mode: declared === true ? 'on' : 'not-known',
      applicable: judge,
      auditPresent: false,
      ...empty,
    };
  }

  const highest = new Map<string, { token: bigint; text: string; client: number; timeMs: number }>();
  const rejectionsByReason: Record<string, number> = {};
  const samples: StaleAccept[] = [];
  let tokenedWrites = 0;
  let untokenedWrites = 0;
  let rejections = 0;
  let rejectTokens = 0;
  let stale = 0;
  let malformedTokens = 0;
  const untokenedSamples: StaleAccept[] = [];
  for (const e of audit) {
    if (e.event === 'reject') {
      rejections += 1;
      if (e.token !== undefined) rejectTokens += 1;
      const reason = e.reason ?? 'unspecified';
      rejectionsByReason[reason] = (rejectionsByReason[reason] ?? 0) + 1;
      continue;
    }
    if (e.event !== 'write') continue;
    if (e.token === undefined) {
      untokenedWrites += 1;
      if (untokenedSamples.length < cap) untokenedSamples.push({ reason: 'missing-token', key: e.key, timeMs: e.timeMs, client: e.client });
      continue;
    }
    tokenedWrites += 1;
    const token = parseToken(e.token);
    if (token === undefined) {
      malformedTokens += 1;
      continue;
    }
    const prev = highest.get(e.key);
    if (prev === undefined || token > prev.token) {
      highest.set(e.key, { token, text: e.token, client: e.client, timeMs: e.timeMs });
      continue;
    }
    stale += 1;
    if (samples.length < cap) {
      samples.push({ reason: 'stale-token', key: e.key, timeMs: e.timeMs, client: e.client, token: e.token, previousToken: prev.text, previousClient: prev.client, previousTimeMs: prev.timeMs });
    }
  }

  // The resource rejects only when fencing is on, so a reject line settles an unknown setting.
  const mode: FencingMode = declared === true ? 'on' : rejections > 0 ? 'inferred-on' : 'not-known';
  const on = mode !== 'not-known';
  const tokens = tokenedWrites > 0 || rejectTokens > 0;
  const base = { mode, auditPresent: true, tokenedWrites, rejections, rejectionsByReason, malformedTokens };
  if (!on && !tokens) {
    return { ...base, verdict: 'valid', summary: `not applicable (no tokens at the resource)${rejections > 0 ? `; ${rejections} rejections` : ''}`, applicable: false, untokenedWrites: 0, violations: 0, violationSamples: [] };
  }
  if (!on) {
    // Fencing may have been off: stale tokens are then expected and prove nothing.
    const verdict: Verdict = stale > 0 || malformedTokens > 0 ? 'unknown' : 'valid';
    const summary =
      stale > 0
        ? `unknown: ${stale} accepted writes carried a token not above the previous one, and the run's options do not say whether fencing was on (a violation if it was; pass --fencing on|off to lockbench check)`
        : malformedTokens > 0
          ? `unknown: ${malformedTokens} tokens are not decimal integers`
          : `${tokenedWrites} accepted tokens strictly increase per key (whether fencing was on is not recorded)`;
    return { ...base, verdict, summary, applicable: true, untokenedWrites, violations: stale, violationSamples: samples };
  }
  const violations = stale + untokenedWrites;
  const all = [...samples, ...untokenedSamples].sort((x, y) => x.timeMs - y.timeMs).slice(0, cap);
  const verdict: Verdict = violations > 0 ? 'invalid' : malformedTokens > 0 ? 'unknown' : 'valid';
  let summary: string;
  if (violations > 0) {
    const parts = [];
    if (stale > 0) parts.push(`${stale} accepted writes with a token not above the previous one`);
    if (untokenedWrites > 0) parts.push(`${untokenedWrites} accepted writes without a token`);
    summary = `${parts.join(' and ')} while fencing was on; ${rejections} rejections`;
  } else if (malformedTokens > 0) summary = `unknown: ${malformedTokens} tokens are not decimal integers; ${rejections} rejections`;
  else summary = `${tokenedWrites} accepted tokens strictly increase per key; ${rejections} stale writes rejected`;
  return { ...base, verdict, summary, applicable: true, untokenedWrites, violations, violationSamples: all };
}
