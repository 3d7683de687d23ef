#!/usr/bin/env node
// Runs the test suite with node's own test runner (through tsx for TypeScript).
// Unit tests (test/unit) run in parallel; tests against services lockbench did not start
// (test/external: Debian's redis-server, zookeeper and etcd-server as plain processes) and against
// real Docker clusters (test/docker) run one file at a time.
//   node scripts/run-tests.mjs           all tests (sets up Docker and images first)
//   node scripts/run-tests.mjs --unit    unit tests only, no Docker needed
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const unitOnly = process.argv.includes('--unit');

// The runs tests make go to a folder of their own, never into the user's results/ (where
// `report --evidence results/` would count them as the user's evidence). LOCKBENCH_RESULTS, when
// set, names that folder and keeps it (CI does, for its evidence artifact); else a temporary one
// is used and removed at the end.
const ownResults = !process.env.LOCKBENCH_RESULTS;
if (ownResults) process.env.LOCKBENCH_RESULTS = mkdtempSync(join(tmpdir(), 'lockbench-test-results-'));
console.error(`npm test: the tests' runs go to ${process.env.LOCKBENCH_RESULTS} (LOCKBENCH_RESULTS)${ownResults ? ', removed at the end' : ''}`);
const finish = (code) => {
  if (ownResults) rmSync(process.env.LOCKBENCH_RESULTS, { recursive: true, force: true });
  process.exit(code);
};
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

/**
 * Runs test files with node's runner, without blocking the event loop (another run may go on
 * beside it). `collect`: keep the output and hand it back instead of printing it as it comes.
 */
function run(files, concurrency, { collect = false } = {}) {
  if (files.length === 0) return Promise.resolve({ status: 0, output: '' });
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files];
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { stdio: collect ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (b) => (output += b));
    child.stderr?.on('data', (b) => (output += b));
    child.on('close', (code) => resolvePromise({ status: code ?? 1, output }));
  });
}

/**
 * Installs Debian packages a test needs, when we may (root on Debian), without starting any
 * service they ship (policy-rc.d); where we may not, the test that needs one fails saying what to
 * install. `why` finishes the line printed first.
 */
function aptInstall(packages, why) {
  if (packages.length === 0 || process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) return;
  console.error(`npm test: installing Debian's ${packages.join(', ')} ${why} (one time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  } finally {
    if (!hadPolicy) rmSync(policy, { force: true });
  }
}

/** The report's browser test needs headless Chromium (or CHROMIUM_PATH). */
function ensureChromium() {
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  if (process.env.CHROMIUM_PATH || candidates.some((p) => existsSync(p))) return;
  aptInstall(['chromium'], "for the report's browser test");
}

/** The external-target tests start Debian's servers as plain processes of their own. */
function ensureServerPackages() {
  const need = [['/usr/bin/redis-server', 'redis-server'], ['/usr/share/zookeeper/bin/zkServer.sh', 'zookeeper'], ['/usr/bin/etcd', 'etcd-server']].filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  aptInstall(need, 'for the external-target tests (their services are not started)');
}

const pick = (files) => (only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files);
// The Toxiproxy-compatible server keeps its tests beside its source (toxiproxy-compat/test).
const unit = pick([...find('test/unit'), ...find('toxiproxy-compat/test')]);
const external = unitOnly ? [] : pick(find('test/external'));
const docker = unitOnly ? [] : pick(find('test/docker'));

if (unit.some((f) => f.includes('report-browser'))) ensureChromium();
// The external-target tests spend most of their time waiting on the CLI and on servers of their
// own, and assert no timing: they run beside the unit tests (their report printed when both end),
// which saves CI minutes; the Docker tests, which share one cluster, run alone afterwards.
let externalRun = Promise.resolve({ status: 0, output: '' });
if (external.length > 0) {
  ensureServerPackages();
  externalRun = run(external, 1, { collect: true });
}
let status = (await run(unit, 2)).status;
const ext = await externalRun;
if (external.length > 0) {
  process.stdout.write(`\n# test/external (ran beside the unit tests)\n${ext.output}`);
  status = ext.status || status;
}
if (docker.length > 0) {
  // The Docker tests need the engine and images; setup is idempotent and quick when nothing changed.
  const setup = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'setup'], { stdio: 'inherit' });
  if (setup.status !== 0) {
    console.error('npm test: environment setup failed; Docker tests not run');
    finish(setup.status ?? 1);
  }
  status = (await run(docker, 1)).status || status;
}
finish(status);
