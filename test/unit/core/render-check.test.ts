// The human view of a check run and the one journal line per check, rendered from the same
// result objects `--json` prints.
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../agent/core/check-result.js';
import {
  checkSummaryLine,
  formatDuration,
  renderCheckRun,
  type CheckRunView,
} from '../../../agent/core/render-check.js';

function aResult(patch: Partial<CheckResult> = {}): CheckResult {
  return {
    id: 'microshift',
    class: 'required',
    startedAt: '2024-06-01T00:00:00.000Z',
    endedAt: '2024-06-01T00:00:12.300Z',
    durationMs: 12_300,
    outcome: 'pass',
    reason: 'ok',
    message: 'MicroShift is ready',
    ...patch,
  };
}

function aView(patch: Partial<CheckRunView> = {}): CheckRunView {
  return {
    bootId: '8f2c1b6e4a7d4c0e9b3a5f6d7e8c9a0b',
    dryRun: false,
    verdict: 'pass',
    budgetLine: 'Wait budget 600s = base 600s x (max 3 - boot_counter 2) [attempt 1 of 3, bash greenboot]',
    results: [aResult()],
    warnings: [],
    ...patch,
  };
}

describe('renderCheckRun', () => {
  it('shows the budget, one aligned line per check and the result', () => {
    const text = renderCheckRun(
      aView({
        verdict: 'fail',
        results: [
          aResult(),
          aResult({
            id: 'my-app-http',
            durationMs: 2004,
            outcome: 'timeout',
            reason: 'http-timeout',
            message: 'GET http://127.0.0.1:8080/ answering 200 not reached within 2s: HTTP 404',
          }),
          aResult({
            id: 'var-free',
            class: 'wanted',
            durationMs: 4,
            outcome: 'fail',
            reason: 'var-low',
            message: '/var has 10 MiB free, below 1024 MiB',
          }),
          aResult({
            id: 'lvm-free',
            class: 'wanted',
            durationMs: 0,
            outcome: 'skipped',
            reason: 'vgs-absent',
            message: 'vgs is not installed',
          }),
          aResult({
            id: 'app',
            durationMs: 61_000,
            outcome: 'terminated',
            reason: 'terminated',
            message: 'stopped by SIGTERM before deciding',
          }),
        ],
      }),
    );
    expect(text).toBe(
      [
        'edge-agent check',
        '  Wait budget 600s = base 600s x (max 3 - boot_counter 2) [attempt 1 of 3, bash greenboot]',
        '',
        '  PASS    microshift    12.3s  MicroShift is ready',
        '  TIMEOUT my-app-http    2.0s  GET http://127.0.0.1:8080/ answering 200 not reached within 2s: HTTP 404',
        '  FAIL    var-free        4ms  /var has 10 MiB free, below 1024 MiB',
        '  SKIP    lvm-free        0ms  vgs is not installed',
        '  STOPPED app           1m01s  stopped by SIGTERM before deciding',
        '',
        'Result: STOPPED (terminated before every check decided; greenboot counts this as a failure)',
        '',
      ].join('\n'),
    );
  });

  it.each<[CheckResult['outcome'][], string]>([
    [['pass', 'skipped'], 'Result: PASS'],
    [['fail', 'pass'], 'Result: WARN (1 wanted check reported a problem; wanted checks do not fail the boot)'],
    [['fail', 'timeout'], 'Result: WARN (2 wanted checks reported a problem; wanted checks do not fail the boot)'],
  ])('counts wanted problems (%j) next to a passing result', (outcomes, line) => {
    const results = outcomes.map((outcome, i) => aResult({ id: `w${i}`, class: 'wanted', outcome }));
    expect(
      renderCheckRun(aView({ classFilter: 'wanted', results }))
        .trimEnd()
        .split('\n')
        .at(-1),
    ).toBe(line);
  });

  it('says when nothing is recorded, which class ran, and lists the warnings', () => {
    const text = renderCheckRun(
      aView({
        dryRun: true,
        classFilter: 'required',
        warnings: ['grubenv: cannot read /boot/grub2/grubenv', '/etc/greenboot/greenboot.conf:3: not an assignment'],
      }),
    );
    expect(text.split('\n').slice(0, 4)).toEqual([
      'edge-agent check --class required (dry run: no verdict recorded)',
      '  Wait budget 600s = base 600s x (max 3 - boot_counter 2) [attempt 1 of 3, bash greenboot]',
      '  warning: grubenv: cannot read /boot/grub2/grubenv',
      '  warning: /etc/greenboot/greenboot.conf:3: not an assignment',
    ]);
    expect(text.endsWith('Result: PASS\n')).toBe(true);
  });

  it('keeps columns aligned for ids shorter than the minimum width', () => {
    const lines = renderCheckRun(
      aView({ results: [aResult({ id: 'a', durationMs: 5 }), aResult({ id: 'bb', durationMs: 5 })] }),
    ).split('\n');
    expect(lines.filter((l) => l.startsWith('  PASS'))).toEqual([
      '  PASS    a            5ms  MicroShift is ready',
      '  PASS    bb           5ms  MicroShift is ready',
    ]);
  });
});

describe('checkSummaryLine', () => {
  it.each<[CheckResult['outcome'], CheckResult['class'], string]>([
    ['pass', 'required', "Check 'microshift' (required) SUCCESS in 12.3s: MicroShift is ready"],
    ['skipped', 'wanted', "Check 'microshift' (wanted) SKIPPED in 12.3s: MicroShift is ready"],
    ['fail', 'required', "Check 'microshift' (required) FAILURE in 12.3s: MicroShift is ready"],
    ['timeout', 'required', "Check 'microshift' (required) FAILURE in 12.3s: MicroShift is ready"],
    ['terminated', 'required', "Check 'microshift' (required) TERMINATED in 12.3s: MicroShift is ready"],
  ])('%s (%s)', (outcome, cls, line) => {
    expect(checkSummaryLine(aResult({ outcome, class: cls }))).toBe(line);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1.0s'],
    [59_949, '59.9s'],
    [60_000, '1m00s'],
    [61_499, '1m01s'],
    [3_725_000, '62m05s'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
