// greenboot's journal of one boot, through journalctl: the units that run greenboot's scripts
// (required and wanted under greenboot-healthcheck, green.d and red.d under the task runners).
// Bounded in time (journalctl is killed after READ_TIMEOUT_MS) and in size (the last MAX_ENTRIES
// entries; journalctl's JSON prints a field over 4096 bytes as null unless --all is given, so
// one entry stays small).
import { parseGreenbootJournal, type GreenbootScriptsRun } from '../core/greenboot-journal.js';
import type { Exec } from './exec.js';

export const GREENBOOT_SCRIPT_UNITS = [
  'greenboot-healthcheck.service',
  'greenboot-task-runner.service',
  'redboot-task-runner.service',
];
const READ_TIMEOUT_MS = 15_000;
const MAX_ENTRIES = 4000;

export interface GreenbootJournalRead {
  run?: GreenbootScriptsRun;
  /** Why nothing could be read. */
  error?: string;
}

/** `boot`: journalctl's boot offset ("0" this boot, "-1" the one before) or a boot id. */
export async function readGreenbootScripts(
  exec: Exec,
  options: { boot: string; signal?: AbortSignal; timeoutMs?: number },
): Promise<GreenbootJournalRead> {
  const units = GREENBOOT_SCRIPT_UNITS.map((u) => `_SYSTEMD_UNIT=${u}`);
  const first = await query(exec, options, units);
  if (!first.run) return first;
  // A script that exits at once may leave lines without _SYSTEMD_UNIT (journald looks the unit up
  // from a PID that is gone by then), so the failed scripts' own identifiers are asked for too,
  // ORed with the units ("+"). Only names that came through unescaped can be matched exactly.
  const failed = [...new Set(first.run.scripts.filter((s) => s.outcome === 'failure').map((s) => s.name))]
    .filter((n) => !n.includes('\\') && !n.endsWith('…'))
    .slice(0, MAX_IDENTIFIERS);
  if (failed.length === 0) return first;
  // journald reads each stream on its own: under load a failed script's own lines (its stdout
  // stream) can be stored after greenboot's FAILURE line, and green.d / red.d then run before
  // them. `journalctl --sync` returns once everything logged before it is stored (as root, which
  // the verdict scripts are; otherwise it fails and the read goes on without it). Seen once in a
  // CI run under a CPU hog: a wanted script's "update server unreachable" missing from the record.
  if (options.boot === '0' && first.run.scripts.some((s) => s.outcome === 'failure' && !s.lastLines))
    await exec
      .run('journalctl', ['--sync'], { timeoutMs: SYNC_TIMEOUT_MS, signal: options.signal })
      .catch(() => undefined);
  const second = await query(exec, options, [...units, '+', ...failed.map((n) => `SYSLOG_IDENTIFIER=${n}`)]);
  return second.run ? second : first;
}

const MAX_IDENTIFIERS = 20;
const SYNC_TIMEOUT_MS = 5_000;

async function query(
  exec: Exec,
  options: { boot: string; signal?: AbortSignal; timeoutMs?: number },
  matches: string[],
): Promise<GreenbootJournalRead> {
  const args = ['-o', 'json', '--no-pager', '-q', '-b', options.boot, '-n', String(MAX_ENTRIES), ...matches];
  const timeoutMs = options.timeoutMs ?? READ_TIMEOUT_MS;
  let result;
  try {
    result = await exec.run('journalctl', args, { timeoutMs, signal: options.signal });
  } catch (error) {
    return { error: `journalctl: ${(error as Error).message}` };
  }
  if (result.timedOut) return { error: `journalctl did not answer within ${timeoutMs / 1000} s` };
  // journalctl exits 1 when the boot is not in the journal (volatile journal, -b -1 on a first boot).
  if (result.exitCode !== 0)
    return { error: `journalctl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}` };
  return { run: parseGreenbootJournal(result.stdout.split('\n')) };
}
