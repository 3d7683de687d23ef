// Builds lockbench's images from the Dockerfiles in clusters/images/. Each image is tagged and
// labelled with a hash of everything it is built from (Dockerfile, context files, base image id),
// so a second setup with nothing changed only looks the tags up.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { HarnessError, errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { ensureBaseImage, imageExists, tryPull } from './base-image.ts';
import { LABEL_INPUTS_HASH, LABEL_PROJECT } from './labels.ts';

const log = logger('setup');
const here = dirname(fileURLToPath(import.meta.url));
const imagesDir = join(here, 'images');
const repoRoot = join(here, '..');

export const SHOPIFY_TOXIPROXY = 'ghcr.io/shopify/toxiproxy:2.12.0';
export type ToxiproxyImpl = 'shopify' | 'compat';

export interface BuiltImages {
  readonly redis: string;
  readonly zookeeper: string;
  readonly toxiproxy: string;
  readonly toxiproxyImpl: ToxiproxyImpl;
  readonly base: string;
}

interface ImageSpec {
  readonly name: string;
  /** Folders or files under clusters/images/ that form the build context. */
  readonly context: readonly string[];
  /** Generated files to add to the context: path inside context → content. */
  readonly generate?: () => Promise<Record<string, string>>;
}

/** Bundles the compat proxy into one file that Debian's nodejs (18) can run. */
async function bundleToxiproxyCompat(): Promise<Record<string, string>> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(repoRoot, 'toxiproxy-compat', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new HarnessError('IMAGE_BUILD_FAILED', 'esbuild produced no output for toxiproxy-compat/main.ts');
  return { 'toxiproxy/toxiproxy-compat.mjs': out.text };
}

const specs = {
  redis: { name: 'redis', context: ['redis', 'skew'] },
  zookeeper: { name: 'zookeeper', context: ['zookeeper', 'skew'] },
  toxiproxy: { name: 'toxiproxy-compat', context: ['toxiproxy/Dockerfile'], generate: bundleToxiproxyCompat },
} satisfies Record<string, ImageSpec>;

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => listFiles(join(path, name)));
}

/** Lays out the build context in a temp dir and hashes it together with the base image id. */
async function prepareContext(spec: ImageSpec, baseId: string): Promise<{ dir: string; hash: string }> {
  const dir = mkdtempSync(join(tmpdir(), `lockbench-${spec.name}-`));
  const hash = createHash('sha256').update(`base:${baseId}\n`);
  for (const entry of spec.context) {
    for (const file of listFiles(join(imagesDir, entry))) {
      const rel = relative(imagesDir, file);
      hash.update(`${rel}\n`).update(readFileSync(file));
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      cpSync(file, join(dir, rel));
    }
  }
  const generated = spec.generate ? await spec.generate() : {};
  for (const [rel, content] of Object.entries(generated).sort()) {
    hash.update(`${rel}\n`).update(content);
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return { dir, hash: hash.digest('hex').slice(0, 16) };
}

interface BuildMessage {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

async function buildImage(docker: Docker, spec: ImageSpec, base: string, baseId: string, signal?: AbortSignal): Promise<string> {
  const { dir, hash } = await prepareContext(spec, baseId);
  const tag = `lockbench/${spec.name}:${hash}`;
  try {
    if (await imageExists(docker, tag)) {
      log.debug(`${tag} is up to date`);
      return tag;
    }
    log.info(`building image ${tag} (first time or inputs changed; a few minutes)`);
    const started = Date.now();
    const dockerfile = `${spec.context[0]?.split('/')[0] ?? spec.name}/Dockerfile`;
    const stream = await docker.buildImage(
      { context: dir, src: listFiles(dir).map((f) => relative(dir, f)) },
      { t: tag, dockerfile, buildargs: { BASE: base }, labels: { [LABEL_PROJECT]: 'true', [LABEL_INPUTS_HASH]: hash }, rm: true, forcerm: true },
    );
    const tail: string[] = [];
    const onAbort = (): void => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(
          stream,
          (err: Error | null, output: BuildMessage[]) => {
            const failed = output.find((m) => m.error ?? m.errorDetail);
            if (err) reject(err);
            else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error ?? 'build failed'));
            else resolve();
          },
          (m: BuildMessage) => {
            if (m.stream) {
              tail.push(...m.stream.split('\n').filter((l) => l.trim() !== ''));
              tail.splice(0, Math.max(0, tail.length - 20));
            }
          },
        );
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason as Error;
      throw new HarnessError('IMAGE_BUILD_FAILED', `building ${tag} failed: ${errorMessage(err)}\n${tail.join('\n')}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (!(await imageExists(docker, tag))) throw new HarnessError('IMAGE_BUILD_FAILED', `building ${tag} reported success but the image is missing:\n${tail.join('\n')}`);
    log.info(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Which Toxiproxy to run: LOCKBENCH_TOXIPROXY=shopify|compat forces one; default prefers the official image. */
function toxiproxyPreference(): 'auto' | ToxiproxyImpl {
  const v = process.env['LOCKBENCH_TOXIPROXY'];
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  if (v === 'shopify' || v === 'compat') return v;
  throw new HarnessError('USAGE', `LOCKBENCH_TOXIPROXY must be auto, shopify or compat, not '${v}'`);
}

/** Removes earlier builds of `lockbench/<name>` (other input hashes) that no container uses. */
async function pruneOldBuilds(docker: Docker, keep: readonly string[]): Promise<void> {
  const images = await docker.listImages({ filters: { label: [`${LABEL_PROJECT}=true`, LABEL_INPUTS_HASH] } });
  for (const img of images) {
    const tags = img.RepoTags ?? [];
    if (tags.length === 0 || tags.some((t) => keep.includes(t))) continue;
    try {
      await docker.getImage(img.Id).remove();
      log.debug(`removed the outdated image ${tags.join(', ')}`);
    } catch {
      // Still used by a container (a cluster started before the rebuild): keep it.
    }
  }
}

/** Makes sure every image exists, building only what changed. */
export async function ensureImages(docker: Docker, signal?: AbortSignal): Promise<BuiltImages> {
  const base = await ensureBaseImage(docker, signal);
  const baseId = (await docker.getImage(base).inspect()).Id;
  const redis = await buildImage(docker, specs.redis, base, baseId, signal);
  const zookeeper = await buildImage(docker, specs.zookeeper, base, baseId, signal);

  const preference = toxiproxyPreference();
  if (preference !== 'compat') {
    if ((await imageExists(docker, SHOPIFY_TOXIPROXY)) || (await tryPull(SHOPIFY_TOXIPROXY, signal))) {
      await pruneOldBuilds(docker, [redis, zookeeper]);
      return { base, redis, zookeeper, toxiproxy: SHOPIFY_TOXIPROXY, toxiproxyImpl: 'shopify' };
    }
    if (preference === 'shopify') throw new HarnessError('IMAGE_BUILD_FAILED', `LOCKBENCH_TOXIPROXY=shopify but ${SHOPIFY_TOXIPROXY} cannot be pulled`);
    log.info('using lockbench\'s Toxiproxy-compatible proxy instead');
  }
  const toxiproxy = await buildImage(docker, specs.toxiproxy, base, baseId, signal);
  await pruneOldBuilds(docker, [redis, zookeeper, toxiproxy]);
  return { base, redis, zookeeper, toxiproxy, toxiproxyImpl: 'compat' };
}
