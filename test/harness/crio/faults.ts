// Scripted faults of the CRI-O stand-in: StopPodSandbox and RemovePodSandbox of a pod fail a
// number of times, or take a while (or "forever") before they act, so that a cleanup's retries
// and time limits can be tested.
//
// What it simulates: the way pod removal really fails on MicroShift: the CNI DEL of a pod fails
// while OVN-Kubernetes is down (hence "openshift-ovn-kubernetes last"), and a stop that blocks
// (crictl then gives up at its --timeout with DeadlineExceeded while CRI-O carries on). Faults
// are read from /run/crio-sim/faults.json at each call; counts are written back as they are used.
// What it leaves out: faults of other calls (listing and status always answer).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { crioPaths } from './paths.js';
import type { SimPod } from './model.js';

export type FaultCall = 'stop' | 'remove';

export interface CrioFault {
  /** Which pods: every given field must match (id by prefix, as crictl ids are). */
  namespace?: string;
  name?: string;
  id?: string;
  /** Which calls; default both (`crictl rmp -f` of a ready pod makes both). */
  calls?: FaultCall[];
  /** Fail this many calls with `message` (Unknown), then behave. */
  failTimes?: number;
  /** Each call first waits this long (then fails or acts); with a crictl --timeout shorter than
   * this the client sees DeadlineExceeded. */
  hangMs?: number;
  /** Hang only this many calls (default: every call). */
  hangTimes?: number;
  message?: string;
}

interface FaultFile {
  faults: CrioFault[];
}

export function readFaults(file: string = crioPaths.faults): CrioFault[] {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as FaultFile).faults ?? [];
  } catch {
    return [];
  }
}

function writeFaults(faults: CrioFault[], file: string = crioPaths.faults): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ faults } satisfies FaultFile, null, 2)}\n`);
  renameSync(temp, file);
}

function matches(fault: CrioFault, pod: SimPod, call: FaultCall): boolean {
  if (fault.calls && !fault.calls.includes(call)) return false;
  if (fault.namespace !== undefined && fault.namespace !== pod.metadata.namespace) return false;
  if (fault.name !== undefined && fault.name !== pod.metadata.name) return false;
  return fault.id === undefined || pod.id.startsWith(fault.id);
}

export interface FaultEffect {
  hangMs: number;
  failure?: string;
}

/** What the call should suffer now; uses up one count of the matching fault. */
export function takeFault(pod: SimPod, call: FaultCall): FaultEffect {
  const faults = readFaults();
  const fault = faults.find(
    (f) => matches(f, pod, call) && ((f.failTimes ?? 0) > 0 || ((f.hangMs ?? 0) > 0 && (f.hangTimes ?? 1) > 0)),
  );
  if (!fault) return { hangMs: 0 };
  const hangs = (fault.hangMs ?? 0) > 0 && (fault.hangTimes ?? 1) > 0;
  if (hangs && fault.hangTimes !== undefined) fault.hangTimes -= 1;
  const fails = (fault.failTimes ?? 0) > 0;
  if (fails) fault.failTimes = (fault.failTimes ?? 0) - 1;
  writeFaults(faults);
  return {
    hangMs: hangs ? (fault.hangMs ?? 0) : 0,
    failure: fails ? (fault.message ?? cniDeleteFailure(pod)) : undefined,
  };
}

/** CRI-O's error when the CNI plugin cannot tear down a pod's network (OVN-Kubernetes is down). */
export function cniDeleteFailure(pod: SimPod): string {
  const { name, namespace, uid, attempt } = pod.metadata;
  return (
    `failed to destroy network for pod sandbox k8s_${name}_${namespace}_${uid}_${attempt}(${pod.id}): ` +
    `error removing pod ${namespace}_${name} from CNI network "ovn-kubernetes": plugin type="ovn-k8s-cni-overlay" name="ovn-kubernetes" failed (delete): ` +
    `failed to send CNI request: Post "http://dummy/": dial unix /var/run/ovn-kubernetes/cni//ovn-cni-server.sock: connect: connection refused`
  );
}
