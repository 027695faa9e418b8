// The CRI-O stand-in's state (the file /run/crio-sim/pods.json) and how CRI-O reports it over
// the CRI: ListPodSandbox items, PodSandboxStatus, ListContainers items and ContainerStatus, in
// the protobuf JSON field names and shapes crictl prints.
//
// What it simulates: pod sandboxes with their infra (pause) process, containers with their
// conmon and main process, CRI-O's verbose `info` (`{"info": {"pid": ...}}` of the infra
// container or of the container; a dropped infra container (drop_infra_ctr) has no pid), labels
// the kubelet sets. Times are kept in ms and sent as Unix nanoseconds, as int64 fields are in
// protobuf JSON. What it leaves out: networks (an IP is made up), mounts, resources, the full
// OCI runtime spec (a few fields only). Images are image-store.ts's.

export type SandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

/** A process and the start time the kernel gave it, so a reused pid is never mistaken for it. */
export interface ProcessRef {
  pid: number;
  startTicks: number;
}

export interface SimContainer {
  id: string;
  name: string;
  attempt: number;
  image: string;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** The program the container runs (a copy of sleep named like the real one). */
  executable: string;
  /** The container's main process; pid 0 once it has ended. */
  process: ProcessRef;
  conmonPid: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface SimPod {
  id: string;
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  state: SandboxState;
  createdAt: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostNetwork: boolean;
  ip: string;
  /** The infra container (pause) and its conmon; null when CRI-O dropped it (drop_infra_ctr). */
  infra: { process: ProcessRef; conmonPid: number } | null;
  containers: SimContainer[];
}

export interface SimState {
  format: 1;
  pods: SimPod[];
  /** Image references the node holds (image-store.ts); absent in state files of older stand-ins. */
  images?: string[];
}

export const pauseImage =
  'quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:0a1b7d9c6d3e24a6c4c84a8a5f44e5a1d5f0c1d2e3f4a5b6c7d8e9f0a1b2c3d4';

const nanos = (ms: number | undefined) => (ms === undefined ? '0' : `${ms}000000`);

export function podListItem(pod: SimPod): Record<string, unknown> {
  return {
    id: pod.id,
    metadata: pod.metadata,
    state: pod.state,
    createdAt: nanos(pod.createdAt),
    labels: pod.labels,
    annotations: pod.annotations,
    runtimeHandler: '',
  };
}

export function podStatus(
  pod: SimPod,
  verbose: boolean,
): { status: Record<string, unknown>; info?: Record<string, string> } {
  const status = {
    id: pod.id,
    metadata: pod.metadata,
    state: pod.state,
    createdAt: nanos(pod.createdAt),
    network: { ip: pod.ip, additionalIps: [] },
    linux: {
      namespaces: {
        options: {
          network: pod.hostNetwork ? 'NODE' : 'POD',
          pid: 'CONTAINER',
          ipc: 'POD',
          targetId: '',
          userNsOptions: null,
        },
      },
    },
    labels: pod.labels,
    annotations: pod.annotations,
    runtimeHandler: '',
    containersStatuses: [],
    timestamp: '0',
  };
  if (!verbose) return { status };
  const runtimeSpec = {
    ociVersion: '1.0.2-dev',
    process: { args: ['/usr/bin/pod'] },
    linux: { cgroupsPath: `${podSlice(pod.metadata.uid)}:crio:${pod.id}` },
  };
  // CRI-O: a spoofed (dropped) infra container reports only its spec, no image and no pid.
  const info = pod.infra
    ? { image: pauseImage, pid: pod.state === 'SANDBOX_READY' ? pod.infra.process.pid : 0, runtimeSpec }
    : { runtimeSpec };
  return { status, info: { info: JSON.stringify(info) } };
}

export function containerListItem(pod: SimPod, c: SimContainer): Record<string, unknown> {
  return {
    id: c.id,
    podSandboxId: pod.id,
    metadata: { name: c.name, attempt: c.attempt },
    image: { image: c.image, annotations: {}, userSpecifiedImage: '', runtimeHandler: '' },
    imageRef: c.imageRef,
    state: c.state,
    createdAt: nanos(c.createdAt),
    labels: c.labels,
    annotations: c.annotations,
    imageId: '',
  };
}

export function containerStatus(
  pod: SimPod,
  c: SimContainer,
  verbose: boolean,
): { status: Record<string, unknown>; info?: Record<string, string> } {
  const exited = c.state === 'CONTAINER_EXITED';
  const status = {
    id: c.id,
    metadata: { name: c.name, attempt: c.attempt },
    state: c.state,
    createdAt: nanos(c.createdAt),
    startedAt: nanos(c.startedAt),
    finishedAt: nanos(exited ? c.finishedAt : undefined),
    exitCode: exited ? (c.exitCode ?? -1) : 0,
    image: { image: c.image, annotations: {}, userSpecifiedImage: '', runtimeHandler: '' },
    imageRef: c.imageRef,
    reason: exited ? (c.exitCode === 0 ? 'Completed' : 'Error') : '',
    message: '',
    labels: c.labels,
    annotations: c.annotations,
    mounts: [],
    logPath: `/var/log/pods/${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}/${c.name}/${c.attempt}.log`,
    resources: null,
    imageId: '',
    user: { linux: { uid: '0', gid: '0', supplementalGroups: ['0'], username: '' } },
  };
  if (!verbose) return { status };
  const info = {
    sandboxID: pod.id,
    pid: c.state === 'CONTAINER_RUNNING' ? c.process.pid : 0,
    runtimeSpec: {
      ociVersion: '1.0.2-dev',
      process: { args: [c.executable] },
      linux: { cgroupsPath: `${podSlice(pod.metadata.uid)}:crio:${c.id}` },
    },
    privileged: pod.hostNetwork,
  };
  return { status, info: { info: JSON.stringify(info) } };
}

/** The pod's slice with the kubelet's systemd cgroup driver (Burstable QoS). */
export function podSlice(uid: string): string {
  return `kubepods-burstable-pod${uid.replaceAll('-', '_')}.slice`;
}

/** The names conmon is given (`-n`), as the kubelet names containers: k8s_<container>_<pod>_<ns>_<uid>_<attempt>. */
export function kubeContainerName(pod: SimPod, container: string, attempt: number): string {
  return `k8s_${container}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid}_${attempt}`;
}
