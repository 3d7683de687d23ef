// A number option given something that is not a number: yargs parses it to NaN, and every later
// check could only say "got NaN". This finds the text the user typed (`--duration abc`,
// `--duration=abc`) so the message can echo it, before any command looks at its options.
import { UsageError } from '../core/errors.ts';

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Every text that followed `--flag` (or `--flag=`) on the command line, in order. */
export function rawValues(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const next = argv[i + 1];
    if (a === `--${flag}` && next !== undefined) out.push(next);
    else if (a.startsWith(`--${flag}=`)) out.push(a.slice(flag.length + 3));
  }
  return out;
}

/** The usage error for the first number option that parsed to NaN, or undefined when there is none. */
export function notANumber(parsed: Readonly<Record<string, unknown>>, argv: readonly string[]): UsageError | undefined {
  for (const [key, value] of Object.entries(parsed)) {
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (key === '_' || key === '$0' || !values.some((v) => typeof v === 'number' && Number.isNaN(v))) continue;
    const flag = kebab(key);
    const typed = [...rawValues(argv, flag), ...rawValues(argv, key)].find((t) => Number.isNaN(Number(t)));
    return new UsageError(`--${flag} takes a number, got '${typed ?? ''}'`);
  }
  return undefined;
}
