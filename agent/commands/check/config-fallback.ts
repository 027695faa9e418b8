// The check that stands for a broken main config.yaml (see config/fallback.ts). Required and
// failing when the declared checks could not be read: they cannot be said to pass. Otherwise
// wanted and failing: the boot verdict comes from the checks that did run, and the broken file
// still shows in the record, `status` and `history` like any failed wanted check.
import type { RunnableCheck } from '../../core/check-runner.js';
import type { CheckClass } from '../../core/check-result.js';
import { WHOLE_FILE, type DeclaredChecks } from '../../config/fallback.js';
import { formatConfigProblem, type ConfigProblem } from '../../errors.js';

export interface ConfigFallbackFacts {
  file: string;
  problems: ConfigProblem[];
  dropped: string[];
  declaredChecks: DeclaredChecks;
}

export function createConfigFallbackChecks(
  facts: ConfigFallbackFacts,
  classFilter: CheckClass | undefined,
): RunnableCheck[] {
  const cls: CheckClass = facts.declaredChecks === 'unreadable' ? 'required' : 'wanted';
  if (classFilter && classFilter !== cls) return [];
  const first = facts.problems[0] ? formatConfigProblem(facts.problems[0]) : facts.file;
  const more =
    facts.problems.length > 1 ? ` (and ${facts.problems.length - 1} more problem(s): edge-agent config validate)` : '';
  const message =
    cls === 'required'
      ? `the declared checks in ${facts.file} cannot be read, so they cannot pass: ${first}${more}`
      : `${facts.file} is invalid; the checks ran with ${facts.dropped.includes(WHOLE_FILE) ? 'the defaults alone' : `the defaults for ${facts.dropped.join(', ')}`}: ${first}${more}`;
  return [{ id: 'config', class: cls, run: async () => ({ outcome: 'fail', reason: 'config-invalid', message }) }];
}
