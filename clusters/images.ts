// Builds lockbench's images: one per registered system (its driver names the folders of its build
// context) and the Toxiproxy-compatible proxy. Each image is tagged and labelled with a hash of
// everything it is built from (context paths and files, base image id), so a second setup with
// nothing changed only looks the tags up. Whether the registry gave debian:bookworm-slim and
// Shopify's Toxiproxy is asked once and remembered (clusters/image-record.ts), with what was chosen
// and why, for status. On a terminal the builds show a progress bar (core/progress.ts).
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { HarnessError, errorMessage } from '../core/errors.ts';
import { logger } from '../core/log.ts';
import { startProgress, type Progress } from '../core/progress.ts';
import { ensureBaseImage, imageExists, tryPull } from './base-image.ts';
import { compatWhy, lastPull, pullFailureText, readImageRecord, REFRESH_COMMAND, rememberChoice, toxiproxyStep, upstreamWhy } from './image-record.ts';
import { LABEL_INPUTS_HASH, LABEL_PROJECT } from './labels.ts';
import type { ImageInput, SystemImage } from './systems/driver.ts';
import { drivers, type SystemName } from './systems/registry.ts';

const log = logger('setup');
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..');

export const SHOPIFY_TOXIPROXY = 'ghcr.io/shopify/toxiproxy:2.12.0';
export type ToxiproxyImpl = 'shopify' | 'compat';

/**
 * Image tags: `systems` by system name, and the same again as top-level fields (`images.redis`)
 * for callers that name a system themselves.
 */
export type BuiltImages = {
  readonly systems: Readonly<Record<string, string>>;
  readonly toxiproxy: string;
  readonly toxiproxyImpl: ToxiproxyImpl;
  readonly base: string;
} & { readonly [K in SystemName]: string };

interface ImageSpec extends SystemImage {
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

const toxiproxySpec: ImageSpec = {
  name: 'toxiproxy-compat',
  inputs: [{ from: 'clusters/images/toxiproxy/Dockerfile', as: 'toxiproxy/Dockerfile' }],
  generate: bundleToxiproxyCompat,
};

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => listFiles(join(path, name)));
}

/** Where a repository file goes inside the build context (and under which name it is hashed). */
function contextPath(input: ImageInput, file: string): string {
  const inside = relative(join(repoRoot, input.from), file);
  return inside === '' ? input.as : join(input.as, inside);
}

/** Lays out the build context in a temp dir and hashes it together with the base image id. */
async function prepareContext(spec: ImageSpec, baseId: string): Promise<{ dir: string; hash: string }> {
  const dir = mkdtempSync(join(tmpdir(), `lockbench-${spec.name}-`));
  const hash = createHash('sha256').update(`base:${baseId}\n`);
  for (const input of spec.inputs) {
    for (const file of listFiles(join(repoRoot, input.from))) {
      const rel = contextPath(input, file);
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

/** A build context laid out in a temp dir, and the tag its hash gives. */
interface PreparedImage {
  readonly spec: ImageSpec;
  readonly dir: string;
  readonly tag: string;
  readonly hash: string;
}

async function prepareImage(spec: ImageSpec, baseId: string): Promise<PreparedImage> {
  const { dir, hash } = await prepareContext(spec, baseId);
  return { spec, dir, hash, tag: `lockbench/${spec.name}:${hash}` };
}

/** The legacy builder's "Step 3/9 : RUN …" lines: the bar shows which step a build is at. */
const BUILD_STEP = /^Step (\d+\/\d+) : (.*)$/;

async function buildImage(docker: Docker, p: PreparedImage, base: string, bar: Progress, signal?: AbortSignal): Promise<void> {
  const { spec, dir, tag, hash } = p;
  log.info(`building image ${tag} (first time or inputs changed; a few minutes)`);
  const started = Date.now();
  const dockerfile = `${spec.inputs[0]?.as.split('/')[0] ?? spec.name}/Dockerfile`;
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
            const lines = m.stream.split('\n').filter((l) => l.trim() !== '');
            for (const l of lines) {
              const step = BUILD_STEP.exec(l.trim());
              if (step) bar.note(`step ${step[1] ?? ''}: ${step[2] ?? ''}`);
            }
            tail.push(...lines);
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
}

/** Builds what is missing of `images` (one bar over those builds), then removes their contexts. */
async function buildMissing(docker: Docker, images: readonly PreparedImage[], base: string, signal?: AbortSignal): Promise<void> {
  try {
    const missing: PreparedImage[] = [];
    for (const p of images) {
      if (await imageExists(docker, p.tag)) log.debug(`${p.tag} is up to date`);
      else missing.push(p);
    }
    if (missing.length === 0) return;
    using bar = startProgress({ title: 'images', total: missing.length, ...(signal ? { signal } : {}) });
    for (const p of missing) {
      bar.begin(p.tag);
      await buildImage(docker, p, base, bar, signal);
      bar.end();
    }
  } finally {
    for (const p of images) rmSync(p.dir, { recursive: true, force: true });
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

function builtImages(base: string, systems: Record<string, string>, toxiproxy: string, toxiproxyImpl: ToxiproxyImpl): BuiltImages {
  // One field per registered system, filled from the registry itself: the cast only restates that.
  return { ...(systems as Record<SystemName, string>), systems, base, toxiproxy, toxiproxyImpl };
}

export interface ImagesOptions {
  readonly signal?: AbortSignal | undefined;
  /** Ask the registry again for the images a remembered pull failed on (`setup --refresh`). */
  readonly refresh?: boolean | undefined;
  /** The image record's file (tests); .build/images.json by default. */
  readonly recordPath?: string | undefined;
}

/** Shopify's Toxiproxy when the engine has it or the registry gives it, else lockbench's compatible one; with why. */
async function chooseToxiproxy(docker: Docker, o: ImagesOptions): Promise<{ readonly implementation: ToxiproxyImpl; readonly why: string }> {
  const preference = toxiproxyPreference();
  const previous = lastPull(readImageRecord(o.recordPath), SHOPIFY_TOXIPROXY);
  const shopifyPresent = preference !== 'compat' && (await imageExists(docker, SHOPIFY_TOXIPROXY));
  const step = toxiproxyStep({ preference, shopifyPresent, previous, refresh: o.refresh === true });
  if (step === 'use-shopify') return { implementation: 'shopify', why: `Shopify's Toxiproxy: ${upstreamWhy(SHOPIFY_TOXIPROXY, previous)}` };
  let last = previous;
  if (step === 'pull') {
    last = await tryPull(SHOPIFY_TOXIPROXY, o);
    if (last.ok) return { implementation: 'shopify', why: `Shopify's Toxiproxy: ${upstreamWhy(SHOPIFY_TOXIPROXY, last)}` };
    if (o.signal?.aborted) throw o.signal.reason as Error;
  }
  if (preference === 'shopify') {
    throw new HarnessError('IMAGE_BUILD_FAILED', `LOCKBENCH_TOXIPROXY=shopify but ${last ? pullFailureText(last) : `${SHOPIFY_TOXIPROXY} cannot be pulled`}${step === 'refuse' ? `; ${REFRESH_COMMAND} asks the registry again` : ''}`);
  }
  if (step === 'pull') log.info("using lockbench's Toxiproxy-compatible proxy instead");
  return { implementation: 'compat', why: compatWhy(SHOPIFY_TOXIPROXY, last, preference === 'compat') };
}

/** Makes sure every image exists, building only what changed, and records which are used and why. */
export async function ensureImages(docker: Docker, o: ImagesOptions = {}): Promise<BuiltImages> {
  const { signal } = o;
  const base = await ensureBaseImage(docker, o);
  const baseId = (await docker.getImage(base.image).inspect()).Id;
  const toxiproxy = await chooseToxiproxy(docker, o);
  const prepared: PreparedImage[] = [];
  const systems: Record<string, string> = {};
  let compat: PreparedImage | undefined;
  try {
    for (const d of drivers) {
      const p = await prepareImage(d.image, baseId);
      prepared.push(p);
      systems[d.name] = p.tag;
    }
    if (toxiproxy.implementation === 'compat') {
      compat = await prepareImage(toxiproxySpec, baseId);
      prepared.push(compat);
    }
  } catch (err) {
    for (const p of prepared) rmSync(p.dir, { recursive: true, force: true });
    throw err;
  }
  await buildMissing(docker, prepared, base.image, signal);
  const toxiproxyTag = compat?.tag ?? SHOPIFY_TOXIPROXY;
  await pruneOldBuilds(docker, prepared.map((p) => p.tag));
  rememberChoice({ at: new Date().toISOString(), base, toxiproxy: { ...toxiproxy, image: toxiproxyTag }, systems }, o.recordPath);
  return builtImages(base.image, systems, toxiproxyTag, toxiproxy.implementation);
}
