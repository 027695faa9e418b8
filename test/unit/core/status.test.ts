// The decisions of `edge-agent status`: the boot verdict from its sources, when a green boot is
// degraded, the exit codes, the one-line summary, and the daemon state reader.
import { describe, expect, it } from 'vitest';
import { parseDaemonState } from '../../../agent/core/daemon-state.js';
import { failed, ok, type StatusFacts, type UnitFacts } from '../../../agent/core/status/facts.js';
import { readStatusRecord, type StatusRecord } from '../../../agent/core/status/record.js';
import { buildStatus } from '../../../agent/core/status/status.js';
import { motdText, summaryLine } from '../../../agent/core/status/summary.js';
import { decideBootVerdict, statusExitCode } from '../../../agent/core/status/verdict.js';
import { greenAfterUpdate, notFound, unit } from '../../fixtures/status/scenarios.js';

type Units = Partial<Record<'healthcheck' | 'bootComplete' | 'redboot' | 'microshift' | 'daemon', UnitFacts>>;

function facts(patch: {
  units?: Units;
  record?: Partial<StatusRecord> | null;
  bootSuccess?: 0 | 1;
  implementation?: StatusFacts['greenboot']['implementation'];
  dbusDown?: boolean;
  ostree?: boolean;
}): StatusFacts {
  const f = greenAfterUpdate();
  const base: Units = {
    healthcheck: unit('inactive', 'dead'),
    bootComplete: unit('inactive', 'dead', { unitFileState: 'static' }),
    redboot: unit('inactive', 'dead', { unitFileState: 'static' }),
  };
  return {
    ...f,
    device: f.device.state === 'ok' ? ok({ ...f.device.value, ostree: patch.ostree ?? true }) : f.device,
    units: patch.dbusDown
      ? failed('timed-out', 'systemd (D-Bus) did not answer within 1.0 s')
      : ok({ ...base, ...patch.units }),
    record: ok(
      patch.record === null || patch.record === undefined
        ? undefined
        : { schema: 1, bootId: 'b', checks: {}, ...patch.record },
    ),
    grubenv: ok({
      present: true,
      bootSuccess: patch.bootSuccess ?? 0,
      bootCounter: patch.bootSuccess === 1 ? undefined : 2,
    }),
    greenboot: { implementation: patch.implementation ?? 'bash' },
  };
}

const passed = {
  required: {
    startedAt: '2024-07-02T10:00:00Z',
    endedAt: '2024-07-02T10:00:30Z',
    verdict: 'pass' as const,
    results: [],
  },
};
const failedRun = {
  required: {
    startedAt: '2024-07-02T10:00:00Z',
    endedAt: '2024-07-02T10:00:30Z',
    verdict: 'fail' as const,
    results: [],
  },
};

describe('boot verdict', () => {
  it.each<[string, Parameters<typeof facts>[0], string]>([
    [
      'red step recorded, even with a green unit',
      { record: { verdict: 'red' }, units: { healthcheck: unit('active', 'exited') } },
      'red',
    ],
    ['healthcheck failed', { units: { healthcheck: unit('failed', 'failed') } }, 'red'],
    ['redboot.target active', { units: { redboot: unit('active', 'active') } }, 'red'],
    ['green step recorded', { record: { verdict: 'green', checks: passed } }, 'green'],
    ['boot-complete.target reached', { units: { bootComplete: unit('active', 'active') } }, 'green'],
    ['healthcheck passed', { units: { healthcheck: unit('active', 'exited') } }, 'green'],
    ['healthcheck running', { units: { healthcheck: unit('activating', 'start') } }, 'checking'],
    ['required checks failed, greenboot not done yet', { record: { checks: failedRun } }, 'red'],
    ['boot_success=1 without a unit to ask', { bootSuccess: 1, units: { healthcheck: notFound } }, 'green'],
    ['healthcheck enabled, not started yet', {}, 'checking'],
    [
      'required checks passed, greenboot unknown',
      { record: { checks: passed }, units: { healthcheck: notFound } },
      'green',
    ],
    ['greenboot not installed', { implementation: 'none', units: { healthcheck: notFound } }, 'unknown'],
    [
      'healthcheck disabled',
      { units: { healthcheck: unit('inactive', 'dead', { unitFileState: 'disabled' }) } },
      'unknown',
    ],
    ['D-Bus down, nothing recorded', { dbusDown: true }, 'unknown'],
    ['D-Bus down, green recorded', { dbusDown: true, record: { verdict: 'green', checks: passed } }, 'green'],
    [
      'a dry run decides nothing',
      { record: { checks: { required: { ...failedRun.required, dryRun: true } } }, units: { healthcheck: notFound } },
      'unknown',
    ],
  ])('%s: %s', (_name, patch, verdict) => {
    expect(decideBootVerdict(facts(patch)).verdict).toBe(verdict);
  });
});

describe('overall state and exit code', () => {
  it.each<[string, Parameters<typeof facts>[0], string, number]>([
    ['green with its checks recorded', { record: { verdict: 'green', checks: passed } }, 'green', 0],
    ['red', { units: { healthcheck: unit('failed', 'failed') } }, 'red', 1],
    ['checking', { units: { healthcheck: unit('activating', 'start') } }, 'checking', 2],
    ['unknown', { implementation: 'none', units: { healthcheck: notFound } }, 'unknown', 3],
    ['green but not an ostree system', { record: { verdict: 'green', checks: passed }, ostree: false }, 'degraded', 3],
    [
      'green but no record of this boot',
      { units: { healthcheck: unit('active', 'exited') }, record: null },
      'degraded',
      3,
    ],
    [
      'green but the checks never ran',
      { units: { healthcheck: unit('active', 'exited') }, record: { rollbackChecked: true } },
      'degraded',
      3,
    ],
  ])('%s: %s, exit %i', (_name, patch, state, code) => {
    const result = buildStatus(facts(patch));
    expect(result.state).toBe(state);
    expect(result.exitCode).toBe(code);
    expect(statusExitCode(result.state)).toBe(code);
  });

  it('a green boot is not degraded for a user who cannot read the records', () => {
    const f = facts({ units: { healthcheck: unit('active', 'exited') } });
    const result = buildStatus({
      ...f,
      isRoot: false,
      record: failed('needs-root', 'permission denied'),
      history: failed('needs-root', 'permission denied'),
    });
    expect(result.state).toBe('green');
    expect(result.problems.map((p) => p.code)).toContain('needs-root');
  });
});

describe('summary line and login message', () => {
  const d = { version: '9.4.20240701.0', checksum: 'c0ffee5a1b2c3d4e' };
  it.each<[Parameters<typeof summaryLine>[0], string]>([
    [{ state: 'green', deployment: d }, 'GREEN: 9.4.20240701.0 (c0ffee5) passed its health checks'],
    [
      { state: 'red', deployment: d, attempt: 2, attempts: 3, failure: { id: 'microshift', message: 'crash-loop' } },
      "RED: 9.4.20240701.0 (c0ffee5) failed check 'microshift': crash-loop, attempt 2 of 3",
    ],
    [
      { state: 'checking', deployment: d, attempt: 1, attempts: 3 },
      'CHECKING: 9.4.20240701.0 (c0ffee5) is being checked, attempt 1 of 3',
    ],
    [
      { state: 'degraded', deployment: d, reason: 'this is not an ostree system' },
      'DEGRADED: 9.4.20240701.0 (c0ffee5) is green, but this is not an ostree system',
    ],
    [{ state: 'unknown', reason: 'greenboot is not installed' }, 'UNKNOWN: greenboot is not installed'],
    [
      { state: 'green', deployment: d, rolledBackFrom: { version: '9.5', checksum: 'abcdef0123' } },
      'GREEN: 9.4.20240701.0 (c0ffee5) passed its health checks; rolled back from 9.5 (abcdef0)',
    ],
  ])('%j', (input, line) => {
    expect(summaryLine(input)).toBe(line);
  });

  it('keeps a long failure to one line', () => {
    const line = summaryLine({ state: 'red', deployment: d, failure: { id: 'x', message: 'word '.repeat(40) } });
    expect(line.length).toBeLessThan(130);
    expect(line).toContain('…');
  });

  it('says when the message was true', () => {
    expect(motdText('GREEN: x', new Date('2024-07-02T10:15:42Z'))).toBe(
      'edge-agent: GREEN: x (as of 2024-07-02 10:15 UTC). Details: edge-agent status\n',
    );
  });
});

describe('daemon state reader', () => {
  it('reads what the daemon writes', () => {
    const state = {
      schema: 1,
      pid: 812,
      version: '0.1.0',
      startedAt: 'a',
      updatedAt: 'b',
      hub: { configured: true, connected: false, queued: 3, dropped: 1 },
      microshift: { unit: 'active', apiReady: true, workloads: { ready: 7, total: 8 }, checkedAt: 'c' },
    };
    expect(parseDaemonState(state)).toEqual(state);
  });

  it('is lenient: wrong types read as absent, unknown and newer fields are kept', () => {
    const parsed = parseDaemonState({
      schema: 2,
      pid: 'x',
      hub: { configured: true, queued: -1, dropped: 2, links: 3 },
      extra: { a: 1 },
    });
    expect(parsed).toMatchObject({ schema: 2, hub: { configured: true, dropped: 2, links: 3 }, extra: { a: 1 } });
    expect(parsed?.pid).toBeUndefined();
    expect(parsed?.hub?.queued).toBeUndefined();
    expect(parseDaemonState({ hub: 'nonsense' })).toEqual({});
    expect(parseDaemonState('nonsense')).toBeUndefined();
  });

  it('takes workload counts as numbers only; a file from before them, or nonsense counts, give none', () => {
    const look = (microshift: unknown) => parseDaemonState({ microshift })?.microshift?.workloads;
    expect(look({ workloads: { ready: 8, total: 8 } })).toEqual({ ready: 8, total: 8 });
    expect(look({ workloadsReady: '8/8' })).toBeUndefined();
    expect(look({ workloads: { ready: -1, total: 'eight' } })).toEqual({});
    expect(look({ workloads: '8/8' })).toBeUndefined();
  });
});

describe('record reader', () => {
  it('reads what it shares with a newer or older record and ignores the rest', () => {
    const record = readStatusRecord({
      schema: 9,
      bootId: 'abc',
      verdict: 'purple',
      checks: { required: { startedAt: 's', results: [{ id: 'x', outcome: 'pass', durationMs: 'slow' }, 42] } },
      future: true,
    });
    // The record schema of the writers, read leniently: unknown fields kept, what this version
    // cannot read (a check result of another shape, as a whole) set aside and named in the note.
    expect(record).toMatchObject({
      bootId: 'abc',
      future: true,
      checks: { required: { startedAt: 's', results: [] } },
    });
    expect(record?.verdict).toBeUndefined();
    expect(record?.newerNote).toMatch(
      /^written by a newer edge-agent \(.*results\[id=x\]: .*results\[0\]: 42.*verdict: "purple"/,
    );
    expect(readStatusRecord({ verdict: 'green' })).toBeUndefined();
  });
});
