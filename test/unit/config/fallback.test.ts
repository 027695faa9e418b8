// What the boot checks run on when the main config.yaml is broken: the sound sections as
// written, defaults for the broken ones, and the declared checks either kept or, when they
// cannot be read, reported as unreadable (the check command then fails the boot).
import { describe, expect, it } from 'vitest';
import { describeFallback, salvageMainConfig, WHOLE_FILE } from '../../../agent/config/fallback.js';
import type { LocatedProblem } from '../../../agent/config/problems.js';

const problem = (path: string, message = 'wrong type'): LocatedProblem => ({
  file: '/etc/edge-agent/config.yaml',
  path,
  message,
});
const checks = [{ id: 'app', kind: 'unit', unit: 'app.service' }];

describe('salvageMainConfig', () => {
  it('drops the broken section and keeps the declared checks', () => {
    const data = { hub: { url: 'not a url' }, log: { level: 'debug' }, checks };
    expect(salvageMainConfig([problem('hub.url', 'wrong format')], data, undefined)).toEqual({
      data: { log: { level: 'debug' }, checks },
      dropped: ['hub'],
      declaredChecks: 'kept',
    });
  });

  it.each([
    ['a problem inside a declared check', [problem('checks[0].timeoutSec')]],
    ['a problem in disabledChecks', [problem('disabledChecks[0]')]],
    [
      'an unknown top-level key that looks like checks',
      [problem('chekcs', 'line 1: unknown key (did you mean checks?)')],
    ],
  ])('%s: the declared checks are unreadable', (_name, problems) => {
    expect(salvageMainConfig(problems, { checks, chekcs: [], disabledChecks: [''] }, undefined).declaredChecks).toBe(
      'unreadable',
    );
  });

  it('an unknown top-level key like nothing known is dropped; no checks declared is "none"', () => {
    expect(
      salvageMainConfig([problem('colour', 'unknown key')], { colour: 'red', log: { level: 'info' } }, undefined),
    ).toEqual({ data: { log: { level: 'info' } }, dropped: ['colour'], declaredChecks: 'none' });
  });

  it.each([
    ['mentions checks outside comments', 'microshift:\n  check: on\nchecks:\n - id: a\n  bad', 'unreadable'],
    ['mentions checks only in comments', '# checks:\n#  - id: a\nlog:\n  level: [debug\n', 'none'],
    ['could not be read at all (a FIFO, a directory)', undefined, 'unreadable'],
  ] as const)('a file that is not YAML and %s: defaults, declared checks %s', (_name, text, declared) => {
    expect(salvageMainConfig([problem('', 'YAML syntax error at line 4, column 10')], undefined, text)).toEqual({
      data: {},
      dropped: [WHOLE_FILE],
      declaredChecks: declared,
    });
  });

  it('says in one line what the checks run on', () => {
    expect(describeFallback('/etc/edge-agent/config.yaml', { dropped: [WHOLE_FILE], declaredChecks: 'none' })).toBe(
      '/etc/edge-agent/config.yaml is invalid: the boot checks run on the defaults alone (nothing of the file could be used) (no declared checks); fix it and run edge-agent config validate',
    );
    expect(describeFallback('/etc/edge-agent/config.yaml', { dropped: ['hub'], declaredChecks: 'kept' })).toBe(
      '/etc/edge-agent/config.yaml is invalid: the boot checks run on defaults for hub (your declared checks run as written); fix it and run edge-agent config validate',
    );
  });
});
