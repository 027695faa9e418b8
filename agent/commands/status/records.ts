// The per-boot records as `status` reads them: read-only, cheap (the lenient projection of
// core/status/record.ts instead of the full record schema), and never moving a bad record
// aside (that is the writers' job), nor opening this boot's record: status never writes.
import { failed, ok, type Probe } from '../../core/status/facts.js';
import { parseStatusRecord, type StatusRecord } from '../../core/status/record.js';
import type { HostFs } from '../../host/fs.js';
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
