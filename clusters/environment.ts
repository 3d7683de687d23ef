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
  /** Ask the registry again for the images an earlier pull could not get (`setup --refresh`). */
  readonly refresh?: boolean;
}

// Images do not change while a process runs; a matrix of 28 chaos runs checks them once, not 28
// times. (Across processes, a pull that failed is remembered in .build/images.json: image-record.ts.)
let imagesOnce: Promise<BuiltImages> | undefined;

export async function ensureEnvironment(opts: EnvironmentOptions = {}): Promise<Environment> {
  const { signal } = opts;
  const started = monoMs();
  const engine = await ensureDockerEngine({ mayInstall: opts.mayInstallDocker ?? true, ...(signal ? { signal } : {}) });
  if (opts.refresh === true) imagesOnce = undefined;
  imagesOnce ??= ensureImages(dockerClient(), { signal, refresh: opts.refresh }).catch((err: unknown) => {
    imagesOnce = undefined;
    throw err;
  });
  const images = await imagesOnce;
  const setupMs = monoMs() - started;
  log.debug(`environment ready in ${setupMs.toFixed(0)} ms`);
  return { images, engineInstalled: engine.installed, setupMs };
}
