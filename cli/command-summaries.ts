// The command list without the commands: when no command is named (`lockbench --help`, a bare
// `lockbench`, a mistyped name), yargs only needs each command's name and one-line description to
// print the list or suggest the nearest name. Loading every command for that costs over half a
// second (Docker, charts, bench), so the bundle carries the list (commands.json, written by
// scripts/cli-bundle.mjs from the very build it sits in) and these stand-ins are registered instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../core/errors.ts';
import { bundleDir } from '../core/runnable.ts';
import type { AnyCommand } from './commands/index.ts';

interface Summary {
  readonly command: string | readonly string[];
  readonly describe: string | false;
  readonly aliases?: string | readonly string[];
}

const isSummary = (s: unknown): s is Summary => {
  const o = s as Partial<Record<keyof Summary, unknown>> | null;
  return typeof o === 'object' && o !== null && (typeof o.command === 'string' || Array.isArray(o.command)) && (typeof o.describe === 'string' || o.describe === false);
};

/** The words that select a command: its name (the first word of `command`) and its aliases. */
const namesOf = (s: Summary): string[] => [...[s.command].flat(), ...[s.aliases ?? []].flat()].map((c) => c.split(' ')[0] ?? '');

/**
 * Stand-ins for every command, from the running bundle's commands.json, when no word of `argv`
 * could select one (so yargs never runs a stand-in); undefined otherwise, or when not running from a
 * bundle or the file is missing or unreadable: then the real commands are loaded, as under tsx.
 */
export function commandSummaries(argv: readonly string[]): AnyCommand[] | undefined {
  if (bundleDir === undefined) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(join(bundleDir, 'commands.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every(isSummary)) return undefined;
  if (list.some((s) => namesOf(s).some((name) => argv.includes(name)))) return undefined;
  return list.map((s: Summary) => ({
    command: s.command,
    describe: s.describe,
    ...(s.aliases === undefined ? {} : { aliases: s.aliases }),
    // Never selected: no word of argv names a command (checked above).
    handler: () => {
      throw new HarnessError('INTERNAL', `the stand-in for '${String(s.command)}' ran; cli/main.ts should have loaded the command`);
    },
  }));
}
