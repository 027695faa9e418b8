// `edge-agent check [--class required|wanted] [--dry-run] [--json]`: run the health checks of
// this boot. greenboot's contract: exit 0 = pass, 1 = fail. The run is recorded atomically in
// this boot's record before the process exits, also when SIGTERM stops it (--dry-run records
// nothing and never touches the grubenv, which edge-agent never writes anyway).
import { describeError, UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { formatWaitBudget } from '../../core/budget.js';
import { decideRunVerdict, type CheckClass, type CheckResult } from '../../core/check-result.js';
import { runChecks } from '../../core/check-runner.js';
import { planChecks } from '../../core/plan-checks.js';
import { checkSummaryLine, renderCheckRun } from '../../core/render-check.js';
import { gatherBootContext, type BootContext } from '../../host/greenboot-context.js';
import { noteBoot } from '../../host/open-boot-record.js';
import { buildChecks, WANTED_BUILTINS } from './build.js';
import { createConfigFallbackChecks } from './config-fallback.js';
import type { CheckDeps } from './check-deps.js';
import { armProcessDeadline, testDeadlineMs } from '../../host/deadline.js';
import { describeChecksPhase, limitAfterBudget, type Deadline } from '../../core/deadline.js';
import type { CommandMain, Deps } from '../types.js';
import { noteRecordWriteFailure } from '../../host/record-write-failure.js';

export const main: CommandMain = async ({ flags }, deps) => {
  const { host, config, log, signal } = deps;
  const classFilter = parseClass(flags.class);
  const dryRun = Boolean(flags['dry-run']);
  const timeoutSec = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeoutSec !== undefined && !(Number.isInteger(timeoutSec) && timeoutSec > 0))
    throw new UsageError(`--timeout must be a positive number of seconds (got '${String(flags.timeout)}')`);
  if (timeoutSec !== undefined && !dryRun)
    throw new UsageError('--timeout only goes with --dry-run: a boot verdict always gets the full wait budget');
  const checkDeps: CheckDeps = { ...host, log };
  const deadline = armDeadline(deps, classFilter, dryRun);
  try {
    deadline?.enter(
      'gathering the boot context (boot id, grubenv, greenboot.conf, rpm-ostree status, MicroShift unit)',
    );
    const context = await gatherBootContext(config, host, signal);
    for (const warning of context.warnings) log.warn(warning);
    // The first run of a boot opens its record and looks for a rollback (not on a dry run:
    // that writes nothing).
    deadline?.enter('opening the boot record');
    if (!dryRun)
      await keepVerdict(deps, "open this boot's record", async () =>
        noteBoot(await host.records(), host.clock, log, {
          bootId: context.bootId,
          deployments: context.deployments,
        }),
      );
    const budgetLine = formatWaitBudget(context.budget);
    log.info({ attempt: context.budget.attempt, budget: context.budget.budgetSec }, budgetLine);
    if (deadline) {
      const { limitMs, why } = limitAfterBudget(deadline.elapsedMs(), context.budget.budgetSec);
      const test = testDeadlineMs(host.env);
      deadline.limit(test ?? limitMs, test === undefined ? why : 'EDGE_AGENT_TEST_DEADLINE_MS');
    }
    const plan = planChecks(
      {
        classFilter,
        microshiftMode: config.microshift.check,
        workloads: config.microshift.workloads,
        declared: config.checks,
        wantedBuiltins: WANTED_BUILTINS,
      },
      { microshiftUnit: context.microshiftUnit, lvmsExpected: context.lvmsExpected, disabled: config.disabledChecks },
    );
    const startedAt = new Date(host.clock.now()).toISOString();
    // --timeout (dry runs only) stops every check at once; what did not decide counts as a timeout.
    const cap = timeoutSec === undefined ? undefined : AbortSignal.timeout(timeoutSec * 1000);
    const runSignal = cap ? AbortSignal.any([signal, cap]) : signal;
    const checks = [
      ...(deps.configFallback ? createConfigFallbackChecks(deps.configFallback, classFilter) : []),
      ...buildChecks(plan, config, context, checkDeps),
    ];
    const pending = checks.map((c) => c.id);
    deadline?.enter(describeChecksPhase(pending));
    const results = (
      await runChecks(checks, host.clock, runSignal, {
        onResult: (r) => {
          if (pending.includes(r.id)) pending.splice(pending.indexOf(r.id), 1);
          deadline?.enter(describeChecksPhase(pending));
          logResult(deps, r, context);
        },
      })
    ).map((r) =>
      cap?.aborted && !signal.aborted && r.outcome === 'terminated'
        ? {
            ...r,
            outcome: 'timeout' as const,
            reason: 'dry-run-timeout',
            message: `not decided within --timeout ${timeoutSec}s${waitingFor(r)}`,
          }
        : r,
    );
    const verdict = decideRunVerdict(results);
    const terminated = results.some((r) => r.outcome === 'terminated');
    deadline?.enter('writing the result to the boot record');
    if (!dryRun)
      await keepVerdict(deps, 'record this run', () => record(deps, context, classFilter, startedAt, verdict, results));
    deadline?.enter('closing connections');
    const view = {
      bootId: context.bootId,
      classFilter,
      dryRun,
      verdict,
      budgetLine,
      results,
      warnings: context.warnings,
    };
    deps.out(
      flags.json
        ? `${JSON.stringify({ schema: 1, ...view, budget: context.budget, attempt: context.budget.attempt }, null, 2)}\n`
        : renderCheckRun(view),
    );
    const wantedFailed =
      classFilter === 'wanted' && results.some((r) => r.outcome === 'fail' || r.outcome === 'timeout');
    if (terminated) return ExitCode.Terminated;
    if (verdict === 'fail') log.error(`Required checks FAILED: the boot is not healthy`);
    return verdict === 'fail' || wantedFailed ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    deadline?.stop();
  }
};

/**
 * Only a boot verdict gets a deadline (`--class required`, not a dry run): that is the run greenboot
 * waits for without end. main.ts arms it before loading the config; a caller that did not (a test
 * calling main directly) gets one from here.
 */
function armDeadline(deps: Deps, classFilter: CheckClass | undefined, dryRun: boolean): Deadline | undefined {
  if (classFilter !== 'required' || dryRun) return undefined;
  if (deps.deadline) return deps.deadline;
  if (!deps.exit) return undefined;
  return armProcessDeadline({ log: () => deps.log, exit: deps.exit, env: deps.host.env });
}

/** What a check stopped early was still waiting for, e.g. why the MicroShift API could not be asked. */
function waitingFor(result: CheckResult): string {
  const text = result.observation?.waitingFor;
  return typeof text === 'string' ? `: ${text}` : '';
}

/**
 * greenboot reads any non-zero exit as RED and rolls a healthy update back: a record that cannot
 * be written (/var full, read-only) must not decide the boot. The failure goes to the journal as
 * an error; the checks' own result still decides the exit code.
 */
async function keepVerdict({ log, host }: Deps, what: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    const { line } = describeError(error);
    log.error({ event: 'record-write-failed' }, `Could not ${what} (the checks decide the verdict anyway): ${line}`);
    // /var may be the file system that failed: `status` learns of it from a note in /run.
    await noteRecordWriteFailure(host.fs, what, error, host.clock.now(), (m) => log.warn(m));
  }
}

function parseClass(value: unknown): CheckClass | undefined {
  if (value === undefined) return undefined;
  if (value === 'required' || value === 'wanted') return value;
  throw new UsageError(`--class must be 'required' or 'wanted' (got '${String(value)}')`);
}

function logResult({ log }: Deps, result: CheckResult, context: BootContext): void {
  const fields = {
    check: result.id,
    outcome: result.outcome,
    reason: result.reason,
    attempt: context.budget.attempt,
    deployment: context.deployments?.booted?.checksum,
  };
  const line = checkSummaryLine(result);
  if (result.outcome === 'pass' || result.outcome === 'skipped') log.info(fields, line);
  else if (result.class === 'wanted') log.warn(fields, line);
  else log.error(fields, line);
}

async function record(
  deps: Deps,
  context: BootContext,
  classFilter: CheckClass | undefined,
  startedAt: string,
  verdict: 'pass' | 'fail',
  results: CheckResult[],
): Promise<void> {
  const { host, config } = deps;
  const records = await host.records();
  const endedAt = new Date(host.clock.now()).toISOString();
  await records.update(context.bootId, (r) => {
    for (const cls of classFilter ? [classFilter] : (['required', 'wanted'] as const)) {
      const own = results.filter((x) => x.class === cls);
      r.checks[cls] = {
        startedAt,
        endedAt,
        verdict:
          cls === 'required'
            ? verdict
            : own.some((x) => x.outcome === 'fail' || x.outcome === 'timeout')
              ? 'fail'
              : 'pass',
        results: own as NonNullable<typeof r.checks.required>['results'],
      };
    }
    r.grubenv = { bootCounter: context.grubenv?.bootCounter, bootSuccess: context.grubenv?.bootSuccess };
    r.greenboot = {
      implementation: context.implementation,
      maxBootAttempts: context.budget.max,
      attempt: context.budget.attempt,
      attempts: context.budget.attempts,
    };
    r.budget = { budgetSec: context.budget.budgetSec, line: formatWaitBudget(context.budget) };
  });
  await records.prune(config.boots.keep);
}
