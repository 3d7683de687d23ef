// Makes sure a Docker engine answers. On a Debian machine where we are root and no engine runs,
// installs Debian's docker.io and starts dockerd in the background; anywhere else it stops with
// instructions, because installing a container engine is not ours to decide there.
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { HarnessError, errorMessage } from '../core/errors.ts';
import { hasCommand, runChecked } from '../core/exec.ts';
import { logger } from '../core/log.ts';
import { waitFor } from '../core/wait.ts';

const log = logger('setup');

export const DOCKERD_LOG = '/var/log/lockbench-dockerd.log';
const ENGINE_START_TIMEOUT_MS = 90_000;
const APT_TIMEOUT_MS = 15 * 60_000;

export function dockerClient(): Docker {
  return new Docker();
}

async function engineAnswers(docker: Docker): Promise<boolean> {
  try {
    await docker.ping();
    return true;
  } catch {
    return false;
  }
}

const noDockerHelp =
  'No Docker engine answers on this machine. Install and start Docker ' +
  '(https://docs.docker.com/engine/install/, or on Debian as root: apt-get install docker.io && dockerd &), ' +
  'make sure your user can reach /var/run/docker.sock (docker info must work), then run the command again.';

export interface EngineReport {
  readonly installed: boolean;
  readonly started: boolean;
}

export interface EngineOptions {
  /** May we install and start an engine ourselves (Debian, root)? --no-install-docker says no. */
  readonly mayInstall: boolean;
  readonly signal?: AbortSignal;
}

/** Ensures `docker info` would work; installs/starts the engine where that is possible and allowed. */
export async function ensureDockerEngine(opts: EngineOptions): Promise<EngineReport> {
  const { signal } = opts;
  const docker = dockerClient();
  if (await engineAnswers(docker)) return { installed: false, started: false };

  const isDebian = existsSync('/etc/debian_version');
  const isRoot = process.getuid?.() === 0;
  if (!opts.mayInstall) throw new HarnessError('ENV_DOCKER_MISSING', `${noDockerHelp} (Without --no-install-docker, lockbench installs and starts Debian's docker.io itself when run as root on Debian.)`);
  if (!isDebian || !isRoot) {
    throw new HarnessError('ENV_DOCKER_MISSING', noDockerHelp + (isDebian ? ' (lockbench can install it itself when run as root.)' : ''));
  }

  let installed = false;
  if (!(await hasCommand('dockerd')) || !(await hasCommand('iptables')) || !(await hasCommand('debootstrap'))) {
    log.info('installing Debian packages docker.io, iptables, debootstrap (one time, a minute or two)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await runChecked('apt-get', ['update', '-qq'], { timeoutMs: APT_TIMEOUT_MS, env, errorCode: 'ENV_SETUP_FAILED', what: 'apt-get update', ...(signal ? { signal } : {}) });
    await runChecked('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'docker.io', 'iptables', 'debootstrap', 'ca-certificates'], {
      timeoutMs: APT_TIMEOUT_MS,
      env,
      errorCode: 'ENV_SETUP_FAILED',
      what: 'installing docker.io',
      ...(signal ? { signal } : {}),
    });
    installed = true;
    // Kernel NAT instead of a userland copy for published ports: only on an engine we installed,
    // never on a user's own engine configuration.
    if (!existsSync('/etc/docker/daemon.json')) {
      mkdirSync('/etc/docker', { recursive: true });
      writeFileSync('/etc/docker/daemon.json', JSON.stringify({ 'userland-proxy': false }, null, 2) + '\n');
    }
  }

  log.info(`starting dockerd in the background (log: ${DOCKERD_LOG})`);
  const out = openSync(DOCKERD_LOG, 'a');
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  try {
    await waitFor(() => engineAnswers(docker), { what: 'dockerd to answer on /var/run/docker.sock', timeoutMs: ENGINE_START_TIMEOUT_MS, intervalMs: 500, ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new HarnessError('ENV_SETUP_FAILED', `${errorMessage(err)}; see ${DOCKERD_LOG}`);
  }
  return { installed, started: true };
}

/** A Docker client whose engine answers, or a usage error saying how to get one (read-only commands). */
export async function requireEngine(purpose: string): Promise<Docker> {
  const docker = dockerClient();
  if (!(await engineAnswers(docker))) {
    throw new HarnessError('ENV_DOCKER_MISSING', `no Docker engine answers, so ${purpose}; run \`npm run setup\` (or start Docker) first`);
  }
  return docker;
}
