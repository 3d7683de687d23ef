// The base every lockbench image is built FROM: debian:bookworm-slim where it can be pulled, else
// an equivalent made with debootstrap (minbase) and `docker import`, for machines without a
// container registry but with Debian's package mirror. Whether the pull worked is remembered
// (clusters/image-record.ts): a machine without a registry is asked once, not on every command.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { HarnessError } from '../core/errors.ts';
import { hasCommand, run, runChecked } from '../core/exec.ts';
import { logger } from '../core/log.ts';
import { REFRESH_COMMAND, baseStep, lastPull, localBaseWhy, pullFailureText, readImageRecord, rememberPull, upstreamWhy, type ImageChoice, type PullOutcome } from './image-record.ts';

const log = logger('setup');

export const UPSTREAM_BASE = 'debian:bookworm-slim';
export const LOCAL_BASE = 'lockbench/base:bookworm';
const PULL_TIMEOUT_MS = 5 * 60_000;
const DEBOOTSTRAP_TIMEOUT_MS = 15 * 60_000;

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

export interface PullOptions {
  readonly signal?: AbortSignal | undefined;
  /** The image record's file (tests); .build/images.json by default. */
  readonly recordPath?: string | undefined;
}

/**
 * `docker pull`, its outcome remembered; a failure is an answer (not an error): the registry cannot
 * be reached or has no such image. A pull cut short by Ctrl-C is not remembered: it answered nothing.
 */
export async function tryPull(ref: string, o: PullOptions = {}): Promise<PullOutcome> {
  const r = await run('docker', ['pull', '-q', ref], { timeoutMs: PULL_TIMEOUT_MS, ...(o.signal ? { signal: o.signal } : {}) });
  const detail = r.code === 0 ? 'pulled' : (r.stderr.trim().split('\n').pop() ?? '');
  const outcome: PullOutcome = { ref, ok: r.code === 0, checkedAt: new Date().toISOString(), detail };
  if (o.signal?.aborted) return outcome;
  rememberPull(outcome, o.recordPath);
  if (!outcome.ok) log.info(`cannot pull ${ref}: ${detail} (remembered: later commands do not ask again until ${REFRESH_COMMAND})`);
  return outcome;
}

/** The Debian mirror apt uses on this host, so debootstrap fetches from where apt can. */
function hostDebianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const deb822 = /^URIs:\s*(\S+)/m.exec(text);
    if (deb822?.[1] && !deb822[1].includes('security')) return deb822[1];
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (oneLine?.[1]) return oneLine[1];
  }
  return 'http://deb.debian.org/debian';
}

export interface BaseImageOptions extends PullOptions {
  /** Ask the registry again, even when an earlier pull failed or a debootstrap build exists (`setup --refresh`). */
  readonly refresh?: boolean | undefined;
}

/** Returns the image to build FROM and why it is that one, making it if needed. */
export async function ensureBaseImage(docker: Docker, o: BaseImageOptions = {}): Promise<ImageChoice> {
  const refresh = o.refresh === true;
  const previous = lastPull(readImageRecord(o.recordPath), UPSTREAM_BASE);
  const localPresent = await imageExists(docker, LOCAL_BASE);
  const step = baseStep({ upstreamPresent: await imageExists(docker, UPSTREAM_BASE), localPresent, previous, refresh });
  if (step === 'use-upstream') return { image: UPSTREAM_BASE, why: upstreamWhy(UPSTREAM_BASE, previous) };
  if (step === 'use-local') return { image: LOCAL_BASE, why: localBaseWhy(UPSTREAM_BASE, previous) };
  const pulled = step === 'pull' ? await tryPull(UPSTREAM_BASE, o) : previous;
  if (pulled?.ok === true) {
    if (localPresent) log.info(`pulled ${UPSTREAM_BASE}: the images are built FROM it from now on (${LOCAL_BASE} is no longer used)`);
    return { image: UPSTREAM_BASE, why: upstreamWhy(UPSTREAM_BASE, pulled) };
  }
  if (o.signal?.aborted) throw o.signal.reason as Error;
  if (localPresent) return { image: LOCAL_BASE, why: localBaseWhy(UPSTREAM_BASE, pulled) };

  if (!(await hasCommand('debootstrap'))) {
    throw new HarnessError(
      'ENV_SETUP_FAILED',
      `${pulled ? pullFailureText(pulled) : `cannot pull ${UPSTREAM_BASE}`} and debootstrap is not installed to build an equivalent; ` +
        `install it (apt-get install debootstrap) or make ${UPSTREAM_BASE} available (docker load), then run again` +
        (step === 'pull' ? '' : ` (${REFRESH_COMMAND} asks the registry again)`),
    );
  }
  const mirror = hostDebianMirror();
  const root = mkdtempSync(join(tmpdir(), 'lockbench-rootfs-'));
  const signal = o.signal;
  try {
    log.info(`building ${LOCAL_BASE} with debootstrap from ${mirror} (about 30 s)`);
    const opts = { timeoutMs: DEBOOTSTRAP_TIMEOUT_MS, errorCode: 'IMAGE_BUILD_FAILED' as const, ...(signal ? { signal } : {}) };
    await runChecked('debootstrap', ['--variant=minbase', 'bookworm', root, mirror], { ...opts, what: 'debootstrap' });
    // Trim what an image does not need, as the slim image does.
    await run('sh', ['-c', `rm -rf ${root}/var/cache/apt/archives/*.deb ${root}/var/lib/apt/lists/* ${root}/usr/share/doc/* ${root}/usr/share/man/*`], { timeoutMs: 60_000 });
    await runChecked('sh', ['-c', `tar -C ${root} -c . | docker import --change 'CMD ["bash"]' - ${LOCAL_BASE}`], { ...opts, what: 'docker import of the debootstrap root' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { image: LOCAL_BASE, why: localBaseWhy(UPSTREAM_BASE, pulled) };
}
