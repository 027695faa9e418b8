// The CRI-O stand-in's pods and containers: creating them for the kubelet, noticing when their
// processes end, stopping and removing them. Runs inside the daemon; state is one SimState object
// that the caller persists.
//
// What it simulates: RunPodSandbox + CreateContainer + StartContainer as the kubelet drives them
// for a pod (all at once here), a sandbox turning NOTREADY when its infra process dies, a
// container turning EXITED when its process dies, StopPodSandbox (containers, then the infra
// container) and RemovePodSandbox (stops what still runs, then forgets the pod). What it leaves
// out: restarts (no kubelet loop here), init containers, image pulls, networking.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { executableFor, leftoversOf } from './images.js';
import { kubeContainerName, podSlice, type SimContainer, type SimPod, type SimState } from './model.js';
import { crioPaths } from './paths.js';
import {
  ensureExecutable,
  exitCodeOf,
  isRunning,
  reap,
  startUnderConmon,
  stopProcess,
  type ConmonSpec,
} from './runtime.js';

/** One pod the kubelet wants (what microshift-sim sends). */
export interface PodRequest {
  namespace: string;
  name: string;
  uid: string;
  workload?: string;
  hostNetwork?: boolean;
  containers: { name: string; image: string }[];
}

export interface RuntimeOptions {
  stopGraceMs: number;
  dropInfra: boolean;
}

const newId = () => randomBytes(32).toString('hex');

function conmonSpec(pod: SimPod, id: string, container: string, attempt: number, executable: string): ConmonSpec {
  return {
    id,
    name: kubeContainerName(pod, container, attempt),
    executable,
    args: ['infinity'],
    slice: podSlice(pod.metadata.uid),
    scopePrefix: 'crio',
    stateDir: `${crioPaths.containersDir}/${id}`,
    exitDir: crioPaths.exitsDir,
  };
}

/** Pods being started now: a second request meanwhile must not start them again. */
const starting = new Set<string>();

/** Run the pods that do not run yet (a pod with the same uid and a ready sandbox is kept). */
export async function runPods(
  state: SimState,
  requests: PodRequest[],
  options: RuntimeOptions,
  changed: () => void,
): Promise<string[]> {
  const missing = requests.filter(
    (r) => !starting.has(r.uid) && !state.pods.some((p) => p.metadata.uid === r.uid && p.state === 'SANDBOX_READY'),
  );
  for (const r of missing) starting.add(r.uid);
  try {
    return await Promise.all(missing.map((request) => runPod(state, request, options, changed)));
  } finally {
    for (const r of missing) starting.delete(r.uid);
  }
}

async function runPod(
  state: SimState,
  request: PodRequest,
  options: RuntimeOptions,
  changed: () => void,
): Promise<string> {
  const attempt = state.pods.filter((p) => p.metadata.uid === request.uid).length;
  const now = Date.now();
  const pod: SimPod = {
    id: newId(),
    metadata: { name: request.name, uid: request.uid, namespace: request.namespace, attempt },
    state: 'SANDBOX_READY',
    createdAt: now,
    labels: {
      ...(request.workload ? { app: request.workload } : {}),
      'io.kubernetes.pod.name': request.name,
      'io.kubernetes.pod.namespace': request.namespace,
      'io.kubernetes.pod.uid': request.uid,
    },
    annotations: { 'kubernetes.io/config.seen': new Date(now).toISOString(), 'kubernetes.io/config.source': 'api' },
    hostNetwork: request.hostNetwork ?? false,
    // CRI-O reports no IP for a host-network pod; the kubelet uses the node's.
    ip: request.hostNetwork
      ? ''
      : `10.42.0.${(parseInt(createHash('sha256').update(request.uid).digest('hex').slice(0, 2), 16) % 200) + 10}`,
    infra: null,
    containers: [],
  };
  if (!options.dropInfra) {
    // The infra container's id is the sandbox's id, as in CRI-O.
    const started = await startUnderConmon(conmonSpec(pod, pod.id, 'POD', attempt, ensureExecutable('pause')));
    pod.infra = started;
  }
  state.pods.push(pod);
  changed();
  await Promise.all(request.containers.map(async (spec) => pod.containers.push(await runContainer(pod, spec))));
  changed();
  return pod.id;
}

async function runContainer(pod: SimPod, spec: { name: string; image: string }): Promise<SimContainer> {
  const id = newId();
  const createdAt = Date.now();
  const executable = ensureExecutable(executableFor(spec.name));
  const started = await startUnderConmon(conmonSpec(pod, id, spec.name, 0, executable));
  for (const file of leftoversOf(spec.name, started.process.pid)) writeHostFile(file.path, file.content, file.mode);
  return {
    id,
    name: spec.name,
    attempt: 0,
    image: spec.image,
    // CRI-O reports the image's id here; `image.image` keeps the name the pod asked for.
    imageRef: createHash('sha256').update(`image/${spec.image}`).digest('hex'),
    state: 'CONTAINER_RUNNING',
    createdAt,
    startedAt: Date.now(),
    executable,
    process: started.process,
    conmonPid: started.conmonPid,
    labels: {
      'io.kubernetes.container.name': spec.name,
      'io.kubernetes.pod.name': pod.metadata.name,
      'io.kubernetes.pod.namespace': pod.metadata.namespace,
      'io.kubernetes.pod.uid': pod.metadata.uid,
    },
    annotations: {
      'io.kubernetes.container.restartCount': '0',
      'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
    },
  };
}

function writeHostFile(path: string, content: string | undefined, mode?: number): void {
  if (content === undefined) return void mkdirSync(path, { recursive: true });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
}

/** Bring states up to date with the processes; returns whether anything changed. */
export function refreshStates(state: SimState): boolean {
  let changed = false;
  for (const pod of state.pods) {
    for (const c of pod.containers) {
      if (c.state === 'CONTAINER_RUNNING' && !isRunning(c.process)) {
        Object.assign(c, { state: 'CONTAINER_EXITED', finishedAt: Date.now(), exitCode: exitCodeOf(c.id) });
        changed = true;
      } else if (c.state === 'CONTAINER_EXITED' && c.exitCode === undefined && exitCodeOf(c.id) !== undefined) {
        c.exitCode = exitCodeOf(c.id);
        changed = true;
      }
    }
    if (pod.state === 'SANDBOX_READY' && pod.infra && !isRunning(pod.infra.process)) {
      pod.state = 'SANDBOX_NOTREADY';
      changed = true;
    }
  }
  return changed;
}

/** StopPodSandbox: every container, then the infra container; the sandbox ends NOTREADY. */
export async function stopPod(pod: SimPod, options: RuntimeOptions): Promise<void> {
  await Promise.all(
    pod.containers.map(async (c) => {
      await stopProcess(c.process, options.stopGraceMs);
      await reap(c.conmonPid, 1000);
      if (c.state !== 'CONTAINER_EXITED') Object.assign(c, { state: 'CONTAINER_EXITED', finishedAt: Date.now() });
      c.exitCode ??= exitCodeOf(c.id);
    }),
  );
  if (pod.infra) {
    await stopProcess(pod.infra.process, 0);
    await reap(pod.infra.conmonPid, 1000);
  }
  pod.state = 'SANDBOX_NOTREADY';
}

/** RemovePodSandbox: stop what still runs, then forget the pod and its containers' files. */
export async function removePod(state: SimState, pod: SimPod, options: RuntimeOptions): Promise<void> {
  if (pod.state === 'SANDBOX_READY' || pod.containers.some((c) => isRunning(c.process))) await stopPod(pod, options);
  for (const id of [pod.id, ...pod.containers.map((c) => c.id)]) {
    rmSync(`${crioPaths.containersDir}/${id}`, { recursive: true, force: true });
    rmSync(`${crioPaths.exitsDir}/${id}`, { force: true });
  }
  state.pods = state.pods.filter((p) => p !== pod);
}
