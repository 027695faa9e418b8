// `edge-agent boot green|red`: greenboot's green.d / red.d entry points. Both complete this
// boot's record (verdict, deployment, attempt, first failing check, time). red prepares
// MicroShift for the rollback only when the next boot is the rollback; green marks the booted
// deployment known-good and clears a restore marker edge-agent left behind. greenboot ignores
// these exit codes; ours still say what happened (0 done, 1 a step failed).
import { UsageError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';
import { firstFailure, type CheckResult } from '../../core/check-result.js';
import { describeRequiredFailure } from '../../core/greenboot-journal.js';
import { rollbackImminent } from '../../core/greenboot.js';
import { planPreRollback, RESTORE_MARKER } from '../../core/pre-rollback.js';
import { describe as describeDeployment } from '../../core/rollback.js';
import { gatherBootContext } from '../../host/greenboot-context.js';
import { noteBoot } from '../../host/open-boot-record.js';
import { readGreenbootScripts } from '../../host/greenboot-journal.js';
import { fillPreviousBootScripts, scriptsCopy } from '../../host/previous-boot-scripts.js';
import { applyPreRollback, OUR_MARKER_NOTE } from './pre-rollback.js';
import type { CommandMain, Deps } from '../types.js';

export const main: CommandMain = async ({ positionals }, deps) => {
  const verdict = positionals[0];
  if (verdict !== 'green' && verdict !== 'red')
    throw new UsageError(`expected 'green' or 'red' (got '${verdict ?? ''}')`);
  const { host, config, log } = deps;
  const context = await gatherBootContext(config, host, deps.signal);
  for (const warning of context.warnings) log.warn(warning);
  const records = await host.records();
  const { record } = await noteBoot(records, host.clock, log, {
    bootId: context.bootId,
    deployments: context.deployments,
  });
  const failed = firstFailure((record.checks.required?.results ?? []) as CheckResult[]);
  const at = new Date(host.clock.now()).toISOString();
  const deployment = record.deployment ? describeDeployment(record.deployment) : 'unknown deployment';
  const attempt = record.greenboot?.attempt
    ? `attempt ${record.greenboot.attempt} of ${record.greenboot.attempts}`
    : 'no update on trial';
  // green.d / red.d run after the checks, so greenboot's journal of this boot already names
  // every check script; red.d runs before the reboot, so the copy survives a volatile journal.
  const scripts = await readGreenbootScripts(host.exec, { boot: '0', signal: deps.signal });
  if (scripts.error) log.warn(`greenboot's scripts of this boot could not be read: ${scripts.error}`);
  await records.update(context.bootId, (r) => {
    r.greenbootScripts = scriptsCopy(scripts, at);
  });
  // The boot before may have ended before it kept its own copy (power cut): the journal may still have it.
  await fillPreviousBootScripts(
    { records, exec: host.exec, clock: host.clock, log, signal: deps.signal },
    context.bootId,
  );

  if (verdict === 'green') {
    await records.update(context.bootId, (r) => {
      r.verdict = 'green';
      r.verdictAt = at;
      r.knownGood = true;
    });
    log.info(
      { verdict: 'green', deployment: record.deployment?.checksum },
      `Boot is GREEN: ${deployment} (${attempt}) is known good`,
    );
    await clearOurRestoreMarker(deps);
    return ExitCode.Ok;
  }

  const imminent = context.grubenv
    ? rollbackImminent(context.budget.implementation, context.grubenv.bootCounter, context.grubenv.nextDeploymentId)
    : false;
  await records.update(context.bootId, (r) => {
    r.verdict = 'red';
    r.verdictAt = at;
    r.rollbackImminent = imminent;
    if (failed) r.firstFailure = { id: failed.id, reason: failed.reason, message: failed.message };
  });
  const other = scripts.run ? describeRequiredFailure(scripts.run) : undefined;
  const why = failed
    ? `first failing check: ${failed.id}: ${failed.message}`
    : (other ?? 'no failing edge-agent check was recorded (another greenboot script failed)');
  log.error(
    { verdict: 'red', deployment: record.deployment?.checksum },
    `Boot is RED: ${deployment} (${attempt}); ${why}`,
  );
  const plan = planPreRollback({
    imminent,
    microshiftInstalled: context.microshiftUnit !== 'absent',
    cleanupEnabled: config.preRollback.microshiftCleanup,
    rollbackDeploymentId: context.deployments?.rollback?.id,
    hooks: config.preRollback.hooks,
    grubenvError: context.grubenvError,
  });
  if (plan.note && plan.warning) {
    log.warn(`Pre-rollback skipped: ${plan.note}`);
    const now = new Date(host.clock.now()).toISOString();
    await records.update(context.bootId, (r) => {
      r.actions = [
        ...(r.actions ?? []),
        { id: 'pre-rollback', startedAt: now, endedAt: now, outcome: 'skipped', message: plan.note as string },
      ];
    });
  } else if (plan.note) log.info(`Pre-rollback: ${plan.note}`);
  if (plan.steps.length === 0) return ExitCode.Ok;
  log.warn(`The next boot is the rollback: preparing (${plan.steps.map((s) => s.id).join(', ')})`);
  const actions = await applyPreRollback(
    plan.steps,
    { ...host, log, bootId: context.bootId },
    {
      totalMs: config.preRollback.totalTimeoutSec * 1000,
      stepMs: config.preRollback.stepTimeoutSec * 1000,
    },
  );
  await records.update(context.bootId, (r) => {
    r.actions = [...(r.actions ?? []), ...actions];
  });
  return actions.some((a) => a.outcome === 'failed') ? ExitCode.Failed : ExitCode.Ok;
};

/** A restore marker edge-agent created before a rollback must not outlive its purpose. */
async function clearOurRestoreMarker({ host, log }: Deps): Promise<void> {
  const note = await host.fs.readText(OUR_MARKER_NOTE);
  if (note === undefined) return;
  if (await host.fs.exists(RESTORE_MARKER)) {
    await host.fs.remove(RESTORE_MARKER);
    log.info(`Removed the stale restore marker ${RESTORE_MARKER} that edge-agent created before the rollback`);
  }
  await host.fs.remove(OUR_MARKER_NOTE);
}
