// The command registry, keyed by CLI name.
import type { CommandModule } from 'yargs';
import { checkCommand } from './check.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [checkCommand];
