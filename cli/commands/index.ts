// The command registry, keyed by CLI name.
import type { CommandModule } from 'yargs';
import { benchCommand } from './bench.ts';
import { chaosCommand } from './chaos.ts';
import { checkCommand } from './check.ts';
import { downCommand } from './down.ts';
import { reportCommand } from './report.ts';
import { setupCommand } from './setup.ts';
import { statusCommand } from './status.ts';
import { upCommand } from './up.ts';

// Each command has its own argument type; the registry only needs them to be commands.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: readonly CommandModule<object, any>[] = [setupCommand, upCommand, statusCommand, downCommand, benchCommand, chaosCommand, checkCommand, reportCommand];
