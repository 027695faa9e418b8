// The boot before this one may have ended before edge-agent copied greenboot's scripts into its
// record: a power cut, a hard reset or a hang after the checks, before red.d/green.d ran. With a
// persistent journal that boot's lines are still there, so a later boot copies them over, asking
// journalctl for that boot by its id (not `-b -1`: a boot edge-agent did not see in between
// would make -1 another boot). Done once: a failed read is kept as the copy's error.
import type { BootRecord } from '../core/boot-record.js';
import { detectRollback } from '../core/rollback.js';
import type { BootRecords } from './record-store.js';
import type { Clock } from './clock.js';
import type { Exec } from './exec.js';
import { readGreenbootScripts, type GreenbootJournalRead } from './greenboot-journal.js';
import type { Logger } from './log.js';

/** The record's copy of a journal read (also what `boot green` / `boot red` keep for their own boot). */
export function scriptsCopy(read: GreenbootJournalRead, readAt: string): NonNullable<BootRecord['greenbootScripts']> {
  return {
    readAt,
    scripts: (read.run?.scripts ?? []).map((s) => ({ ...s })),
    ...(read.run?.firstRequiredFailure !== undefined && { firstRequiredFailure: read.run.firstRequiredFailure }),
    ...(read.error !== undefined && { error: read.error }),
  };
}

export interface PreviousScriptsDeps {
  records: BootRecords;
  exec: Exec;
  clock: Clock;
  log: Logger;
  signal?: AbortSignal;
}

/** Copy the previous boot's scripts into its record when it has none; returns that boot's id when it did. */
export async function fillPreviousBootScripts(deps: PreviousScriptsDeps, bootId: string): Promise<string | undefined> {
  const current = bootId.replaceAll('-', '');
  const all = await deps.records.list();
  const previous = all.find((r) => r.bootId !== current);
  if (!previous || previous.greenbootScripts) return undefined;
  const read = await readGreenbootScripts(deps.exec, { boot: previous.bootId, signal: deps.signal, timeoutMs: 10_000 });
  const at = new Date(deps.clock.now()).toISOString();
  await deps.records.update(previous.bootId, (r) => {
    // Another run of this boot may have copied it meanwhile.
    if (!r.greenbootScripts) r.greenbootScripts = { ...scriptsCopy(read, at), fromLaterBoot: current };
  });
  if (read.error) {
    deps.log.warn(`greenboot's scripts of the previous boot ${previous.bootId} could not be read: ${read.error}`);
    return previous.bootId;
  }
  deps.log.info(
    `greenboot's scripts of the previous boot ${previous.bootId} were not in its record: copied from the journal`,
  );
  await renameRollbackCause(deps, current);
  return previous.bootId;
}

/**
 * A rollback this boot noticed before the copy existed says "no check result was recorded"; with
 * the failed boot's scripts now known, say which script failed. The detection time is kept.
 */
async function renameRollbackCause(deps: PreviousScriptsDeps, current: string): Promise<void> {
  const record = await deps.records.read(current);
  const rollback = record?.rollback;
  if (!rollback || rollback.firstFailure || !record.deployment) return;
  const earlier = (await deps.records.list()).filter((r) => r.bootId !== current);
  const again = detectRollback({ booted: record.deployment, earlier, detectedAt: rollback.detectedAt });
  if (!again?.firstFailure) return;
  await deps.records.update(current, (r) => {
    if (r.rollback && !r.rollback.firstFailure)
      r.rollback = { ...r.rollback, firstFailure: again.firstFailure, message: again.message };
  });
}
