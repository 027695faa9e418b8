// Reads the processes of greenboot-healthcheck.service (its cgroup's cgroup.procs, then each
// one's /proc/<pid>/cmdline and stat) for core/greenboot-running.ts to name the script that runs.
// Every read is bounded in size (a script may have a 10 MB argument) and the whole look in time
// by the caller; a process that ends meanwhile is simply not there. Works as any user: these
// files are world-readable.
import { open } from 'node:fs/promises';
import { MAX_PROCESSES, findRunningScript, type RunningScript, type UnitProcess } from '../core/greenboot-running.js';
import type { HostFs } from './fs.js';

const UNIT = 'greenboot-healthcheck.service';
// cgroup v2 (RHEL 9), the v2 tree of a hybrid host, systemd's own v1 hierarchy.
const CGROUP_DIRS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/systemd'];
const PROCS_BYTES = 16 * 1024;
const CMDLINE_BYTES = 8 * 1024;
const STAT_BYTES = 4 * 1024;
// /proc/<pid>/stat counts in USER_HZ, which is 100 on every architecture RHEL ships.
const USER_HZ = 100;

/** At most `max` bytes of a file (proc files report size 0, so read until EOF or the bound). */
export async function readBounded(fs: HostFs, path: string, max: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(fs.resolve(path), 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(max);
    let length = 0;
    while (length < max) {
      const { bytesRead } = await handle.read(buffer, length, max - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Seconds since boot the process started: field 22 of stat, counted after the `(comm)` field. */
export function parseStartSec(stat: string | undefined): number | undefined {
  const end = stat?.lastIndexOf(')') ?? -1;
  if (!stat || end < 0) return undefined;
  // Fields from 3 on follow the command name; starttime is field 22.
  const ticks = Number(stat.slice(end + 2).split(' ')[19]);
  return Number.isFinite(ticks) && ticks >= 0 ? ticks / USER_HZ : undefined;
}

export async function readUnitProcesses(fs: HostFs, unit = UNIT): Promise<UnitProcess[] | undefined> {
  let procs: string | undefined;
  for (const dir of CGROUP_DIRS) {
    procs = await readBounded(fs, `${dir}/system.slice/${unit}/cgroup.procs`, PROCS_BYTES);
    if (procs !== undefined) break;
  }
  if (procs === undefined) return undefined;
  const pids = procs
    .split('\n')
    .filter((line) => /^\d{1,10}$/.test(line))
    .slice(0, MAX_PROCESSES)
    .map(Number);
  const processes = await Promise.all(
    pids.map(async (pid): Promise<UnitProcess | undefined> => {
      const [cmdline, stat] = await Promise.all([
        readBounded(fs, `/proc/${pid}/cmdline`, CMDLINE_BYTES),
        readBounded(fs, `/proc/${pid}/stat`, STAT_BYTES),
      ]);
      // Gone meanwhile, or a kernel thread (no arguments).
      if (!cmdline) return undefined;
      return { pid, argv: cmdline.replace(/\0$/, '').split('\0'), startedSec: parseStartSec(stat) };
    }),
  );
  return processes.filter((p) => p !== undefined);
}

/** The greenboot script running now, or undefined when none is (or the unit's cgroup is not there). */
export async function readGreenbootRunning(fs: HostFs): Promise<RunningScript | undefined> {
  const [processes, uptime] = await Promise.all([
    readUnitProcesses(fs),
    readBounded(fs, '/proc/uptime', 256).then((text) => Number.parseFloat(text ?? '')),
  ]);
  if (!processes) return undefined;
  return findRunningScript(processes, Number.isFinite(uptime) ? uptime : undefined);
}
