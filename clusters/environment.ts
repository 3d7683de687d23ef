// `setup`: everything a run needs from the machine, made idempotent and quick when nothing
// changed: a Docker engine, the base image and lockbench's images.
import { monoMs } from '../core/clock.ts';
import { logger } from '../core/log.ts';
import { dockerClient, ensureDockerEngine } from './docker-engine.ts';
import { ensureImages, type BuiltImages } from './images.ts';

const log = logger('setup');

export interface Environment {
  readonly images: BuiltImages;
  readonly engineInstalled: boolean;
  readonly setupMs: number;
}

export interface EnvironmentOptions {
  readonly mayInstallDocker?: boolean;
  readonly signal?: AbortSignal;
}

export async function ensureEnvironment(opts: EnvironmentOptions = {}): Promise<Environment> {
  const { signal } = opts;
  const started = monoMs();
  const engine = await ensureDockerEngine({ mayInstall: opts.mayInstallDocker ?? true, ...(signal ? { signal } : {}) });
  const images = await ensureImages(dockerClient(), signal);
  const setupMs = monoMs() - started;
  log.debug(`environment ready in ${setupMs.toFixed(0)} ms`);
  return { images, engineInstalled: engine.installed, setupMs };
}
