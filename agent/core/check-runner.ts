// Runs checks concurrently under one signal. The first required check that fails ends the run,
// as greenboot >= 0.15.8 does for scripts: the others are stopped and recorded as skipped.
// SIGTERM (the caller's signal) stops everything; unfinished checks are recorded as terminated.
import type { CheckClass, CheckReport, CheckResult } from './check-result.js';

export interface CheckContext {
  signal: AbortSignal;
}

export interface RunnableCheck {
  id: string;
  class: CheckClass;
  run(context: CheckContext): Promise<CheckReport>;
}

export interface RunnerClock {
  now(): number;
  monotonic(): number;
}

export interface RunnerHooks {
  onStart?(check: RunnableCheck): void;
  onResult?(result: CheckResult): void;
}

export async function runChecks(
  checks: readonly RunnableCheck[],
  clock: RunnerClock,
  signal: AbortSignal,
  hooks: RunnerHooks = {},
): Promise<CheckResult[]> {
  const stopAll = new AbortController();
  const onAbort = () => stopAll.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stopAll.abort(signal.reason);
  let firstFailure: string | undefined;
  try {
    const results = await Promise.all(
      checks.map(async (check): Promise<CheckResult> => {
        const started = clock.now();
        const t0 = clock.monotonic();
        hooks.onStart?.(check);
        let report: CheckReport;
        if (stopAll.signal.aborted) {
          report = stoppedReport(signal, firstFailure);
        } else {
          try {
            report = await check.run({ signal: stopAll.signal });
          } catch (error) {
            report = {
              outcome: 'fail',
              reason: 'check-error',
              message: `check could not run: ${(error as Error).message}`,
            };
          }
          // A check that returns because it was stopped is reported as stopped, not as its guess;
          // what it last saw is kept, it says why the check had not decided yet.
          if (stopAll.signal.aborted && report.outcome !== 'pass' && report.outcome !== 'fail')
            report = {
              ...stoppedReport(signal, firstFailure),
              ...(report.observation && { observation: report.observation }),
            };
        }
        const result: CheckResult = {
          id: check.id,
          class: check.class,
          startedAt: new Date(started).toISOString(),
          endedAt: new Date(clock.now()).toISOString(),
          durationMs: Math.round(clock.monotonic() - t0),
          ...report,
        };
        if (
          check.class === 'required' &&
          (report.outcome === 'fail' || report.outcome === 'timeout') &&
          !firstFailure
        ) {
          firstFailure = check.id;
          stopAll.abort(new Error(`required check ${check.id} failed`));
        }
        hooks.onResult?.(result);
        return result;
      }),
    );
    return results;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function stoppedReport(signal: AbortSignal, firstFailure: string | undefined): CheckReport {
  if (signal.aborted)
    return {
      outcome: 'terminated',
      reason: 'terminated',
      message: `stopped by ${String(signal.reason ?? 'a signal')} before deciding`,
    };
  return {
    outcome: 'skipped',
    reason: 'stopped-after-failure',
    message: `not finished: required check ${firstFailure ?? '?'} already failed`,
  };
}
