// The cells a Kubernetes 1.28 API server prints for one object, column by column (table-columns.ts).
//
// What it simulates: the apiserver's printer rules that clients and scripts depend on: a pod's
// STATUS is the first waiting or terminated reason among its containers (CrashLoopBackOff,
// ImagePullBackOff, ErrImagePull, ContainerCreating), else its phase; READY counts running and
// ready containers; RESTARTS sums restart counts and adds "(<age> ago)" of the last exit; a
// Deployment's READY is ready/desired; an Event's LAST SEEN says "(xN over <age>)" when it
// repeated. What it leaves out: init containers, deletion (Terminating), readiness gates,
// nominated nodes, event series; the simulator never produces them.
import { ageOf } from './human-duration.js';
import type { KubeObject, Resource } from './world.js';

type Cell = string | number;
type Dict = Record<string, unknown>;

const dict = (value: unknown): Dict => (value && typeof value === 'object' ? (value as Dict) : {});
const list = (value: unknown): Dict[] => (Array.isArray(value) ? value.map(dict) : []);
const int = (value: unknown): number => (typeof value === 'number' ? value : 0);
const text = (value: unknown, none = '<none>'): string => (typeof value === 'string' && value !== '' ? value : none);

export function cellsOf(resource: Resource, object: KubeObject, now: number): Cell[] {
  const age = ageOf(object.metadata.creationTimestamp, now);
  const spec = dict(object.spec);
  const status = dict(object.status);
  switch (resource) {
    case 'pods':
      return podCells(object, now);
    case 'deployments':
      return [
        object.metadata.name,
        `${int(status.readyReplicas)}/${int(spec.replicas)}`,
        int(status.updatedReplicas),
        int(status.availableReplicas),
        age,
        ...templateCells(spec),
      ];
    case 'daemonsets': {
      const nodeSelector = labelsText(dict(dict(dict(spec.template).spec).nodeSelector));
      return [
        object.metadata.name,
        int(status.desiredNumberScheduled),
        int(status.currentNumberScheduled),
        int(status.numberReady),
        int(status.updatedNumberScheduled),
        int(status.numberAvailable),
        nodeSelector,
        age,
        ...templateCells(spec),
      ];
    }
    case 'replicasets':
      return [
        object.metadata.name,
        int(spec.replicas),
        int(status.replicas),
        int(status.readyReplicas),
        age,
        ...templateCells(spec),
      ];
    case 'statefulsets':
      return [
        object.metadata.name,
        `${int(status.readyReplicas)}/${int(spec.replicas)}`,
        age,
        ...templateCells(spec).slice(0, 2),
      ];
    case 'namespaces':
      return [object.metadata.name, text(status.phase, ''), age];
    case 'nodes':
      return nodeCells(object, age);
    case 'events':
      return eventCells(object, now);
  }
}

function podCells(pod: KubeObject, now: number): Cell[] {
  const spec = dict(pod.spec);
  const status = dict(pod.status);
  const containers = list(status.containerStatuses);
  let reason = text(status.reason, text(status.phase, ''));
  let ready = 0;
  let running = false;
  let restarts = 0;
  let lastExit = 0;
  // Walk from the last container to the first: the first container's reason wins.
  for (const c of [...containers].reverse()) {
    restarts += int(c.restartCount);
    const finished = dict(dict(c.lastState).terminated).finishedAt;
    if (typeof finished === 'string') lastExit = Math.max(lastExit, Date.parse(finished));
    const state = dict(c.state);
    const waiting = dict(state.waiting);
    const terminated = dict(state.terminated);
    if (typeof waiting.reason === 'string' && waiting.reason !== '') reason = waiting.reason;
    else if (state.terminated)
      reason =
        text(terminated.reason, '') ||
        (terminated.signal ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`);
    else if (state.running && c.ready === true) {
      running = true;
      ready += 1;
    }
  }
  if (reason === 'Completed' && running) {
    const readyCondition = list(status.conditions).find((c) => c.type === 'Ready');
    reason = readyCondition?.status === 'True' ? 'Running' : 'NotReady';
  }
  const restartText =
    restarts !== 0 && lastExit > 0
      ? `${restarts} (${ageOf(new Date(lastExit).toISOString(), now)} ago)`
      : String(restarts);
  const total = list(spec.containers).length;
  return [
    pod.metadata.name,
    `${ready}/${total}`,
    reason,
    restartText,
    ageOf(pod.metadata.creationTimestamp, now),
    text(status.podIP),
    text(spec.nodeName),
    text(status.nominatedNodeName),
    '<none>',
  ];
}

function templateCells(spec: Dict): Cell[] {
  const containers = list(dict(dict(spec.template).spec).containers);
  const selector = labelsText(dict(dict(spec.selector).matchLabels));
  return [containers.map((c) => String(c.name)).join(','), containers.map((c) => String(c.image)).join(','), selector];
}

function labelsText(labels: Dict): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`);
  return pairs.length ? pairs.sort().join(',') : '<none>';
}

function nodeCells(node: KubeObject, age: string): Cell[] {
  const status = dict(node.status);
  const info = dict(status.nodeInfo);
  const ready = list(status.conditions).find((c) => c.type === 'Ready');
  const state = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  const unschedulable = dict(node.spec).unschedulable === true ? ',SchedulingDisabled' : '';
  const roles = Object.keys(dict(node.metadata.labels))
    .filter((label) => label.startsWith('node-role.kubernetes.io/'))
    .map((label) => label.slice('node-role.kubernetes.io/'.length))
    .sort();
  const address = (type: string) => text(list(status.addresses).find((a) => a.type === type)?.address);
  return [
    node.metadata.name,
    state + unschedulable,
    roles.join(',') || '<none>',
    age,
    text(info.kubeletVersion, ''),
    address('InternalIP'),
    address('ExternalIP'),
    text(info.osImage, '<unknown>'),
    text(info.kernelVersion, '<unknown>'),
    text(info.containerRuntimeVersion, '<unknown>'),
  ];
}

function eventCells(event: KubeObject, now: number): Cell[] {
  const first = ageOf(event.firstTimestamp, now);
  const last = event.lastTimestamp ? ageOf(event.lastTimestamp, now) : first;
  const count = int(event.count);
  const involved = dict(event.involvedObject);
  const source = dict(event.source);
  const sourceText = [source.component, source.host]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(', ');
  return [
    count > 1 ? `${last} (x${count} over ${first})` : first,
    text(event.type, ''),
    text(event.reason, ''),
    `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`,
    text(involved.fieldPath, ''),
    sourceText,
    text(event.message, '').trim(),
    first,
    count,
    event.metadata.name,
  ];
}
