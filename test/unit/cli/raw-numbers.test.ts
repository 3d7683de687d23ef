// A number option given text: the message echoes what was typed, in either spelling of the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notANumber, rawValues } from '../../../cli/raw-numbers.ts';

test('the texts after --flag or --flag=, in order', () => {
  assert.deepEqual(rawValues(['chaos', '--duration', 'abc'], 'duration'), ['abc']);
  assert.deepEqual(rawValues(['chaos', '--duration=1e', '--duration', '3'], 'duration'), ['1e', '3']);
  assert.deepEqual(rawValues(['chaos', '--duration'], 'duration'), []);
  assert.deepEqual(rawValues(['chaos', '--durations', 'x'], 'duration'), []);
});

test('the first option that parsed to NaN names its flag in kebab case and echoes the text', () => {
  const e = notANumber({ _: ['chaos'], lock: 'redis', sessionTimeout: Number.NaN, 'session-timeout': Number.NaN }, ['chaos', '--session-timeout', 'soon']);
  assert.ok(e);
  assert.equal(e.exitCode, 254);
  assert.equal(e.message, "--session-timeout takes a number, got 'soon'");
  assert.equal(notANumber({ latency: [5, Number.NaN] }, ['--latency', '5', '--latency', 'x'])?.message, "--latency takes a number, got 'x'", 'the text that is not a number');
  assert.equal(notANumber({ duration: 10, lock: 'redis' }, ['--duration', '10']), undefined, 'numbers pass');
});
