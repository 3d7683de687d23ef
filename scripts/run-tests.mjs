#!/usr/bin/env node
// Runs the test suite with node's own test runner (through tsx for TypeScript).
// Unit tests (test/unit) run in parallel; tests against real Docker clusters (test/docker) run one
// file at a time because they share one set of containers.
//   node scripts/run-tests.mjs           all tests (sets up Docker and images first)
//   node scripts/run-tests.mjs --unit    unit tests only, no Docker needed
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const unitOnly = process.argv.includes('--unit');
const only = process.argv.filter((a) => !a.startsWith('--')).slice(2);

function find(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function run(files, concurrency) {
  if (files.length === 0) return 0;
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  return r.status ?? 1;
}

/**
 * The report's browser test needs headless Chromium. Like `setup` does for Docker, install
 * Debian's package when we may (root on Debian); otherwise that test fails saying what to install.
 */
function ensureChromium() {
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  if (process.env.CHROMIUM_PATH || candidates.some((p) => existsSync(p))) return;
  if (process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) return;
  console.error('npm test: installing Debian\'s chromium for the report\'s browser test (one time)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
}

const pick = (files) => (only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files);
// The Toxiproxy-compatible server keeps its tests beside its source (toxiproxy-compat/test).
const unit = pick([...find('test/unit'), ...find('toxiproxy-compat/test')]);
const docker = unitOnly ? [] : pick(find('test/docker'));

if (unit.some((f) => f.includes('report-browser'))) ensureChromium();
let status = run(unit, 2);
if (docker.length > 0) {
  // The Docker tests need the engine and images; setup is idempotent and quick when nothing changed.
  const setup = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'setup'], { stdio: 'inherit' });
  if (setup.status !== 0) {
    console.error('npm test: environment setup failed; Docker tests not run');
    process.exit(setup.status ?? 1);
  }
  status = run(docker, 1) || status;
}
process.exit(status);
