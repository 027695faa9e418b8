// Host-side views of a virtual device's processes, for assertions: every process with its comm,
// parent and cgroup (hence its systemd unit), and the processes of CRI-O's pods as the stand-in
// recorded them in /run/crio-sim/pods.json. Read through the device's /proc from the host, so
// pids are the device's own. What it leaves out: threads, zombies (listed as gone).
import { readdir, readFile } from 'node:fs/promises';
import type { VirtualDevice } from '../vdev.js';
import type { SimState } from './model.js';
import { crioPaths } from './paths.js';
import { parseStat } from './runtime.js';

export interface DeviceProcess {
  pid: number;
  ppid: number;
  comm: string;
  /** The cgroup path in the device, e.g. /kubepods.slice/.../crio-conmon-<id>.scope. */
  cgroup: string;
  startTicks: number;
}

export async function readProcess(device: VirtualDevice, pid: number): Promise<DeviceProcess | undefined> {
  try {
    const [stat, cgroup] = await Promise.all([
      readFile(device.path(`/proc/${pid}/stat`), 'utf8'),
      readFile(device.path(`/proc/${pid}/cgroup`), 'utf8'),
    ]);
    const parsed = parseStat(stat);
    if (parsed.state === 'Z') return undefined;
    return { pid, ppid: parsed.ppid, comm: parsed.comm, cgroup: deviceCgroup(cgroup), startTicks: parsed.startTicks };
  } catch {
    return undefined;
  }
}

/** Read from the host, a cgroup path starts at the device's own cgroup (vdev.ts): cut that off. */
function deviceCgroup(text: string): string {
  const unified = text.split('\n').find((line) => line.startsWith('0::')) ?? '';
  return unified.slice(3).replace(/^.*\/edge-vdev\/[^/]+/, '') || '/';
}

/** Every live process of the device, optionally only those with one of the given comm names. */
export async function listProcesses(device: VirtualDevice, comms?: readonly string[]): Promise<DeviceProcess[]> {
  const pids = (await readdir(device.path('/proc'))).filter((name) => /^\d+$/.test(name)).map(Number);
  const all = await Promise.all(pids.map((pid) => readProcess(device, pid)));
  return all
    .filter((p): p is DeviceProcess => p !== undefined && (!comms || comms.includes(p.comm)))
    .sort((a, b) => a.pid - b.pid);
}

export async function readCrioState(device: VirtualDevice): Promise<SimState> {
  try {
    return JSON.parse(await device.readFile(crioPaths.state)) as SimState;
  } catch {
    return { format: 1, pods: [] };
  }
}

export type CrioRole = 'pause' | 'conmon' | 'container';

export interface CrioProcess {
  role: CrioRole;
  pid: number;
  podId: string;
  namespace: string;
  pod: string;
  /** The container's id and name (for a pause process and its conmon: the sandbox's id and `POD`). */
  containerId: string;
  container: string;
  /** What the device's /proc says now; undefined when the process is gone. */
  live?: DeviceProcess;
}

/** The processes of every pod CRI-O knows, as the stand-in recorded them, with their live state. */
export async function listCrioProcesses(device: VirtualDevice): Promise<CrioProcess[]> {
  const state = await readCrioState(device);
  const out: Omit<CrioProcess, 'live'>[] = [];
  for (const pod of state.pods) {
    const base = { podId: pod.id, namespace: pod.metadata.namespace, pod: pod.metadata.name };
    if (pod.infra) {
      out.push({ ...base, role: 'pause', pid: pod.infra.process.pid, containerId: pod.id, container: 'POD' });
      out.push({ ...base, role: 'conmon', pid: pod.infra.conmonPid, containerId: pod.id, container: 'POD' });
    }
    for (const c of pod.containers) {
      out.push({ ...base, role: 'container', pid: c.process.pid, containerId: c.id, container: c.name });
      out.push({ ...base, role: 'conmon', pid: c.conmonPid, containerId: c.id, container: c.name });
    }
  }
  return Promise.all(out.map(async (p) => ({ ...p, live: await readProcess(device, p.pid) })));
}
