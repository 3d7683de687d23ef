// `lockbench setup`: Docker engine and images; quick when nothing changed.
import type { CommandModule } from 'yargs';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { interruptSignal } from '../context.ts';
import { environmentOptions, type EnvironmentArgs } from '../options.ts';

export const setupCommand: CommandModule<object, EnvironmentArgs & { json: boolean }> = {
  command: 'setup',
  describe: 'install/start the Docker engine if needed (Debian, root) and build the images',
  builder: (y) => environmentOptions(y).option('json', { type: 'boolean', default: false, describe: 'print what was set up as JSON' }),
  handler: async (args) => {
    const env = await ensureEnvironment({ mayInstallDocker: args['install-docker'], signal: interruptSignal() });
    const summary = { ...env.images, engineInstalled: env.engineInstalled, setupMs: Math.round(env.setupMs) };
    if (args.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else
      process.stdout.write(
        `environment ready in ${(env.setupMs / 1000).toFixed(1)} s: ${Object.entries(env.images.systems).map(([system, image]) => `${system} ${image}`).join(', ')}, ` +
          `toxiproxy ${env.images.toxiproxy} (${env.images.toxiproxyImpl})\n`,
      );
  },
};
