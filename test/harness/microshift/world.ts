// The cluster's objects at one moment of a scenario: namespaces, workloads, pods and events.
//
// What it simulates: a single-node MicroShift where each Deployment and DaemonSet has one pod,
// with status fields computed the way the controllers compute them (so the readiness rules of
// host-contracts §4 hold: a Deployment is ready when observedGeneration ≥ generation and
// available ≥ updated ≥ replicas; a DaemonSet when updated and available ≥ desired). Zero
// counters are left out as the API server's `omitempty` does, so clients must treat a missing
// count as 0. The node and each Deployment's one ReplicaSet exist once the workloads do. What
// it leaves out: rollouts (generation is always observed, one ReplicaSet per Deployment),
// Services, node conditions other than Ready, anything a scenario does not script. A pure
// function of (scenario, time).
import { renderContainer, type EventSeed } from './containers.js';
import type { ContainerStep, Scenario } from './scenario.js';
import {
  coreWorkloads,
  namespaceNames,
  podName,
  replicaSetName,
  sha256,
  stableUid,
  type WorkloadSpec,
} from './workloads.js';

export type Resource =
  'namespaces' | 'nodes' | 'pods' | 'events' | 'deployments' | 'daemonsets' | 'replicasets' | 'statefulsets';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface WorldContext {
  /** Wall-clock ms when the timeline began (the process start). */
  startedAt: number;
  nodeName: string;
  nodeIP: string;
}

export interface Entry {
  resource: Resource;
  object: KubeObject;
}

/** Every object that exists at time `t` (ms since the timeline began). */
export function renderWorld(scenario: Scenario, t: number, ctx: WorldContext): Entry[] {
  const ts = (ms: number) => new Date(ctx.startedAt + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const w = scenario.workloads;
  const extra: WorkloadSpec[] = w.extra.map((e) => ({
    namespace: e.namespace,
    name: e.name,
    kind: e.kind,
    containers: [{ name: e.container, image: e.image }],
  }));
  const all = [...coreWorkloads(w.lvms), ...extra];
  const entries: Entry[] = namespaceNames(all).map((name) => ({
    resource: 'namespaces',
    object: namespace(name, ts(0)),
  }));
  if (w.createdAfterMs === null || t < w.createdAfterMs) return entries;
  const created = w.createdAfterMs;
  entries.push({ resource: 'nodes', object: nodeObject(ctx, ts(0)) });
  for (const workload of all) {
    const pod = renderPod(
      workload,
      (container) => stepsFor(scenario, workload, container, created),
      t,
      created,
      ctx,
      ts,
    );
    const readyCount = pod.ready ? 1 : 0;
    const resource = workload.kind === 'Deployment' ? 'deployments' : 'daemonsets';
    entries.push({ resource, object: workloadObject(workload, readyCount, ts(created)) });
    if (workload.kind === 'Deployment')
      entries.push({ resource: 'replicasets', object: replicaSetObject(workload, readyCount, ts(created)) });
    entries.push({ resource: 'pods', object: pod.object });
    for (const seed of pod.events) entries.push({ resource: 'events', object: eventObject(seed, pod.object, ctx, ts) });
  }
  return entries;
}

function stepsFor(scenario: Scenario, workload: WorkloadSpec, container: string, created: number): ContainerStep[] {
  const w = scenario.workloads;
  const override = w.overrides.find(
    (o) => o.workload === workload.name && (o.container ?? workload.containers[0]?.name) === container,
  );
  const extra = w.extra.find((e) => e.namespace === workload.namespace && e.name === workload.name);
  const scripted = override?.steps ?? extra?.steps;
  const steps = scripted ? [...scripted].sort((a, b) => a.atMs - b.atMs) : defaultSteps(scenario, created);
  // The pod exists from `created` on: nothing can happen to its containers before that.
  if ((steps[0]?.atMs ?? Infinity) > created) steps.unshift({ atMs: created, state: w.initialState });
  return steps;
}

function defaultSteps(scenario: Scenario, created: number): ContainerStep[] {
  const { initialState, readyAfterMs } = scenario.workloads;
  const steps: ContainerStep[] = [{ atMs: created, state: initialState }];
  if (readyAfterMs !== null) steps.push({ atMs: Math.max(created, readyAfterMs), state: 'ready' });
  return steps;
}

function renderPod(
  workload: WorkloadSpec,
  steps: (container: string) => ContainerStep[],
  t: number,
  created: number,
  ctx: WorldContext,
  ts: (ms: number) => string,
) {
  const name = podName(workload);
  const uid = stableUid(`pod/${workload.namespace}/${name}`);
  const podRef = `${name}_${workload.namespace}(${uid})`;
  const views = workload.containers.map((c) => renderContainer(c, steps(c.name), t, { podRef, ts }));
  const ready = views.every((v) => v.ready);
  const unready = workload.containers.filter((_, i) => !views[i]?.ready).map((c) => c.name);
  const condition = (type: string, ok: boolean) => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: ts(created),
    ...(ok ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }),
  });
  const owner =
    workload.kind === 'Deployment'
      ? { kind: 'ReplicaSet', name: replicaSetName(workload) }
      : { kind: 'DaemonSet', name: workload.name };
  const podIP = workload.hostNetwork ? ctx.nodeIP : `10.42.0.${(parseInt(sha256(name).slice(0, 2), 16) % 200) + 10}`;
  const object: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: workload.kind === 'Deployment' ? `${replicaSetName(workload)}-` : `${workload.name}-`,
      namespace: workload.namespace,
      uid,
      creationTimestamp: ts(created),
      labels: { app: workload.name },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          ...owner,
          uid: stableUid(`${owner.kind}/${workload.namespace}/${owner.name}`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: ctx.nodeName,
      hostNetwork: workload.hostNetwork || undefined,
      containers: workload.containers.map((c) => ({ name: c.name, image: c.image, imagePullPolicy: 'IfNotPresent' })),
      restartPolicy: 'Always',
      priorityClassName: 'system-node-critical',
    },
    status: {
      phase: views.some((v) => v.everRan) ? 'Running' : 'Pending',
      conditions: [
        condition('Initialized', true),
        condition('Ready', ready),
        condition('ContainersReady', ready),
        condition('PodScheduled', true),
      ],
      hostIP: ctx.nodeIP,
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: ts(created),
      containerStatuses: views.map((v) => v.status),
      qosClass: 'Burstable',
    },
  };
  // The scheduler's event comes first; the kubelet's follow per container.
  const scheduled: EventSeed = {
    reason: 'Scheduled',
    type: 'Normal',
    message: `Successfully assigned ${workload.namespace}/${name} to ${ctx.nodeName}`,
    firstMs: created,
    lastMs: created,
    count: 1,
    container: '',
  };
  return { object, ready, events: [scheduled, ...views.flatMap((v) => v.events)] };
}

function workloadObject(workload: WorkloadSpec, ready: number, created: string): KubeObject {
  const metadata = {
    name: workload.name,
    namespace: workload.namespace,
    uid: stableUid(`${workload.kind}/${workload.namespace}/${workload.name}`),
    generation: 1,
    creationTimestamp: created,
  };
  const spec = {
    selector: { matchLabels: { app: workload.name } },
    template: { metadata: { labels: { app: workload.name } }, spec: { containers: workload.containers } },
  };
  if (workload.kind === 'DaemonSet') {
    return {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata,
      // `kubectl rollout status` refuses a DaemonSet without the RollingUpdate strategy.
      spec: { ...spec, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } },
      status: omitZero(
        {
          currentNumberScheduled: 1,
          numberMisscheduled: 0,
          desiredNumberScheduled: 1,
          numberReady: ready,
          observedGeneration: 1,
          updatedNumberScheduled: 1,
          numberAvailable: ready,
          numberUnavailable: 1 - ready,
        },
        ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
      ),
    };
  }
  const rs = replicaSetName(workload);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: { replicas: 1, ...spec, strategy: { type: 'RollingUpdate' }, progressDeadlineSeconds: 600 },
    status: {
      ...omitZero({
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: 1 - ready,
      }),
      conditions: [
        ready
          ? {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
              lastUpdateTime: created,
              lastTransitionTime: created,
            }
          : {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
              lastUpdateTime: created,
              lastTransitionTime: created,
            },
        ready
          ? {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${rs}" has successfully progressed.`,
              lastUpdateTime: created,
              lastTransitionTime: created,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${rs}" is progressing.`,
              lastUpdateTime: created,
              lastTransitionTime: created,
            },
      ],
    },
  };
}

function replicaSetObject(workload: WorkloadSpec, ready: number, created: string): KubeObject {
  const name = replicaSetName(workload);
  const hash = name.slice(workload.name.length + 1);
  const labels = { app: workload.name, 'pod-template-hash': hash };
  const owner = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: workload.name,
    uid: stableUid(`Deployment/${workload.namespace}/${workload.name}`),
    controller: true,
    blockOwnerDeletion: true,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: workload.namespace,
      uid: stableUid(`ReplicaSet/${workload.namespace}/${name}`),
      generation: 1,
      creationTimestamp: created,
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [owner],
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: workload.containers } },
    },
    status: omitZero(
      { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 },
      ['replicas'],
    ),
  };
}

/** The single MicroShift node: control plane and worker at once, Ready while the API serves. */
function nodeObject(ctx: WorldContext, created: string): KubeObject {
  const roles = Object.fromEntries(
    ['control-plane', 'master', 'worker'].map((role) => [`node-role.kubernetes.io/${role}`, '']),
  );
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: ctx.nodeName,
      uid: stableUid(`node/${ctx.nodeName}`),
      creationTimestamp: created,
      labels: {
        'kubernetes.io/hostname': ctx.nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        ...roles,
      },
    },
    spec: {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: created,
          lastTransitionTime: created,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: ctx.nodeIP },
        { type: 'Hostname', address: ctx.nodeName },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.28.6',
        osImage: 'Red Hat Enterprise Linux 9.2 (Plow)',
        kernelVersion: '5.14.0-284.52.1.el9_2.x86_64',
        containerRuntimeVersion: 'cri-o://1.28.3-6.rhaos4.15.git1b4d7f8.el9',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** The API server drops zero integers of `omitempty` fields; `keep` lists the required ones. */
function omitZero(fields: Record<string, number>, keep: string[] = []): Record<string, number> {
  return Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== 0 || keep.includes(key)));
}

function namespace(name: string, created: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: stableUid(`ns/${name}`),
      creationTimestamp: created,
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

function eventObject(seed: EventSeed, pod: KubeObject, ctx: WorldContext, ts: (ms: number) => string): KubeObject {
  const key = `${pod.metadata.name}/${seed.container}/${seed.reason}/${seed.message}`;
  const fromKubelet = seed.reason !== 'Scheduled';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${pod.metadata.name}.${sha256(key).slice(0, 16)}`,
      namespace: pod.metadata.namespace,
      uid: stableUid(`event/${key}`),
      creationTimestamp: ts(seed.firstMs),
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      ...(seed.container ? { fieldPath: `spec.containers{${seed.container}}` } : {}),
    },
    reason: seed.reason,
    message: seed.message,
    source: fromKubelet ? { component: 'kubelet', host: ctx.nodeName } : { component: 'default-scheduler' },
    firstTimestamp: ts(seed.firstMs),
    lastTimestamp: ts(seed.lastMs),
    count: seed.count,
    type: seed.type,
    eventTime: null,
    reportingComponent: fromKubelet ? 'kubelet' : 'default-scheduler',
    reportingInstance: fromKubelet ? ctx.nodeName : '',
  };
}
