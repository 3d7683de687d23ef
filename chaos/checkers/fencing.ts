// Fencing: with fencing on, the resource must only accept a write whose token is greater than every
// token it accepted before on that key (Kleppmann's fencing, Hazelcast's FencedMutex model).
// Tokens are decimal strings compared as bigints: ZooKeeper zxids exceed 2^53.
import type { CheckInput } from './input.ts';
import type { CheckerResult, Verdict } from './verdict.ts';

/** An accepted write whose token was not above the highest token accepted before on its key. */
export interface StaleAccept {
  readonly key: string;
  readonly timeMs: number;
  readonly client: number;
  readonly token: string;
  readonly previousToken: string;
  readonly previousClient: number;
  readonly previousTimeMs: number;
}

export interface FencingResult extends CheckerResult {
  /** False when no write or rejection carried a token (fencing off, or a lock without tokens). */
  readonly applicable: boolean;
  readonly auditPresent: boolean;
  /** Accepted writes that carried a token. */
  readonly tokenedWrites: number;
  /** Accepted writes without a token, while other writes had one. */
  readonly untokenedWrites: number;
  readonly rejections: number;
  readonly rejectionsByReason: Readonly<Record<string, number>>;
  /** Accepted tokens that did not strictly increase. */
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
  if (audit === undefined) {
    const tokensGranted = input.paired.pairs.some((p) => p.f === 'acquire' && p.completion?.lease?.token !== undefined);
    return {
      verdict: tokensGranted ? 'unknown' : 'valid',
      summary: tokensGranted ? 'unknown: the lock granted tokens but there is no audit log' : 'not applicable (no tokens, no audit log)',
      applicable: tokensGranted,
      auditPresent: false,
      tokenedWrites: 0,
      untokenedWrites: 0,
      rejections: 0,
      rejectionsByReason: {},
      violations: 0,
      malformedTokens: 0,
      violationSamples: [],
    };
  }

  const highest = new Map<string, { token: bigint; text: string; client: number; timeMs: number }>();
  const rejectionsByReason: Record<string, number> = {};
  const samples: StaleAccept[] = [];
  let tokenedWrites = 0;
  let untokenedWrites = 0;
  let rejections = 0;
  let rejectTokens = 0;
  let violations = 0;
  let malformedTokens = 0;
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
    violations += 1;
    if (samples.length < cap) {
      samples.push({ key: e.key, timeMs: e.timeMs, client: e.client, token: e.token, previousToken: prev.text, previousClient: prev.client, previousTimeMs: prev.timeMs });
    }
  }

  const applicable = tokenedWrites > 0 || rejectTokens > 0;
  const verdict: Verdict = violations > 0 ? 'invalid' : malformedTokens > 0 ? 'unknown' : 'valid';
  let summary: string;
  if (!applicable) summary = `not applicable (no tokens at the resource)${rejections > 0 ? `; ${rejections} rejections` : ''}`;
  else if (violations > 0) summary = `${violations} accepted writes with a token not above the previous one; ${rejections} rejections`;
  else if (malformedTokens > 0) summary = `unknown: ${malformedTokens} tokens are not decimal integers; ${rejections} rejections`;
  else summary = `${tokenedWrites} accepted tokens strictly increase per key; ${rejections} stale writes rejected`;
  return {
    verdict: applicable ? verdict : 'valid',
    summary,
    applicable,
    auditPresent: true,
    tokenedWrites,
    untokenedWrites: applicable ? untokenedWrites : 0,
    rejections,
    rejectionsByReason,
    violations,
    malformedTokens,
    violationSamples: samples,
  };
}
