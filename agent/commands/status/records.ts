// The per-boot records as `status` reads them: through the record store's read-only reader (the
// one schema, read leniently), never moving a bad record aside (that is the writers' job), nor
// opening this boot's record: status never writes.
import { failed, ok, type Probe } from '../../core/status/facts.js';
import { statusRecordOf, type StatusRecord } from '../../core/status/record.js';
import type { HostFs } from '../../host/fs.js';
import { readRecordDir } from '../../host/record-store.js';
import { describeFailure } from './limit.js';
import { compareCodeUnits } from '../../core/compare.js';

export interface StatusRecords {
  record: Probe<StatusRecord | undefined>;
  history: Probe<StatusRecord[]>;
}

export async function readStatusRecords(fs: HostFs, dir: string, bootId: string | undefined): Promise<StatusRecords> {
  try {
    return await readAll(fs, dir, bootId);
  } catch (error) {
    const why = describeFailure(`boot records in ${dir}`, error);
    return { record: why, history: why };
  }
}

async function readAll(fs: HostFs, dir: string, bootId: string | undefined): Promise<StatusRecords> {
  const files = await readRecordDir(fs, dir);
  const unreadable = files.filter((f) => f.read === 'unreadable').length;
  const shown = (f: (typeof files)[number]): StatusRecord | undefined =>
    f.read && f.read !== 'unreadable' ? statusRecordOf(f.read) : undefined;
  const history = files
    .flatMap((f) => shown(f) ?? [])
    .sort((a, b) => compareCodeUnits(b.firstSeenAt ?? '', a.firstSeenAt ?? ''));
  const id = bootId?.replaceAll('-', '');
  const own = files.find((f) => f.name === `${id}.json`);
  const record: Probe<StatusRecord | undefined> =
    own?.read === 'unreadable'
      ? failed('error', `this boot's record ${dir}/${id}.json cannot be read`)
      : ok(own && shown(own));
  return {
    record,
    history:
      unreadable && history.length === 0 ? failed('error', `${unreadable} boot records cannot be read`) : ok(history),
  };
}
