// Which checks run at a boot: MicroShift by mode and unit state (like MicroShift's own check, a
// host without an enabled MicroShift passes without waiting), the class filter, disabledChecks,
// and the LVMS workloads only where LVMS is expected.
import { describe, expect, it } from 'vitest';
import { planChecks, type PlanFacts, type PlanInput, type PlannedCheck } from '../../../agent/core/plan-checks.js';

function anInput(patch: Partial<PlanInput> = {}): PlanInput {
  return {
    microshiftMode: 'auto',
    workloads: [
      { namespace: 'openshift-dns', kind: 'DaemonSet', name: 'dns-default', when: 'always' },
      { namespace: 'openshift-storage', kind: 'Deployment', name: 'lvms-operator', when: 'lvms' },
      { namespace: 'openshift-storage', kind: 'DaemonSet', name: 'vg-manager', when: 'lvms' },
    ],
    declared: [
      { id: 'app', class: 'required' },
      { id: 'app-http', class: 'wanted' },
    ],
    wantedBuiltins: ['journal-persistent', 'var-free'],
    ...patch,
  };
}

const facts = (patch: Partial<PlanFacts> = {}): PlanFacts => ({
  microshiftUnit: 'enabled',
  lvmsExpected: false,
  disabled: [],
  ...patch,
});
const microshiftOf = (checks: PlannedCheck[]) => checks.find((c) => c.id === 'microshift');

describe('planChecks', () => {
  it.each<[PlanInput['microshiftMode'], PlanFacts['microshiftUnit'], PlannedCheck['skip']]>([
    ['auto', 'enabled', undefined],
    [
      'auto',
      'disabled',
      {
        outcome: 'pass',
        reason: 'microshift-disabled',
        message: 'microshift.service is not enabled: nothing to wait for',
      },
    ],
    [
      'auto',
      'absent',
      {
        outcome: 'pass',
        reason: 'microshift-absent',
        message: 'microshift.service is not installed: nothing to wait for',
      },
    ],
    ['on', 'enabled', undefined],
    ['on', 'disabled', undefined],
    ['on', 'absent', undefined],
    [
      'off',
      'enabled',
      { outcome: 'skipped', reason: 'disabled', message: 'MicroShift check turned off (microshift.check: off)' },
    ],
    [
      'off',
      'disabled',
      { outcome: 'skipped', reason: 'disabled', message: 'MicroShift check turned off (microshift.check: off)' },
    ],
    [
      'off',
      'absent',
      { outcome: 'skipped', reason: 'disabled', message: 'MicroShift check turned off (microshift.check: off)' },
    ],
  ])('microshift.check %s with the unit %s', (mode, unit, skip) => {
    const plan = planChecks(anInput({ microshiftMode: mode }), facts({ microshiftUnit: unit }));
    expect(microshiftOf(plan.checks)).toEqual({
      id: 'microshift',
      class: 'required',
      source: 'microshift',
      ...(skip && { skip }),
    });
  });

  it.each<[PlanInput['classFilter'], string[]]>([
    [undefined, ['microshift', 'app', 'app-http', 'journal-persistent', 'var-free']],
    ['required', ['microshift', 'app']],
    ['wanted', ['app-http', 'journal-persistent', 'var-free']],
  ])('--class %s plans %j', (classFilter, ids) => {
    const plan = planChecks(anInput({ classFilter }), facts());
    expect(plan.checks.map((c) => c.id)).toEqual(ids);
    expect(plan.checks.every((c) => classFilter === undefined || c.class === classFilter)).toBe(true);
  });

  it('marks where each planned check comes from', () => {
    const plan = planChecks(anInput(), facts());
    expect(plan.checks.map((c) => [c.id, c.class, c.source])).toEqual([
      ['microshift', 'required', 'microshift'],
      ['app', 'required', 'declared'],
      ['app-http', 'wanted', 'declared'],
      ['journal-persistent', 'wanted', 'builtin'],
      ['var-free', 'wanted', 'builtin'],
    ]);
  });

  it.each([['microshift'], ['app'], ['app-http'], ['var-free']])('disabledChecks skips %s and nothing else', (id) => {
    const plan = planChecks(anInput(), facts({ disabled: [id] }));
    const skipped = plan.checks.filter((c) => c.skip);
    expect(skipped).toEqual([
      expect.objectContaining({
        id,
        skip: { outcome: 'skipped', reason: 'disabled', message: `${id} is disabled by configuration` },
      }),
    ]);
  });

  it('ignores disabledChecks naming checks that do not exist', () => {
    const plan = planChecks(anInput(), facts({ disabled: ['no-such-check', '40_microshift_running_check.sh'] }));
    expect(plan.checks.filter((c) => c.skip)).toEqual([]);
  });

  it('passes a host without enabled MicroShift even when microshift is also in disabledChecks', () => {
    const plan = planChecks(anInput(), facts({ microshiftUnit: 'absent', disabled: ['microshift'] }));
    expect(microshiftOf(plan.checks)?.skip).toMatchObject({ outcome: 'pass', reason: 'microshift-absent' });
  });

  it.each<[boolean, string[]]>([
    [false, ['openshift-dns/dns-default']],
    [true, ['openshift-dns/dns-default', 'openshift-storage/lvms-operator', 'openshift-storage/vg-manager']],
  ])('LVMS expected %s: waits for %j', (lvmsExpected, names) => {
    const plan = planChecks(anInput(), facts({ lvmsExpected }));
    expect(plan.workloads.map((w) => `${w.namespace}/${w.name}`)).toEqual(names);
    // The plan carries plain workload references: `when` is a config matter, decided here.
    for (const w of plan.workloads) expect(Object.keys(w).sort()).toEqual(['kind', 'name', 'namespace']);
  });

  it('plans nothing but MicroShift for an empty config', () => {
    const plan = planChecks(anInput({ declared: [], wantedBuiltins: [], classFilter: 'required' }), facts());
    expect(plan.checks).toEqual([{ id: 'microshift', class: 'required', source: 'microshift' }]);
  });
});
