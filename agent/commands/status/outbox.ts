// Outbox counts for `status` when the daemon is not there to report them. Strictly read-only:
// openOutbox() repairs torn tails, evicts and tidies, which must never race the daemon, so this
// uses only the outbox's format scanners and its drop-counter parser.
import { failed, ok, type OutboxFacts, type Probe } from '../../core/status/facts.js';
import { isSegmentName, scanAcks, scanRecords } from '../../hub/outbox-records.js';
import type { HostFs } from '../../host/fs.js';
import { describeFailure } from './limit.js';

export async function readOutboxCounts(fs: HostFs, dir: string): Promise<Probe<OutboxFacts>> {
  try {
    const names = await fs.list(dir);
    if (names.length === 0) return ok({ queued: 0, dropped: 0 });
    const [acks, state] = await Promise.all([fs.readBytes(`${dir}/acks.log`), fs.readText(`${dir}/state.json`)]);
    const gone = new Set(scanAcks(acks ?? Buffer.alloc(0)).items);
    const live = new Set<number>();
    for (const name of names.filter(isSegmentName)) {
      const data = await fs.readBytes(`${dir}/${name}`);
      for (const record of scanRecords(data ?? Buffer.alloc(0)).items) if (!gone.has(record.seq)) live.add(record.seq);
    }
    const { parseDropState } = await import('../../hub/outbox-drops.js');
    return ok({ queued: live.size, dropped: parseDropState(state).state.total });
  } catch (error) {
    const why = describeFailure(`outbox ${dir}`, error);
    return why.state === 'ok' ? why : failed(why.state, why.note);
  }
}
