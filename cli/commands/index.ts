// The command registry, keyed by CLI name. Each command's module is imported only when that
// command is wanted: the Docker, chart and bench modules some commands pull in take over a second
// to load, which `lockbench check` should not pay for.
import type { CommandModule } from 'yargs';

// Each command has its own argument type; the registry only needs them to be commands.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = CommandModule<object, any>;

/** In the order `--help` lists them. */
const loaders = {
  setup: async () => (await import('./setup.ts')).setupCommand,
  up: async () => (await import('./up.ts')).upCommand,
  status: async () => (await import('./status.ts')).statusCommand,
  down: async () => (await import('./down.ts')).downCommand,
  bench: async () => (await import('./bench.ts')).benchCommand,
  chaos: async () => (await import('./chaos.ts')).chaosCommand,
  check: async () => (await import('./check.ts')).checkCommand,
  report: async () => (await import('./report.ts')).reportCommand,
} satisfies Record<string, () => Promise<AnyCommand>>;

export type CommandName = keyof typeof loaders;
export const commandNames = Object.keys(loaders) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(loaders, name);
}

/** The named commands' modules, in registry order (all of them when no name is given). */
export async function loadCommands(names: readonly CommandName[] = commandNames): Promise<AnyCommand[]> {
  return Promise.all(commandNames.filter((n) => names.includes(n)).map((n) => loaders[n]()));
}
