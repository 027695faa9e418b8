// Which greenboot script is running now, and for how long, from the processes of
// greenboot-healthcheck.service. greenboot has no limit per script (bash 0.15.x runs each as
// `systemd-cat -t <name> bash <script>`, greenboot-rs 0.16 as `bash -C <script>`, both waiting for
// it to end; the unit is a oneshot, whose start has no timeout by default): a required script
// that hangs leaves the boot without a verdict until someone looks. This names it. Pure: the
// host adapter (host/greenboot-running.ts) reads the processes; everything in them comes from a
// vendor's script (names, arguments), so it is bounded and escaped here before anyone shows it.
import { terminalSafe } from './terminal-text.js';

export type RunningScriptKind = 'required' | 'wanted' | 'green' | 'red';

/** One process of the unit, as read from /proc (arguments already cut to a bounded size). */
export interface UnitProcess {
  pid: number;
  /** argv, NUL-separated in /proc/<pid>/cmdline. */
  argv: string[];
  /** Seconds since boot when the process started (/proc/<pid>/stat starttime / USER_HZ). */
  startedSec?: number;
}

export interface RunningScript {
  /** The script's file name, escaped and bounded. */
  name: string;
  kind: RunningScriptKind;
  /** Its directory (e.g. /etc/greenboot/check/required.d), escaped and bounded. */
  dir: string;
  pid: number;
  /** How long it has run, in whole seconds; undefined when its start time was not readable. */
  runningSec?: number;
  /** The same in ms, not rounded (to tell its start time the same way each look). */
  runningMs?: number;
}

export const NAME_CHARS = 120;
export const DIR_CHARS = 200;
/** More processes than this in the unit are not looked at (a fork bomb must not slow status). */
export const MAX_PROCESSES = 64;

// A script in one of greenboot's directories, under /usr/lib/greenboot or /etc/greenboot (or any
// root a vendor relocated them to): …/check/required.d/<name>, …/check/wanted.d/<name>,
// …/green.d/<name>, …/red.d/<name>.
const SCRIPT_PATH = /^(.*\/(?:check\/(required|wanted)\.d|(green|red)\.d))\/([^/]+)$/;
const SHELLS = new Set(['bash', 'sh']);

const bounded = (text: string, max: number) => {
  const safe = terminalSafe(text.length > max * 4 ? text.slice(0, max * 4) : text);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
};

/**
 * The greenboot script among the unit's processes: a shell whose argument is a script in a
 * greenboot directory (the script itself, not the `systemd-cat` or greenboot process around it,
 * nor what the script started). If several match (a script that runs another greenboot script),
 * the one started first is greenboot's.
 */
export function findRunningScript(processes: UnitProcess[], uptimeSec: number | undefined): RunningScript | undefined {
  let found: { p: UnitProcess; match: RegExpExecArray } | undefined;
  for (const p of processes.slice(0, MAX_PROCESSES)) {
    const [command, ...args] = p.argv;
    if (!command || !SHELLS.has(command.split('/').pop() ?? '')) continue;
    // The first argument that is not an option (`bash -C <script>`, `bash <script>`).
    const script = args.find((a) => !a.startsWith('-'));
    const match = script === undefined ? null : SCRIPT_PATH.exec(script);
    if (!match) continue;
    if (!found || (p.startedSec ?? Infinity) < (found.p.startedSec ?? Infinity)) found = { p, match };
  }
  if (!found) return undefined;
  const { p, match } = found;
  const kind = (match[2] ?? match[3]) as RunningScriptKind;
  const runningMs =
    p.startedSec !== undefined && uptimeSec !== undefined && uptimeSec >= p.startedSec
      ? Math.round((uptimeSec - p.startedSec) * 1000)
      : undefined;
  return {
    name: bounded(match[4] ?? '', NAME_CHARS),
    kind,
    dir: bounded(match[1] ?? '', DIR_CHARS),
    pid: p.pid,
    runningSec: runningMs === undefined ? undefined : Math.floor(runningMs / 1000),
    runningMs,
  };
}

/** "4 min 12 s", "45 s", "2 h 03 min". */
export function formatRunning(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The one line status, the daemon's snapshot and the hub show while greenboot's check runs. */
export function describeRunningScript(r: RunningScript): string {
  const how = r.runningSec === undefined ? '' : ` for ${formatRunning(r.runningSec)}`;
  const consequence =
    r.kind === 'required'
      ? 'a required script that never ends leaves the boot without a verdict, and a bad update is not rolled back'
      : `the boot's verdict waits until this ${r.kind} script ends`;
  return `greenboot: running ${r.name}${how}; greenboot has no limit per script: ${consequence}`;
}
