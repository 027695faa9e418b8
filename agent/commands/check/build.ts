// Turns the check plan into runnable checks: the MicroShift check, the declared ones, the
// built-in wanted ones. Checks the plan skips become results without running.
import type { CheckPlan } from '../../core/plan-checks.js';
import type { RunnableCheck } from '../../core/check-runner.js';
import type { Config } from '../../config/schema.js';
import type { BootContext } from '../../host/greenboot-context.js';
import { createDeclaredCheck } from './declared.js';
import type { CheckDeps } from './check-deps.js';
import { createMicroShiftCheck } from './microshift.js';
import { createWantedChecks } from './wanted.js';
import { createReadinessChecks, READINESS_WANTED } from './readiness-wanted.js';

export const WANTED_BUILTINS = [
  'journal-persistent',
  'pull-secret',
  'firewall-trusted',
  'lvm-free',
  'var-free',
  'clock-synchronized',
  'registry-mirror',
  'greenboot-enabled',
  'disabled-healthchecks',
  ...READINESS_WANTED,
];

export function buildChecks(plan: CheckPlan, config: Config, context: BootContext, deps: CheckDeps): RunnableCheck[] {
  const budgetMs = context.budget.budgetSec * 1000;
  const wanted = new Map(
    createWantedChecks(
      config,
      {
        microshiftInstalled: context.microshiftUnit !== 'absent',
        disabledHealthchecks: context.greenbootConf.disabledHealthchecks,
      },
      deps,
    ).map((c) => [c.id, c]),
  );
  for (const c of createReadinessChecks(config, deps)) wanted.set(c.id, c);
  return plan.checks.map((planned): RunnableCheck => {
    const skip = planned.skip;
    if (skip)
      return {
        id: planned.id,
        class: planned.class,
        run: async () => ({ outcome: skip.outcome, reason: skip.reason, message: skip.message }),
      };
    if (planned.source === 'microshift') {
      const m = config.microshift;
      const plan2 = {
        budgetMs,
        workloads: plan.workloads,
        crashLoopRestarts: m.crashLoopRestarts,
        containerRestarts: m.containerRestarts,
        restartWindowMs: m.restartWindowSec * 1000,
        restartSettleMs: (m.restartWindowSec * 1000) / 3,
      };
      return createMicroShiftCheck({ plan: plan2, bootTimeMs: context.bootTimeMs }, deps);
    }
    if (planned.source === 'declared') {
      const spec = config.checks.find((c) => c.id === planned.id);
      if (!spec) throw new Error(`declared check ${planned.id} vanished from the config`);
      return createDeclaredCheck(spec, (spec.timeoutSec ?? context.budget.budgetSec) * 1000, deps);
    }
    const builtin = wanted.get(planned.id);
    if (!builtin) throw new Error(`unknown built-in check ${planned.id}`);
    return builtin;
  });
}
