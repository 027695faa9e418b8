// How the CRI-O stand-in's daemon starts and ends the processes of containers (runs inside the
// device, as root).
//
// What it simulates: CRI-O with the systemd cgroup manager: conmon runs in its own transient
// scope `crio-conmon-<id>.scope`, the container in `crio-<id>.scope`, both under the pod's
// `kubepods-burstable-pod<uid>.slice`, so stopping crio.service or microshift.service leaves
// them running. conmon (the script at /usr/bin/conmon) daemonizes, is the parent of the
// container's main process and writes its exit code when it ends. Stopping a container sends
// SIGTERM and, after a grace period, SIGKILL, as runc kill does. What it leaves out: runc,
// namespaces, mounts, networking; a container's main process is a copy of sleep named like the
// real program.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { crioPaths } from './paths.js';
import type { ProcessRef } from './model.js';

export interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
  startTicks: number;
}

/** /proc/<pid>/stat: the comm is in parentheses and may itself contain spaces and parentheses. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return {
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    startTicks: Number(rest[19]),
  };
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The process still runs and is the same one (a zombie or a reused pid is not). */
export function isRunning(ref: ProcessRef): boolean {
  if (ref.pid <= 0) return false;
  const stat = readStat(ref.pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTicks === ref.startTicks;
}

/** A copy of sleep named `name` (comm comes from the executable's file name). */
export function ensureExecutable(name: string): string {
  const path = `${crioPaths.binDir}/${name}`;
  if (!existsSync(path)) {
    mkdirSync(crioPaths.binDir, { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    // libuv's copyfile keeps the mode; the rename makes a concurrent copy of the same name harmless.
    copyFileSync('/usr/bin/sleep', temp);
    renameSync(temp, path);
  }
  return path;
}

export interface ConmonSpec {
  id: string;
  /** conmon's -n: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>. */
  name: string;
  executable: string;
  args: string[];
  slice: string;
  /** Scope unit prefixes: `crio` for CRI-O (crio-conmon-<id>, crio-<id>), `libpod` for podman. */
  scopePrefix: 'crio' | 'libpod';
  stateDir: string;
  exitDir: string;
}

export interface Started {
  process: ProcessRef;
  conmonPid: number;
}

/** The systemd-run argv that starts conmon for a container (also used for podman containers). */
export function conmonArgv(spec: ConmonSpec): string[] {
  return [
    'systemd-run',
    '--scope',
    '--quiet',
    '--collect',
    `--unit=${spec.scopePrefix}-conmon-${spec.id}.scope`,
    `--slice=${spec.slice}`,
    '--',
    crioPaths.conmon,
    '--api-version',
    '1',
    '-c',
    spec.id,
    '-u',
    spec.id,
    '-n',
    spec.name,
    '-P',
    `${spec.stateDir}/conmon-pidfile`,
    '-p',
    `${spec.stateDir}/pidfile`,
    '--exit-dir',
    spec.exitDir,
    '--cgroup-unit',
    `${spec.scopePrefix}-${spec.id}.scope`,
    '--cgroup-slice',
    spec.slice,
    '--',
    spec.executable,
    ...spec.args,
  ];
}

/** Start a container under conmon; resolves once its main process runs the executable. */
export async function startUnderConmon(spec: ConmonSpec): Promise<Started> {
  mkdirSync(spec.stateDir, { recursive: true });
  mkdirSync(spec.exitDir, { recursive: true });
  const [file, ...args] = conmonArgv(spec);
  await new Promise<void>((resolve, reject) => {
    execFile(file!, args, { timeout: 15_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`conmon for ${spec.id} failed: ${stderr || error.message}`)) : resolve(),
    );
  });
  const conmonPid = Number(readFileSync(`${spec.stateDir}/conmon-pidfile`, 'utf8').trim());
  const pid = Number(readFileSync(`${spec.stateDir}/pidfile`, 'utf8').trim());
  // The pidfile names the process before it has exec'd systemd-run and then the executable.
  const want = (spec.executable.split('/').pop() ?? '').slice(0, 15);
  const deadline = Date.now() + 5000;
  for (;;) {
    const stat = readStat(pid);
    if (stat?.comm === want) return { process: { pid, startTicks: stat.startTicks }, conmonPid };
    if (!stat || Date.now() > deadline) throw new Error(`container ${spec.id}: process ${pid} did not become ${want}`);
    await sleep(5);
  }
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
export async function stopProcess(ref: ProcessRef, graceMs: number): Promise<void> {
  if (!isRunning(ref)) return;
  signal(ref.pid, 'SIGTERM');
  const killAt = Date.now() + graceMs;
  let killed = false;
  while (isRunning(ref)) {
    if (!killed && Date.now() >= killAt) {
      signal(ref.pid, 'SIGKILL');
      killed = true;
    }
    await sleep(10);
  }
}

/** Wait a little for a process (conmon after its container) to end by itself, then kill it. */
export async function reap(pid: number, waitMs: number): Promise<void> {
  const stat = readStat(pid);
  if (!stat) return;
  const ref = { pid, startTicks: stat.startTicks };
  const deadline = Date.now() + waitMs;
  while (isRunning(ref) && Date.now() < deadline) await sleep(10);
  if (isRunning(ref)) await stopProcess(ref, 0);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The exit code conmon recorded for a container, if it has ended. */
export function exitCodeOf(id: string): number | undefined {
  try {
    return Number(readFileSync(`${crioPaths.exitsDir}/${id}`, 'utf8').trim());
  } catch {
    return undefined;
  }
}
