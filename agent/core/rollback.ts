// Noticing a rollback from the records alone, so the explanation survives a volatile journal.
// A rollback: the deployment booted now is not the one the last boots attempted, those boots were
// not declared good, and the device went *back*: the deployment booted now was their rollback
// deployment, or had been booted before them. (A new deployment is an update, not a rollback,
// even when the boot before it has no verdict, e.g. the agent was installed during that boot.)
import type { BootRecord, DeploymentRef, RollbackEvent } from './boot-record.js';
import { summarizeRequiredFailure } from './greenboot-journal.js';

export interface RollbackInput {
  /** The deployment booted now. */
  booted: DeploymentRef;
  /** Records of earlier boots, newest first (the current boot excluded). */
  earlier: readonly BootRecord[];
  detectedAt: string;
}

export function detectRollback(input: RollbackInput): RollbackEvent | undefined {
  const previous = input.earlier[0];
  if (!previous?.deployment?.checksum || !input.booted.checksum) return undefined;
  if (previous.deployment.checksum === input.booted.checksum) return undefined;
  if (previous.verdict === 'green') return undefined;
  // The run of boots that tried the other deployment, newest first, until a boot of another one.
  const tried = [];
  for (const record of input.earlier) {
    if (record.deployment?.checksum !== previous.deployment.checksum) break;
    tried.push(record);
  }
  const wentBack =
    tried.some((r) => r.rollbackDeployment?.checksum === input.booted.checksum) ||
    input.earlier.slice(tried.length).some((r) => r.deployment?.checksum === input.booted.checksum);
  if (!wentBack) return undefined;
  const failed = tried.filter((r) => r.verdict !== 'green');
  const firstFailed = failed.at(-1);
  const firstFailure =
    firstFailed?.firstFailure ?? firstRequiredFailure(firstFailed) ?? otherScriptFailure(firstFailed);
  // boot red prepares the rollback only on the last attempt, so the newest tried boot holds them.
  const preRollback = tried.find((r) => r.actions?.length)?.actions;
  const from = describe(previous.deployment);
  const to = describe(input.booted);
  const what = firstFailure?.reason === SCRIPT_FAILED ? 'greenboot script' : 'check';
  const why = firstFailure
    ? `; first failing ${what}: ${firstFailure.id}: ${firstFailure.message ?? firstFailure.reason}`
    : '; no check result was recorded';
  return {
    detectedAt: input.detectedAt,
    from: previous.deployment,
    to: input.booted,
    failedBoots: failed.length,
    firstFailure,
    // greenboot's check-fallback unsets boot_counter=-1 before any edge-agent run of this boot, so
    // the grubenv no longer shows the fallback; the last red boot's record does: it was the last
    // attempt, so GRUB, not a person, chose the old deployment.
    fallback: previous.verdict === 'red' && previous.rollbackImminent === true,
    ...(preRollback && { preRollback }),
    message: `rolled back from ${from} to ${to} after ${failed.length} failed boot${failed.length === 1 ? '' : 's'}${why}`,
  };
}

function firstRequiredFailure(record: BootRecord | undefined): RollbackEvent['firstFailure'] {
  const failed = record?.checks.required?.results.find(
    (r) => r.class === 'required' && r.outcome !== 'pass' && r.outcome !== 'skipped',
  );
  return failed ? { id: failed.id, reason: failed.reason, message: failed.message } : undefined;
}

const SCRIPT_FAILED = 'greenboot-script-failed';

/** The required greenboot script (not edge-agent's) that failed the boot, as boot red recorded it. */
function otherScriptFailure(record: BootRecord | undefined): RollbackEvent['firstFailure'] {
  const copy = record?.greenbootScripts;
  if (!copy?.firstRequiredFailure) return undefined;
  const run = {
    firstRequiredFailure: copy.firstRequiredFailure,
    scripts: copy.scripts.map((s) => ({ ...s, kind: s.kind as 'required', outcome: s.outcome as 'failure' })),
  };
  return { id: copy.firstRequiredFailure, reason: SCRIPT_FAILED, message: summarizeRequiredFailure(run) };
}

export function describe(d: DeploymentRef): string {
  const checksum = d.checksum ? d.checksum.slice(0, 7) : 'unknown';
  return d.version ? `${d.version} (${checksum})` : checksum;
}
