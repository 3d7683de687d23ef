// `lockbench setup`: Docker engine and images; quick when nothing changed. A registry pull that
// failed (no registry on this machine) is remembered, so later commands do not ask again; --refresh
// asks again.
import type { CommandModule } from 'yargs';
import { ensureEnvironment } from '../../clusters/environment.ts';
import { interruptSignal } from '../context.ts';
import { environmentOptions, type EnvironmentArgs } from '../options.ts';

interface SetupArgs extends EnvironmentArgs {
  readonly json: boolean;
  readonly refresh: boolean;
}

export const setupCommand: CommandModule<object, SetupArgs> = {
  command: 'setup',
  describe: 'install/start the Docker engine if needed (Debian, root) and build the images',
  builder: (y) =>
    environmentOptions(y)
      .option('json', { type: 'boolean', default: false, describe: 'print what was set up as JSON' })
      .option('refresh', {
        type: 'boolean',
        default: false,
        describe: 'ask the registry again for debian:bookworm-slim and Shopify\'s Toxiproxy, even when an earlier pull failed (remembered in .build/images.json) or a debootstrap base exists',
      }),
  handler: async (args) => {
    const env = await ensureEnvironment({ mayInstallDocker: args['install-docker'], signal: interruptSignal(), refresh: args.refresh });
    const summary = { ...env.images, engineInstalled: env.engineInstalled, setupMs: Math.round(env.setupMs) };
    if (args.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else
      process.stdout.write(
        `environment ready in ${(env.setupMs / 1000).toFixed(1)} s: ${Object.entries(env.images.systems).map(([system, image]) => `${system} ${image}`).join(', ')}, ` +
          `toxiproxy ${env.images.toxiproxy} (${env.images.toxiproxyImpl}); base ${env.images.base} (\`npm run status\` says why)\n`,
      );
  },
};
