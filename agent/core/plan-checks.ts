// Which checks run at this boot, decided from config and host facts. Pure: the check command
// turns the plan into runnable checks.
import type { CheckClass } from './check-result.js';
import type { WorkloadRef } from './microshift-observation.js';

export interface PlanFacts {
  microshiftUnit: 'enabled' | 'disabled' | 'absent';
  lvmsExpected: boolean;
  /** greenboot.conf DISABLED_HEALTHCHECKS plus config disabledChecks. */
  disabled: readonly string[];
}

export interface PlanInput {
  classFilter?: CheckClass;
  microshiftMode: 'auto' | 'on' | 'off';
  workloads: readonly (WorkloadRef & { when: 'always' | 'lvms' })[];
  declared: readonly { id: string; class: CheckClass }[];
  wantedBuiltins: readonly string[];
}

export interface PlannedCheck {
  id: string;
  class: CheckClass;
  source: 'microshift' | 'declared' | 'builtin';
  /** Set when the check is not run; recorded with this outcome (pass: nothing to check). */
  skip?: { outcome: 'pass' | 'skipped'; reason: string; message: string };
}

export interface CheckPlan {
  checks: PlannedCheck[];
  workloads: WorkloadRef[];
}

export function planChecks(input: PlanInput, facts: PlanFacts): CheckPlan {
  const wants = (c: CheckClass) => input.classFilter === undefined || input.classFilter === c;
  const disabled = new Set(facts.disabled);
  const checks: PlannedCheck[] = [];
  const disable = (check: PlannedCheck): PlannedCheck =>
    disabled.has(check.id)
      ? {
          ...check,
          skip: { outcome: 'skipped', reason: 'disabled', message: `${check.id} is disabled by configuration` },
        }
      : check;

  if (wants('required')) {
    const microshift: PlannedCheck = { id: 'microshift', class: 'required', source: 'microshift' };
    if (input.microshiftMode === 'off') {
      checks.push({
        ...microshift,
        skip: {
          outcome: 'skipped',
          reason: 'disabled',
          message: 'MicroShift check turned off (microshift.check: off)',
        },
      });
    } else if (input.microshiftMode === 'auto' && facts.microshiftUnit !== 'enabled') {
      const why =
        facts.microshiftUnit === 'absent' ? 'microshift.service is not installed' : 'microshift.service is not enabled';
      // As MicroShift's own check: a host without (enabled) MicroShift has nothing to wait for.
      checks.push({
        ...microshift,
        skip: { outcome: 'pass', reason: `microshift-${facts.microshiftUnit}`, message: `${why}: nothing to wait for` },
      });
    } else {
      checks.push(disable(microshift));
    }
  }
  for (const check of input.declared)
    if (wants(check.class)) checks.push(disable({ id: check.id, class: check.class, source: 'declared' }));
  if (wants('wanted'))
    for (const id of input.wantedBuiltins) checks.push(disable({ id, class: 'wanted', source: 'builtin' }));

  const workloads = input.workloads
    .filter((w) => w.when === 'always' || facts.lvmsExpected)
    .map(({ namespace, kind, name }) => ({ namespace, kind, name }));
  return { checks, workloads };
}
