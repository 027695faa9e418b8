// The one boot verdict over every combination of its inputs. The expected verdict of each
// combination comes from the rules written out below as a flat table over the case's fields (the
// way the rules read in prose), not from the function under test; then the examples that used to
// be decided differently by `wait`, `status` and the hub.
import { describe, expect, it } from 'vitest';
import {
  decideBootVerdict,
  type BootVerdict,
  type BootVerdictInputs,
  type RecordInput,
  type VerdictCode,
  type VerdictUnit,
} from '../../../../agent/core/verdict/boot-verdict.js';
import { pastBootInputs, recordInput } from '../../../../agent/core/verdict/verdict-inputs.js';

type Hc =
  | 'absent'
  | 'inactive-enabled'
  | 'inactive-static'
  | 'inactive-disabled'
  | 'masked'
  | 'activating'
  | 'active'
  | 'failed';
type Target = 'absent' | 'inactive' | 'activating' | 'active';
type Grub = 'absent' | 'unreadable' | { bootSuccess?: 0 | 1; bootCounter?: -1 | 0 | 2 };

interface Case {
  record: 'none' | 'unreadable' | RecordInput;
  systemd: 'ok' | 'unreachable';
  hc: Hc;
  bootComplete: Target;
  redboot: Target;
  grubenv: Grub;
  greenboot: BootVerdictInputs['greenboot'];
}

const RECORDS: Case['record'][] = [
  'none',
  'unreadable',
  ...[undefined, 'green' as const, 'red' as const].flatMap((verdict) =>
    [undefined, 'running' as const, 'pass' as const, 'fail' as const].map((required) => ({
      ...(verdict && { verdict }),
      ...(required && { required }),
    })),
  ),
];
const HCS: Hc[] = [
  'absent',
  'inactive-enabled',
  'inactive-static',
  'inactive-disabled',
  'masked',
  'activating',
  'active',
  'failed',
];
const TARGETS: Target[] = ['absent', 'inactive', 'activating', 'active'];
const GRUBS: Grub[] = [
  'absent',
  'unreadable',
  ...[undefined, 0 as const, 1 as const].flatMap((bootSuccess) =>
    [undefined, -1 as const, 0 as const, 2 as const].map((bootCounter) => ({
      ...(bootSuccess !== undefined && { bootSuccess }),
      ...(bootCounter !== undefined && { bootCounter }),
    })),
  ),
];
const GREENBOOTS: Case['greenboot'][] = ['bash', 'rs', 'none', 'unknown'];

function* allCases(): Generator<Case> {
  for (const record of RECORDS)
    for (const grubenv of GRUBS)
      for (const greenboot of GREENBOOTS) {
        // systemd out of reach: the units' states are not known at all.
        yield {
          record,
          systemd: 'unreachable',
          hc: 'absent',
          bootComplete: 'absent',
          redboot: 'absent',
          grubenv,
          greenboot,
        };
        for (const hc of HCS)
          for (const bootComplete of TARGETS)
            for (const redboot of TARGETS)
              yield { record, systemd: 'ok', hc, bootComplete, redboot, grubenv, greenboot };
      }
}

const HC_UNITS: Record<Hc, VerdictUnit | undefined> = {
  absent: undefined,
  'inactive-enabled': { loadState: 'loaded', activeState: 'inactive', unitFileState: 'enabled' },
  'inactive-static': { loadState: 'loaded', activeState: 'inactive', unitFileState: 'static' },
  'inactive-disabled': { loadState: 'loaded', activeState: 'inactive', unitFileState: 'disabled' },
  masked: { loadState: 'masked', activeState: 'inactive', unitFileState: 'masked' },
  activating: { loadState: 'loaded', activeState: 'activating', unitFileState: 'enabled' },
  active: { loadState: 'loaded', activeState: 'active', unitFileState: 'enabled' },
  failed: { loadState: 'loaded', activeState: 'failed', unitFileState: 'enabled' },
};
const target = (t: Target): VerdictUnit | undefined =>
  t === 'absent' ? undefined : { loadState: 'loaded', activeState: t, unitFileState: 'static' };

function inputsOf(c: Case): BootVerdictInputs {
  const units: BootVerdictInputs['units'] =
    c.systemd === 'unreachable'
      ? { unreachable: 'connect ENOENT /run/dbus/system_bus_socket' }
      : {
          ...(HC_UNITS[c.hc] && { healthcheck: HC_UNITS[c.hc] }),
          ...(target(c.bootComplete) && { bootComplete: target(c.bootComplete) }),
          ...(target(c.redboot) && { redboot: target(c.redboot) }),
        };
  return { record: c.record, units, grubenv: c.grubenv, greenboot: c.greenboot };
}

// The rules, first match wins. Red before green before checking before unknown, except where a
// live unit saying "checking" is newer news than the record's or grubenv's older evidence.
const rec = (c: Case) => (typeof c.record === 'object' ? c.record : {});
const grub = (c: Case) => (typeof c.grubenv === 'object' ? c.grubenv : {});
const live = (c: Case) => c.systemd === 'ok';
const RULES: [VerdictCode, BootVerdict, (c: Case) => boolean][] = [
  ['record-red', 'red', (c) => rec(c).verdict === 'red'],
  ['healthcheck-failed', 'red', (c) => live(c) && c.hc === 'failed'],
  ['redboot-started', 'red', (c) => live(c) && (c.redboot === 'active' || c.redboot === 'activating')],
  ['record-green', 'green', (c) => rec(c).verdict === 'green'],
  ['boot-complete', 'green', (c) => live(c) && c.bootComplete === 'active'],
  ['healthcheck-passed', 'green', (c) => live(c) && c.hc === 'active'],
  ['healthcheck-running', 'checking', (c) => live(c) && c.hc === 'activating'],
  ['required-failed', 'red', (c) => rec(c).required === 'fail'],
  ['grubenv-boot-success', 'green', (c) => grub(c).bootSuccess === 1],
  ['required-running', 'checking', (c) => rec(c).required === 'running'],
  [
    'healthcheck-not-started',
    'checking',
    (c) => live(c) && (c.hc === 'inactive-enabled' || c.hc === 'inactive-static'),
  ],
  ['required-passed', 'green', (c) => rec(c).required === 'pass'],
  ['greenboot-absent', 'unknown', (c) => c.greenboot === 'none'],
  ['healthcheck-disabled', 'unknown', (c) => live(c) && (c.hc === 'inactive-disabled' || c.hc === 'masked')],
  ['systemd-unreachable', 'unknown', (c) => !live(c)],
  ['no-verdict', 'unknown', () => true],
];

function expected(c: Case): { verdict: BootVerdict; code: VerdictCode; fallback: boolean } {
  const [code, verdict] = RULES.find(([, , when]) => when(c)) ?? ['no-verdict', 'unknown'];
  return { verdict, code, fallback: grub(c).bootCounter === -1 };
}

describe('the boot verdict over every combination of its inputs', () => {
  const cases = [...allCases()];

  it('covers the whole cross product', () => {
    // 14 records × 14 grubenvs × 4 greenboots × (1 unreachable + 8 × 4 × 4 unit states)
    expect(cases).toHaveLength(14 * 14 * 4 * (1 + 8 * 4 * 4));
  });

  it('decides each combination as the rules say', () => {
    const wrong = cases
      .map((c) => ({ c, want: expected(c), got: decideBootVerdict(inputsOf(c)) }))
      .filter(
        ({ want, got }) => want.verdict !== got.verdict || want.code !== got.code || want.fallback !== got.fallback,
      )
      .slice(0, 5)
      .map(({ c, want, got }) => ({
        case: c,
        want,
        got: { verdict: got.verdict, code: got.code, fallback: got.fallback },
      }));
    expect(wrong).toEqual([]);
  });

  it('every rule decides some combination (none is shadowed by the ones above it)', () => {
    const used = new Set(cases.map((c) => decideBootVerdict(inputsOf(c)).code));
    expect(RULES.map(([code]) => code).filter((code) => !used.has(code))).toEqual([]);
  });

  it('never calls a boot anything but red when any source declared it bad', () => {
    const bad = cases.filter(
      (c) => rec(c).verdict === 'red' || (live(c) && (c.hc === 'failed' || c.redboot === 'active')),
    );
    expect(bad.length).toBeGreaterThan(0);
    expect(new Set(bad.map((c) => decideBootVerdict(inputsOf(c)).verdict))).toEqual(new Set(['red']));
  });

  it('gives every verdict a reason a person can read', () => {
    for (const c of cases.filter((_, i) => i % 97 === 0)) {
      const { reason } = decideBootVerdict(inputsOf(c));
      expect(reason).toMatch(/^[a-zA-Z'].{10,}/);
    }
  });
});

describe('a boot that is over: only its record speaks', () => {
  it.each<[string, Parameters<typeof pastBootInputs>[0], BootVerdict, VerdictCode]>([
    ['red step recorded', { verdict: 'red' }, 'red', 'record-red'],
    ['green step recorded', { verdict: 'green', checks: { required: { verdict: 'pass' } } }, 'green', 'record-green'],
    ['required checks failed, no step ran', { checks: { required: { verdict: 'fail' } } }, 'red', 'required-failed'],
    ['required checks passed, no step ran', { checks: { required: { verdict: 'pass' } } }, 'green', 'required-passed'],
    ['ended while the checks ran', { checks: { required: {} } }, 'unknown', 'boot-ended-undecided'],
    ['no checks, no step', {}, 'unknown', 'boot-ended-undecided'],
    ['only a dry run', { checks: { required: { verdict: 'fail', dryRun: true } } }, 'unknown', 'boot-ended-undecided'],
  ])('%s: %s', (_name, record, verdict, code) => {
    expect(decideBootVerdict(pastBootInputs(record))).toMatchObject({ verdict, code });
  });
});

describe('examples the three old rules decided differently', () => {
  const units = (hc: VerdictUnit['activeState'], extra: Partial<Record<'bootComplete' | 'redboot', string>> = {}) => ({
    healthcheck: { loadState: 'loaded', activeState: hc, unitFileState: 'enabled' },
    ...(extra.bootComplete && {
      bootComplete: { loadState: 'loaded', activeState: extra.bootComplete, unitFileState: 'static' },
    }),
    ...(extra.redboot && { redboot: { loadState: 'loaded', activeState: extra.redboot, unitFileState: 'static' } }),
  });
  const base = { grubenv: { bootSuccess: 0 as const, bootCounter: 1 }, greenboot: 'bash' as const };
  it.each<[string, BootVerdictInputs, BootVerdict, VerdictCode]>([
    // `wait` used to release the workloads here (record first) while `status` said red.
    [
      'record green, health check failed',
      { ...base, record: { verdict: 'green', required: 'pass' }, units: units('failed') },
      'red',
      'healthcheck-failed',
    ],
    [
      'record green, redboot.target starting',
      { ...base, record: { verdict: 'green' }, units: units('failed', { redboot: 'activating' }) },
      'red',
      'healthcheck-failed',
    ],
    // The hub used to say checking here (a record with checks but no verdict).
    [
      'required checks failed, no step yet',
      {
        ...base,
        record: recordInput({ checks: { required: { verdict: 'fail' } } }),
        units: { unreachable: 'timed out' },
      },
      'red',
      'required-failed',
    ],
    // `wait` used to wait here; `status` said green.
    [
      'boot_success=1, healthcheck not installed',
      { ...base, grubenv: { bootSuccess: 1 }, record: 'none', units: {} },
      'green',
      'grubenv-boot-success',
    ],
    [
      'health check running',
      { ...base, record: 'none', units: units('activating') },
      'checking',
      'healthcheck-running',
    ],
    [
      'boot-complete reached',
      { ...base, record: 'none', units: units('active', { bootComplete: 'active' }) },
      'green',
      'boot-complete',
    ],
    [
      'greenboot missing, nothing recorded',
      { ...base, greenboot: 'none', grubenv: 'absent', record: 'none', units: {} },
      'unknown',
      'greenboot-absent',
    ],
  ])('%s -> %s', (_name, inputs, verdict, code) => {
    expect(decideBootVerdict(inputs)).toMatchObject({ verdict, code });
  });
});
