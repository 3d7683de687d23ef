// The base every lockbench image is built FROM: debian:bookworm-slim where it can be pulled, else
// an equivalent made with debootstrap (minbase) and `docker import`, for machines without a
// container registry but with Debian's package mirror.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { HarnessError } from '../core/errors.ts';
import { hasCommand, run, runChecked } from '../core/exec.ts';
import { logger } from '../core/log.ts';

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

/** `docker pull`; false (not an error) when the registry cannot be reached. */
export async function tryPull(ref: string, signal?: AbortSignal): Promise<boolean> {
  const r = await run('docker', ['pull', '-q', ref], { timeoutMs: PULL_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  if (r.code !== 0) log.info(`cannot pull ${ref}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return r.code === 0;
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

/** Returns the image reference to build FROM, making it if needed. */
export async function ensureBaseImage(docker: Docker, signal?: AbortSignal): Promise<string> {
  if (await imageExists(docker, UPSTREAM_BASE)) return UPSTREAM_BASE;
  if (await imageExists(docker, LOCAL_BASE)) return LOCAL_BASE;
  if (await tryPull(UPSTREAM_BASE, signal)) return UPSTREAM_BASE;

  if (!(await hasCommand('debootstrap'))) {
    throw new HarnessError(
      'ENV_SETUP_FAILED',
      `cannot pull ${UPSTREAM_BASE} and debootstrap is not installed to build an equivalent; ` +
        `install it (apt-get install debootstrap) or make ${UPSTREAM_BASE} available (docker load), then run again`,
    );
  }
  const mirror = hostDebianMirror();
  const root = mkdtempSync(join(tmpdir(), 'lockbench-rootfs-'));
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
  return LOCAL_BASE;
}
