// What errors echo back of someone's input: at most 80 characters of a value, and no control
// characters, whether it came from the command line or from a config file.
import { describe, expect, it } from 'vitest';
import { clipEcho, formatConfigProblem, UsageError } from '../../agent/errors.js';

describe('echoed input in errors', () => {
  it('clips a long config value to 80 characters and says how long it was', () => {
    const line = formatConfigProblem({
      file: '/etc/edge-agent/config.yaml',
      path: 'hub.url',
      message: 'wrong format',
      value: 'y'.repeat(100_000),
      expected: 'an mqtts:// URL',
    });
    expect(line).toBe(
      `/etc/edge-agent/config.yaml: hub.url: wrong format (got "${'y'.repeat(79)}... (100002 characters)); expected an mqtts:// URL`,
    );
  });

  it('leaves short values and words alone', () => {
    expect(clipEcho("--class must be 'required' or 'wanted' (got 'x')")).toBe(
      "--class must be 'required' or 'wanted' (got 'x')",
    );
  });

  it('escapes C0 and C1 control characters but keeps line breaks of multi-line messages', () => {
    expect(clipEcho('a\u001b[2Jb\u009bc\nd\te')).toBe('a\\x1b[2Jb\\x9bc\nd\\x09e');
  });

  it('applies to every usage error, whoever builds the message', () => {
    expect(new UsageError(`bad value '${'z'.repeat(500)}'`).message).toBe(
      `bad value '${'z'.repeat(79)}... (502 characters)`,
    );
  });
});
