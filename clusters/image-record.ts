// What setup decided about the images lockbench would rather pull than make (debian:bookworm-slim
// as the base, Shopify's Toxiproxy), and why, kept in .build/images.json. On a machine without a
// registry every command used to try both pulls again and print docker's DNS error; now a pull's
// outcome is remembered, a failed one is not tried again until `setup --refresh`, and `status`
// can say which image is in use and why ("built with debootstrap because … could not be pulled").
//
// The file is a cache, not a record of results: unreadable or of another version, it counts as
// empty and the pulls are simply tried once more.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RECORD_VERSION = 1;

/** The default file: .build/ of the project, beside the CLI bundle (ignored by git). */
export const defaultImageRecordPath = join(dirname(fileURLToPath(import.meta.url)), '..', '.build', 'images.json');

/** One `docker pull` attempt. */
export interface PullOutcome {
  readonly ref: string;
  readonly ok: boolean;
  /** When it was made (ISO 8601). */
  readonly checkedAt: string;
  /** What docker said last when it failed ("… no such host"), or "pulled". */
  readonly detail: string;
}

/** An image in use and the reason for it, as status prints it. */
export interface ImageChoice {
  readonly image: string;
  readonly why: string;
}

/** What the last setup (or a command that set up on its own) chose. */
export interface ChosenImages {
  /** When (ISO 8601). */
  readonly at: string;
  readonly base: ImageChoice;
  readonly toxiproxy: ImageChoice & { readonly implementation: 'shopify' | 'compat' };
  /** Each system's image tag. */
  readonly systems: Readonly<Record<string, string>>;
}

export interface ImageRecord {
  readonly version: typeof RECORD_VERSION;
  /** By image reference. */
  readonly pulls: Readonly<Record<string, PullOutcome>>;
  readonly chosen?: ChosenImages;
}

const empty: ImageRecord = { version: RECORD_VERSION, pulls: {} };

function isRecord(x: unknown): x is ImageRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { version?: unknown; pulls?: unknown };
  return r.version === RECORD_VERSION && typeof r.pulls === 'object' && r.pulls !== null;
}

/** The record in `path`; empty when there is none or it cannot be read (the pulls are then tried again). */
export function readImageRecord(path: string = defaultImageRecordPath): ImageRecord {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isRecord(parsed) ? parsed : empty;
  } catch {
    return empty;
  }
}

/** Changes the record; written whole through a rename, so a reader (another lockbench) never sees half of it. */
export function updateImageRecord(change: (r: ImageRecord) => ImageRecord, path: string = defaultImageRecordPath): ImageRecord {
  const next = change(readImageRecord(path));
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n');
  renameSync(tmp, path);
  return next;
}

export const rememberPull = (o: PullOutcome, path?: string): ImageRecord => updateImageRecord((r) => ({ ...r, pulls: { ...r.pulls, [o.ref]: o } }), path);

export const rememberChoice = (chosen: ChosenImages, path?: string): ImageRecord => updateImageRecord((r) => ({ ...r, chosen }), path);

export const lastPull = (r: ImageRecord, ref: string): PullOutcome | undefined => (Object.hasOwn(r.pulls, ref) ? r.pulls[ref] : undefined);

/**
 * Whether to ask the registry: always with --refresh, never again after a failure, and again after
 * a success (the image was there once; if it is gone now, someone removed it, and the registry
 * answered before).
 */
export function shouldPull(previous: PullOutcome | undefined, refresh: boolean): boolean {
  return refresh || previous === undefined || previous.ok;
}

/** The next move towards a base image. */
export type BaseStep = 'use-upstream' | 'use-local' | 'pull' | 'debootstrap';

/**
 * debian:bookworm-slim when the engine has it; else, with --refresh, a pull (which replaces an
 * earlier debootstrap build when it works); else the debootstrap build made before; else a pull
 * unless one failed before; else debootstrap.
 */
export function baseStep(s: { readonly upstreamPresent: boolean; readonly localPresent: boolean; readonly previous: PullOutcome | undefined; readonly refresh: boolean }): BaseStep {
  if (s.upstreamPresent) return 'use-upstream';
  if (s.refresh) return 'pull';
  if (s.localPresent) return 'use-local';
  return shouldPull(s.previous, false) ? 'pull' : 'debootstrap';
}

/** The next move towards a Toxiproxy: Shopify's, a pull of it, lockbench's compatible one, or a refusal (LOCKBENCH_TOXIPROXY=shopify and no image). */
export type ToxiproxyStep = 'use-shopify' | 'pull' | 'use-compat' | 'refuse';

export function toxiproxyStep(s: { readonly preference: 'auto' | 'shopify' | 'compat'; readonly shopifyPresent: boolean; readonly previous: PullOutcome | undefined; readonly refresh: boolean }): ToxiproxyStep {
  if (s.preference === 'compat') return 'use-compat';
  if (s.shopifyPresent) return 'use-shopify';
  if (shouldPull(s.previous, s.refresh)) return 'pull';
  return s.preference === 'shopify' ? 'refuse' : 'use-compat';
}

/** "2026-12-03 17:20 UTC". */
export const whenText = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export const REFRESH_COMMAND = '`npm run setup -- --refresh`';
export const REFRESH_HINT = `${REFRESH_COMMAND} to try again`;

/** "could not be pulled (checked 2026-12-03 17:20 UTC: … no such host)". */
export function pullFailureText(p: PullOutcome): string {
  return `${p.ref} could not be pulled (checked ${whenText(p.checkedAt)}${p.detail === '' ? '' : `: ${p.detail}`})`;
}

/** Where an upstream image in the engine came from. */
export function upstreamWhy(ref: string, previous: PullOutcome | undefined): string {
  return previous?.ok === true ? `pulled ${whenText(previous.checkedAt)}` : `${ref} was already in the Docker engine`;
}

/** Why the base is lockbench's own debootstrap build. */
export function localBaseWhy(upstream: string, previous: PullOutcome | undefined): string {
  if (previous && !previous.ok) return `built with debootstrap because ${pullFailureText(previous)}; ${REFRESH_HINT}`;
  return `built with debootstrap by an earlier setup (${upstream} is not in the Docker engine; ${REFRESH_COMMAND} tries to pull it)`;
}

/** Why the proxy is lockbench's Toxiproxy-compatible one. */
export function compatWhy(shopify: string, previous: PullOutcome | undefined, forced: boolean): string {
  if (forced) return "lockbench's Toxiproxy-compatible proxy, as LOCKBENCH_TOXIPROXY=compat asks";
  if (previous && !previous.ok) return `lockbench's Toxiproxy-compatible proxy because ${pullFailureText(previous)}; ${REFRESH_HINT}`;
  return `lockbench's Toxiproxy-compatible proxy (${shopify} is not in the Docker engine)`;
}

/** The running containers' images, by system (and "toxiproxy"). */
export type ImagesInUse = Readonly<Record<string, readonly string[]>>;

/**
 * Status's lines: what setup chose and why, each system's image, and where the running cluster
 * still uses another (started before a rebuild).
 */
export function formatImages(record: ImageRecord, inUse: ImagesInUse | undefined): string {
  const c = record.chosen;
  if (!c) {
    const running = Object.entries(inUse ?? {});
    const width = Math.max(10, ...running.map(([name]) => name.length));
    return ['images: not recorded yet (the next setup, up, bench or chaos records which it uses and why)', ...running.map(([name, images]) => `  ${name.padEnd(width)} ${images.join(', ')}`), ''].join('\n');
  }
  const differs = (name: string, chosen: string): string => {
    const running = (inUse?.[name] ?? []).filter((i) => i !== chosen);
    return running.length === 0 ? '' : `; the running cluster has ${running.join(', ')} (made before the last setup; \`npm run up\` moves it)`;
  };
  const width = Math.max(10, ...Object.keys(c.systems).map((s) => s.length));
  return [
    `images (chosen ${whenText(c.at)}):`,
    `  ${'base'.padEnd(width)} ${c.base.image}: ${c.base.why}`,
    ...Object.entries(c.systems).map(([system, image]) => `  ${system.padEnd(width)} ${image}${differs(system, image)}`),
    `  ${'toxiproxy'.padEnd(width)} ${c.toxiproxy.image}: ${c.toxiproxy.why}${differs('toxiproxy', c.toxiproxy.image)}`,
    '',
  ].join('\n');
}
