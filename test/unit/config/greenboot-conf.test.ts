import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGreenbootConf } from '../../../agent/config/greenboot-conf.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/greenboot-conf', name), 'utf8');

describe('parseGreenbootConf', () => {
  it('reads the default RHEL file without warnings', () => {
    const conf = parseGreenbootConf(fixture('rhel-default.conf'));
    expect(conf).toMatchObject({
      maxBootAttempts: '3',
      microshiftWaitTimeoutSec: '600',
      watchdogCheckEnabled: 'false',
      watchdogGracePeriod: '24',
      disabledHealthchecks: [],
      warnings: [],
    });
    expect(conf.legacyMaxBoots).toBeUndefined();
  });

  it('reads single- and multi-line arrays with comments inside', () => {
    const conf = parseGreenbootConf(fixture('multiline-arrays.conf'));
    expect(conf.disabledHealthchecks).toEqual(['40_microshift_running_check.sh', '02_watchdog.sh', 'plain_name.sh']);
    expect(conf.values).toMatchObject({ ONE_LINE: ['a.sh', 'b.sh'], EMPTY: [], GREENBOOT_MAX_BOOT_ATTEMPTS: '5' });
    expect(conf.warnings).toEqual([]);
  });

  it.each([
    ['GREENBOOT_MAX_BOOT_ATTEMPTS', '4'], // export KEY="..."
    ['MICROSHIFT_WAIT_TIMEOUT_SEC', '900'], // single quotes, trailing comment
    ['GREENBOOT_WATCHDOG_CHECK_ENABLED', 'true'],
    ['HASH_IN_WORD', 'a#b'], // # inside a word is not a comment
    ['GREENBOOT_WATCHDOG_GRACE_PERIOD', '24'], // "2"4 is one word
    ['SPACED', 'a value with spaces'],
    ['ESCAPED', 'say "hi" and $HOME'],
    ['SINGLE', 'no $expansion here'],
    ['MIXED', 'abcdefghi'],
    ['EMPTY_VALUE', ''],
    ['HASH_VALUE', '#literal'],
  ])('quotes: %s = %j', (key, value) => {
    const conf = parseGreenbootConf(fixture('quotes.conf'));
    expect(conf.values[key]).toBe(value);
    expect(conf.warnings).toEqual([]);
  });

  it('keeps what it understands from a file with garbage, and warns with line numbers', () => {
    const conf = parseGreenbootConf(fixture('garbage.conf'));
    expect(conf.maxBootAttempts).toBe('2');
    expect(conf.microshiftWaitTimeoutSec).toBe('300');
    expect(conf.watchdogGracePeriod).toBeUndefined(); // "=12 rm -rf /" is a command, not a setting
    expect(conf.values).not.toHaveProperty('APPENDED');
    expect(conf.values).not.toHaveProperty('BROKEN');
    expect(conf.values.SUBST).toBe('$(cat /etc/hostname)'); // never evaluated
    expect(conf.warnings.map((w) => w.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 11]);
    expect(conf.warnings.find((w) => w.line === 11)?.message).toMatch(/never closed/);
    expect(conf.warnings.find((w) => w.line === 8)?.message).toMatch(/not evaluated/);
  });

  it('reports the legacy GREENBOOT_MAX_BOOTS key', () => {
    const conf = parseGreenbootConf(fixture('legacy-max-boots.conf'));
    expect(conf.maxBootAttempts).toBeUndefined();
    expect(conf.legacyMaxBoots).toBe('5');
    expect(conf.warnings).toEqual([
      expect.objectContaining({
        line: 2,
        message: expect.stringMatching(/MicroShift ≤ 4.15.*GREENBOOT_MAX_BOOT_ATTEMPTS is unset/),
      }),
    ]);
  });

  it('says the legacy key is ignored when the proper key is set', () => {
    const conf = parseGreenbootConf('GREENBOOT_MAX_BOOT_ATTEMPTS=3\nGREENBOOT_MAX_BOOTS=5\n');
    expect(conf).toMatchObject({ maxBootAttempts: '3', legacyMaxBoots: '5' });
    expect(conf.warnings[0]?.message).toMatch(/GREENBOOT_MAX_BOOTS is ignored/);
  });

  it('handles CRLF line endings', () => {
    expect(parseGreenbootConf(fixture('crlf.conf'))).toMatchObject({
      maxBootAttempts: '3',
      disabledHealthchecks: ['a.sh'],
      warnings: [],
    });
  });

  it.each([
    [
      'last assignment wins',
      'GREENBOOT_MAX_BOOT_ATTEMPTS=3\nGREENBOOT_MAX_BOOT_ATTEMPTS=7\n',
      { maxBootAttempts: '7' },
    ],
    [
      'a scalar DISABLED_HEALTHCHECKS is one script',
      'DISABLED_HEALTHCHECKS="a.sh"',
      { disabledHealthchecks: ['a.sh'] },
    ],
    ['statements separated by ;', 'A=1; GREENBOOT_MAX_BOOT_ATTEMPTS=2', { maxBootAttempts: '2' }],
    ['an array for a scalar key uses its first element', 'GREENBOOT_MAX_BOOT_ATTEMPTS=(4 5)', { maxBootAttempts: '4' }],
    [
      'backslash-newline continues the value',
      'MICROSHIFT_WAIT_TIMEOUT_SEC=12\\\n00',
      { microshiftWaitTimeoutSec: '1200' },
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseGreenbootConf(text)).toMatchObject(expected);
  });

  it.each(['', '\n\n', '((((', ')))', '"', "'", '\\', '=(', 'A=(', 'A="', '\u0000\uffff', 'export', '#!/bin/bash\n'])(
    'never throws on %j',
    (text) => {
      expect(() => parseGreenbootConf(text)).not.toThrow();
    },
  );

  it('parses a 50 000-line file in linear time, with the right line numbers', () => {
    // Comments, assignments, a multi-line array and lines that are not assignments, repeated.
    const block = [
      '# comment',
      'KEY_{n}="value {n}"',
      'DISABLED_HEALTHCHECKS=(',
      '  "a.sh"',
      ')',
      'echo not an assignment {n}',
    ];
    const lines = Array.from({ length: 50_000 }, (_, i) =>
      (block[i % block.length] as string).replaceAll('{n}', String(i)),
    );
    const started = performance.now();
    const result = parseGreenbootConf(lines.join('\n'));
    const elapsedMs = performance.now() - started;
    // One warning per `echo` line: i % 6 === 5 for 8 333 of the 50 000.
    expect(result.warnings).toHaveLength(8333);
    expect(result.warnings.at(-1)).toEqual({
      line: 49_998,
      text: 'echo not an assignment 49997',
      message: 'not a KEY=value assignment; ignored',
    });
    expect(result.values.KEY_49993).toBe('value 49993');
    // Generous for a busy machine: this takes well under a second; counting lines from the top
    // for each statement (the quadratic version) took 4.4 s for 16 000 lines, ~45 s for these.
    expect(elapsedMs).toBeLessThan(5000);
  });
});
