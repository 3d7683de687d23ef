// The one argument parser of the harness's self-benchmarks (tools/*.ts): node's parseArgs with
// strict flags, numbers checked with a message that echoes what was typed, and --help printing
// the tool's own header comment. A tool's bad flag is a usage error: exit 254 and one line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, errorMessage } from '../core/errors.ts';

export type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

export interface ToolArgs {
  /** A boolean flag. */
  flag(name: string): boolean;
  /** A string flag's value, or undefined. */
  text(name: string): string | undefined;
  /** A number flag within [min, max] (whole when `integer`), or `fallback` when absent. */
  number(name: string, fallback: number, o?: { readonly min?: number; readonly max?: number; readonly integer?: boolean }): number;
}

/** Parses `argv` against `flags`; returns undefined after printing help for --help. */
export function toolArgs(toolUrl: string, flags: FlagSpec, argv: readonly string[] = process.argv.slice(2)): ToolArgs | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: { ...flags, help: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${errorMessage(err)} (--help lists the flags)`);
  }
  if (values['help'] === true) {
    const text = readFileSync(fileURLToPath(toolUrl), 'utf8');
    process.stdout.write(text.slice(0, text.indexOf('\nimport ')) + '\n');
    return undefined;
  }
  return {
    flag: (name) => values[name] === true,
    text: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    number: (name, fallback, o = {}) => {
      const raw = values[name];
      if (typeof raw !== 'string') return fallback;
      const v = Number(raw);
      const min = o.min ?? Number.MIN_VALUE;
      const max = o.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isFinite(v) || v < min || v > max || (o.integer === true && !Number.isInteger(v))) {
        throw new UsageError(`--${name} takes a ${o.integer === true ? 'whole number' : 'number'} from ${min} to ${max}, got '${raw}'`);
      }
      return v;
    },
  };
}

/**
 * Parses the tool's flags and runs its main (not for --help); a usage error exits 254 with one
 * line, anything else 1 (tools are not cli/, so they set the exit code and return).
 */
export function runTool(name: string, toolUrl: string, flags: FlagSpec, main: (args: ToolArgs) => Promise<void>): void {
  Promise.resolve()
    .then(async () => {
      const args = toolArgs(toolUrl, flags);
      if (args !== undefined) await main(args);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${name}: ${errorMessage(err)}\n`);
      process.exitCode = err instanceof UsageError ? 254 : 1;
    });
}
