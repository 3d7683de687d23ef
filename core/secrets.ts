// Credentials of an external target (clusters/external/target.ts) are known to this process and,
// through the environment, to its workers. Every line lockbench logs and every file a run writes
// passes through redactSecrets, so a password that reaches a message anyway (an error that quotes
// a connection string, an options object written whole) is masked before it lands anywhere.
const secrets = new Set<string>();

/** Secrets shorter than this are not masked: masking "a" would garble every message. */
const MIN_SECRET_LENGTH = 3;
export const REDACTED = '[redacted]';

export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
