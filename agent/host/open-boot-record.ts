// The first run of edge-agent in a boot (the check, the green/red step, `status` or the daemon,
// whichever comes first) opens this boot's record with the booted deployment and looks back
// through earlier records for a rollback. Later runs find `rollbackChecked` and skip the look.
import { detectRollback } from '../core/rollback.js';
import type { BootRecord, DeploymentRef, RollbackEvent } from '../core/boot-record.js';
import type { DeploymentSet } from '../core/deployment.js';
import type { BootRecords } from './record-store.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';

export interface NoteBootInput {
  bootId: string;
  deployments?: DeploymentSet;
}

export interface NotedBoot {
  record: BootRecord;
  /** Set only by the run that detected the rollback (so it is reported once). */
  newRollback?: RollbackEvent;
}

export async function noteBoot(
  records: BootRecords,
  clock: Clock,
  log: Logger,
  input: NoteBootInput,
): Promise<NotedBoot> {
  const earlier = (await records.list()).filter((r) => r.bootId !== input.bootId.replaceAll('-', ''));
  let newRollback: RollbackEvent | undefined;
  const record = await records.update(input.bootId, (r) => {
    const set = input.deployments;
    if (set?.booted) r.deployment = ref(set.booted);
    if (set?.staged) r.staged = ref(set.staged);
    else delete r.staged;
    if (set?.rollback) r.rollbackDeployment = ref(set.rollback);
    if (r.rollbackChecked || !r.deployment) return;
    r.rollbackChecked = true;
    const found = detectRollback({ booted: r.deployment, earlier, detectedAt: new Date(clock.now()).toISOString() });
    if (found) {
      r.rollback = found;
      newRollback = found;
    }
  });
  if (newRollback)
    log.error(
      { event: 'rollback-detected', deployment: newRollback.to.checksum },
      `Rollback detected: ${newRollback.message}`,
    );
  return { record, newRollback };
}

function ref(d: {
  checksum: string;
  version?: string;
  origin?: string;
  containerImageReference?: string;
}): DeploymentRef {
  return {
    checksum: d.checksum,
    version: d.version,
    origin: d.origin,
    containerImageReference: d.containerImageReference,
  };
}
