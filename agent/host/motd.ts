// The login message: one line with the verdict of this boot in /run/motd.d/ (pam_motd shows
// every file there at login; /run is emptied at boot, so a message never outlives its boot).
// Written by the green and red steps and refreshed by the daemon, from the same summary line as
// `edge-agent status`. greenboot-rs writes its own /etc/motd.d/boot-status; ours is separate.
import type { StatusResult } from '../core/status/schema.js';
import { motdText, summaryLine, type SummaryInput } from '../core/status/summary.js';
import type { Clock } from './clock.js';
import type { HostFs } from './fs.js';

export const MOTD_PATH = '/run/motd.d/50-edge-agent';

export interface MotdDeps {
  fs: HostFs;
  clock: Pick<Clock, 'now'>;
}

/**
 * Replace the login message atomically. `summary` is the summary line of a status result, a
 * status result itself, or what the caller knows (the green/red step: state, deployment, the
 * failed check). Throws StateWriteError when /run cannot be written; callers log and go on.
 */
export async function writeMotd(
  deps: MotdDeps,
  summary: string | SummaryInput | Pick<StatusResult, 'summary'>,
): Promise<string> {
  const line = typeof summary === 'string' ? summary : 'summary' in summary ? summary.summary : summaryLine(summary);
  const text = motdText(line, new Date(deps.clock.now()));
  await deps.fs.writeAtomic(MOTD_PATH, text, 0o644);
  return text;
}
