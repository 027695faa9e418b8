// What a check run produces. These shapes go into the per-boot record, the `--json` output and
// hub events, so they only ever grow: new fields are optional, old ones keep their meaning.
import { compareCodeUnits } from './compare.js';

export type CheckClass = 'required' | 'wanted';

/** terminated = the run was stopped by SIGTERM before the check decided. */
export type CheckOutcome = 'pass' | 'fail' | 'skipped' | 'timeout' | 'terminated';

/** What a check decided, before the runner adds identity and timing. */
export interface CheckReport {
  outcome: CheckOutcome;
  /** Stable machine code, e.g. `unit-failed`, `crash-loop`, `image-pull-failed`, `ok`. */
  reason: string;
  /** One sentence for people. */
  message: string;
  /** The last thing the check saw (small, JSON-serialisable). */
  observation?: Record<string, unknown>;
}

export interface CheckResult extends CheckReport {
  id: string;
  class: CheckClass;
  /** ISO-8601 times. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

export type RunVerdict = 'pass' | 'fail';

/** A required check that did not pass fails the run; wanted checks never do. */
export function decideRunVerdict(results: readonly CheckResult[]): RunVerdict {
  return results.some((r) => r.class === 'required' && r.outcome !== 'pass' && r.outcome !== 'skipped')
    ? 'fail'
    : 'pass';
}

/** The first required check that failed, for "first failing check: <id>: <reason>". */
export function firstFailure(results: readonly CheckResult[]): CheckResult | undefined {
  return [...results]
    .filter((r) => r.class === 'required' && r.outcome !== 'pass' && r.outcome !== 'skipped')
    .sort((a, b) => compareCodeUnits(a.endedAt, b.endedAt))[0];
}
