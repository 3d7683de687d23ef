// The remembered registry pulls (clusters/image-record.ts): which move setup makes for the base and
// for Toxiproxy given what the engine has and what the last pull answered, that a failed pull is not
// tried again until --refresh, the file's round trip (and a broken file counting as none), and
// status's lines saying which image is in use and why.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseStep,
  compatWhy,
  formatImages,
  localBaseWhy,
  readImageRecord,
  rememberChoice,
  rememberPull,
  shouldPull,
  toxiproxyStep,
  upstreamWhy,
  type ChosenImages,
  type PullOutcome,
} from '../../../clusters/image-record.ts';

const dir = mkdtempSync(join(tmpdir(), 'lockbench-image-record-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const failed: PullOutcome = { ref: 'debian:bookworm-slim', ok: false, checkedAt: '2026-12-03T17:37:56.048Z', detail: 'dial tcp: lookup registry-1.docker.io: no such host' };
const pulled: PullOutcome = { ...failed, ok: true, detail: 'pulled' };

describe('when the registry is asked', () => {
  test('never again after a failure, unless --refresh; again after a success or when never asked', () => {
    assert.equal(shouldPull(undefined, false), true);
    assert.equal(shouldPull(pulled, false), true);
    assert.equal(shouldPull(failed, false), false);
    assert.equal(shouldPull(failed, true), true);
  });

  test('the base: what the engine has first, a remembered failure goes straight to debootstrap, --refresh pulls even over a debootstrap build', () => {
    const cases: [Parameters<typeof baseStep>[0], ReturnType<typeof baseStep>][] = [
      [{ upstreamPresent: true, localPresent: true, previous: failed, refresh: true }, 'use-upstream'],
      [{ upstreamPresent: false, localPresent: true, previous: undefined, refresh: false }, 'use-local'],
      [{ upstreamPresent: false, localPresent: true, previous: failed, refresh: false }, 'use-local'],
      [{ upstreamPresent: false, localPresent: true, previous: failed, refresh: true }, 'pull'],
      [{ upstreamPresent: false, localPresent: false, previous: undefined, refresh: false }, 'pull'],
      [{ upstreamPresent: false, localPresent: false, previous: pulled, refresh: false }, 'pull'],
      [{ upstreamPresent: false, localPresent: false, previous: failed, refresh: false }, 'debootstrap'],
    ];
    for (const [state, step] of cases) assert.equal(baseStep(state), step, JSON.stringify(state));
  });

  test('Toxiproxy: LOCKBENCH_TOXIPROXY=compat asks nothing, a remembered failure means the compatible proxy (or a refusal when shopify is demanded)', () => {
    const cases: [Parameters<typeof toxiproxyStep>[0], ReturnType<typeof toxiproxyStep>][] = [
      [{ preference: 'compat', shopifyPresent: true, previous: undefined, refresh: true }, 'use-compat'],
      [{ preference: 'auto', shopifyPresent: true, previous: failed, refresh: false }, 'use-shopify'],
      [{ preference: 'auto', shopifyPresent: false, previous: undefined, refresh: false }, 'pull'],
      [{ preference: 'auto', shopifyPresent: false, previous: failed, refresh: false }, 'use-compat'],
      [{ preference: 'auto', shopifyPresent: false, previous: failed, refresh: true }, 'pull'],
      [{ preference: 'shopify', shopifyPresent: false, previous: failed, refresh: false }, 'refuse'],
      [{ preference: 'shopify', shopifyPresent: false, previous: failed, refresh: true }, 'pull'],
    ];
    for (const [state, step] of cases) assert.equal(toxiproxyStep(state), step, JSON.stringify(state));
  });
});

describe('the record file', () => {
  test('a pull outcome and a choice are kept side by side and read back; the next outcome for the same image replaces the last', () => {
    const path = join(dir, 'a', 'images.json');
    assert.deepEqual(readImageRecord(path), { version: 1, pulls: {} });
    rememberPull(failed, path);
    rememberPull({ ...failed, ref: 'ghcr.io/shopify/toxiproxy:2.12.0' }, path);
    const chosen: ChosenImages = {
      at: '2026-12-03T17:38:00.000Z',
      base: { image: 'lockbench/base:bookworm', why: localBaseWhy('debian:bookworm-slim', failed) },
      toxiproxy: { image: 'lockbench/toxiproxy-compat:0123', implementation: 'compat', why: 'x' },
      systems: { redis: 'lockbench/redis:abcd' },
    };
    rememberChoice(chosen, path);
    rememberPull(pulled, path);
    const r = readImageRecord(path);
    assert.deepEqual(Object.keys(r.pulls).sort(), ['debian:bookworm-slim', 'ghcr.io/shopify/toxiproxy:2.12.0']);
    assert.deepEqual(r.pulls['debian:bookworm-slim'], pulled);
    assert.deepEqual(r.chosen, chosen);
  });

  test('a broken or foreign file counts as none: the pulls are simply tried again', () => {
    for (const [name, text] of [['torn', '{"version": 1, "pul'], ['other-version', '{"version": 2, "pulls": {}}'], ['no-pulls', '{"version": 1}']] as const) {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, text);
      assert.deepEqual(readImageRecord(path), { version: 1, pulls: {} }, name);
    }
  });
});

describe("status's lines", () => {
  test('say which image is in use and why, with when the pull failed, what docker said and how to try again', () => {
    assert.equal(
      localBaseWhy('debian:bookworm-slim', failed),
      'built with debootstrap because debian:bookworm-slim could not be pulled (checked 2026-12-03 17:37 UTC: dial tcp: lookup registry-1.docker.io: no such host); `npm run setup -- --refresh` to try again',
    );
    assert.match(localBaseWhy('debian:bookworm-slim', undefined), /^built with debootstrap by an earlier setup \(debian:bookworm-slim is not in the Docker engine; `npm run setup -- --refresh` tries to pull it\)$/);
    assert.equal(upstreamWhy('debian:bookworm-slim', pulled), 'pulled 2026-12-03 17:37 UTC');
    assert.equal(upstreamWhy('debian:bookworm-slim', undefined), 'debian:bookworm-slim was already in the Docker engine');
    assert.match(compatWhy('ghcr.io/shopify/toxiproxy:2.12.0', { ...failed, ref: 'ghcr.io/shopify/toxiproxy:2.12.0' }, false), /^lockbench's Toxiproxy-compatible proxy because ghcr\.io\/shopify\/toxiproxy:2\.12\.0 could not be pulled \(checked 2026-12-03 17:37 UTC: .*no such host\); `npm run setup -- --refresh` to try again$/);
    assert.equal(compatWhy('ghcr.io/shopify/toxiproxy:2.12.0', undefined, true), "lockbench's Toxiproxy-compatible proxy, as LOCKBENCH_TOXIPROXY=compat asks");
  });

  test('one line per image, and where the running cluster still has an older build, which and how to move it', () => {
    const text = formatImages(
      {
        version: 1,
        pulls: {},
        chosen: {
          at: '2026-12-03T17:38:00.000Z',
          base: { image: 'lockbench/base:bookworm', why: 'built with debootstrap because …' },
          toxiproxy: { image: 'lockbench/toxiproxy-compat:new1', implementation: 'compat', why: "lockbench's Toxiproxy-compatible proxy because …" },
          systems: { redis: 'lockbench/redis:abcd', 'redis-sentinel': 'lockbench/redis-sentinel:ef01' },
        },
      },
      { redis: ['lockbench/redis:abcd'], toxiproxy: ['lockbench/toxiproxy-compat:old0'] },
    );
    assert.deepEqual(text.split('\n'), [
      'images (chosen 2026-12-03 17:38 UTC):',
      '  base           lockbench/base:bookworm: built with debootstrap because …',
      '  redis          lockbench/redis:abcd',
      '  redis-sentinel lockbench/redis-sentinel:ef01',
      "  toxiproxy      lockbench/toxiproxy-compat:new1: lockbench's Toxiproxy-compatible proxy because …; the running cluster has lockbench/toxiproxy-compat:old0 (made before the last setup; `npm run up` moves it)",
      '',
    ]);
  });

  test('before any setup recorded a choice: says so, and lists what the containers run', () => {
    assert.deepEqual(formatImages({ version: 1, pulls: {} }, { redis: ['lockbench/redis:abcd'] }).split('\n'), [
      'images: not recorded yet (the next setup, up, bench or chaos records which it uses and why)',
      '  redis      lockbench/redis:abcd',
      '',
    ]);
  });
});
