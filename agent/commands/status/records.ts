// The per-boot records as `status` reads them: read-only, cheap (the lenient projection of
// core/status-record.ts instead of the full record schema), and never moving a bad record
// aside (that is the writers' job). As root, the first edge-agent run of a boot opens the
// record and looks for a rollback (noteBoot); status does that too when nothing has yet.
import { findDeploymentRoles, type Deployment } from '../../core/deployment.js';
import { failed, ok, type Probe } from '../../core/status-facts.js';
import { parseStatusRecord, type StatusRecord } from '../../core/status-record.js';
import type { Clock } from '../../host/clock.js';
import type { HostFs } from '../../host/fs.js';
import type { Logger } from '../../host/log.js';
import { describeFailure } from './limit.js';

export interface StatusRecords {
  record: Probe<StatusRecord | undefined>;
  history: Probe<StatusRecord[]>;
}

const RECORD_NAME = /^[0-9a-f]{32}\.json$/;

export async function readStatusRecords(fs: HostFs, dir: string, bootId: string | undefined): Promise<StatusRecords> {
  try {
    return await readAll(fs, dir, bootId);
  } catch (error) {
    const why = describeFailure(`boot records in ${dir}`, error);
    return { record: why, history: why };
  }
}

async function readAll(fs: HostFs, dir: string, bootId: string | undefined): Promise<StatusRecords> {
  const names = (await fs.list(dir)).filter((n) => RECORD_NAME.test(n));
  const records = await Promise.all(names.map(async (n) => ({ name: n, read: await readOne(fs, `${dir}/${n}`) })));
  const unreadable = records.filter((r) => r.read === 'unreadable').length;
  const history = records
    .flatMap((r) => (typeof r.read === 'object' ? [r.read] : []))
    .sort((a, b) => (b.firstSeenAt ?? '').localeCompare(a.firstSeenAt ?? ''));
  const id = bootId?.replaceAll('-', '');
  const own = records.find((r) => r.name === `${id}.json`)?.read;
  const record: Probe<StatusRecord | undefined> =
    own === 'unreadable' ? failed('error', `this boot's record ${dir}/${id}.json cannot be read`) : ok(own);
  return {
    record,
    history:
      unreadable && history.length === 0 ? failed('error', `${unreadable} boot records cannot be read`) : ok(history),
  };
}

async function readOne(fs: HostFs, path: string): Promise<StatusRecord | 'unreadable' | undefined> {
  const text = await fs.readText(path);
  if (text === undefined) return undefined;
  try {
    return parseStatusRecord(JSON.parse(text)) ?? 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** A record without `rollbackChecked` means no edge-agent run of this boot has looked for a rollback yet. */
export function needsNoteBoot(record: Probe<StatusRecord | undefined>): boolean {
  return record.state === 'ok' && !record.value?.rollbackChecked;
}

/** Open this boot's record and look for a rollback, as the first edge-agent run of a boot does. */
export async function noteThisBoot(
  deps: { fs: HostFs; clock: Clock; log: Logger },
  dir: string,
  bootId: string,
  deployments: Deployment[] | undefined,
): Promise<void> {
  const [{ noteBoot }, { createBootRecords }] = await Promise.all([
    import('../../host/boot-history.js'),
    import('../../host/boot-records.js'),
  ]);
  const records = createBootRecords({ fs: deps.fs, clock: deps.clock, dir, warn: (m) => deps.log.warn(m) });
  const set = deployments ? { deployments, ...findDeploymentRoles(deployments), warnings: [] } : undefined;
  await noteBoot(records, deps.clock, deps.log, { bootId, deployments: set });
}
