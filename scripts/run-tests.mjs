#!/usr/bin/env node
// Runs the test suite with node's own test runner (through tsx for TypeScript).
// Unit tests (test/unit) run in parallel; tests against real Docker clusters (test/docker) run one
// file at a time because they share one set of containers.
//   node scripts/run-tests.mjs           all tests (sets up Docker and images first)
//   node scripts/run-tests.mjs --unit    unit tests only, no Docker needed
import { readdirSync, statSync } from 'node:fs';
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

const pick = (files) => (only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files);
const unit = pick(find('test/unit'));
const docker = unitOnly ? [] : pick(find('test/docker'));

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
