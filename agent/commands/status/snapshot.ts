// `status` from the daemon's snapshot (core/status/snapshot.ts): two small reads and the
// formatting, nothing gathered. Used first by the launcher's front (agent/front.ts), where no Host
// exists yet, and by the full command (source.ts), hence the plain read function.
import { formatStatus } from '../../core/status/output.js';
import { readSnapshot, STATUS_SNAPSHOT_PATH } from '../../core/status/snapshot.js';
import type { StatusView } from '../../core/status/view.js';
import type { StatusAnswer } from '../../host/status-socket.js';

const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

/** `read` returns a host path's text, or undefined when it cannot be read (missing, not allowed). */
export async function answerFromSnapshot(
  read: (path: string) => Promise<string | undefined>,
  view: StatusView,
  now: number,
): Promise<StatusAnswer | undefined> {
  const [text, bootId] = await Promise.all([read(STATUS_SNAPSHOT_PATH), read(BOOT_ID_PATH)]);
  const result = readSnapshot(text, bootId, now);
  return result && { exitCode: result.exitCode, output: formatStatus(result, view) };
}
