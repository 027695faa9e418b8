// What the MicroShift check sees on each probe, already parsed by the host adapters.
// Pure data: the assessment in microshift-check.ts decides from it.

export interface UnitObservation {
  loadState: string;
  activeState: string;
  subState: string;
  nRestarts: number;
  unitFileState: string;
}

export interface HealthEndpoint {
  ok: boolean;
  /** Names of the failing checks from `?verbose` (e.g. `etcd`), or the transport error. */
  failing: string[];
}

export interface ApiObservation {
  reachable: boolean;
  error?: string;
  /** Unreachable because no answer came in time (or the caller gave up), not because of an error. */
  timedOut?: boolean;
  readyz?: HealthEndpoint;
  livez?: HealthEndpoint;
}

export interface WorkloadRef {
  namespace: string;
  kind: 'Deployment' | 'DaemonSet' | 'StatefulSet';
  name: string;
}

export interface WorkloadObservation extends WorkloadRef {
  found: boolean;
  ready: boolean;
  /** e.g. "1/2 available". */
  detail: string;
}

export interface ContainerObservation {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  waitingReason?: string;
  waitingMessage?: string;
  /** How long ago the previous instance of this container ended (lastState.terminated). */
  lastRestartAgoMs?: number;
}

export interface PodObservation {
  namespace: string;
  name: string;
  phase: string;
  /** The pod's controller (first ownerReference): a DaemonSet, StatefulSet or a Deployment's ReplicaSet. */
  owner?: { kind: string; name: string };
  containers: ContainerObservation[];
}

/** A pull failure reported by a Kubernetes Event (reason Failed / ErrImagePull). */
export interface PullEventObservation {
  namespace: string;
  pod: string;
  message: string;
}

export interface MicroShiftObservation {
  unit: UnitObservation;
  /** Last lines of prerun_failed.log when it was written during this boot. */
  prerunFailed?: string[];
  /** Absent while the unit is not active (the API is not asked then). */
  api?: ApiObservation;
  workloads?: WorkloadObservation[];
  pods?: PodObservation[];
  pullEvents?: PullEventObservation[];
}

/** MicroShift 4.19+ readiness rules for a Deployment (host-contracts §4). */
export function isDeploymentReady(
  spec: { generation?: number; replicas?: number },
  status: { observedGeneration?: number; updatedReplicas?: number; availableReplicas?: number },
): boolean {
  // An object whose status was never written (observedGeneration missing) is not ready yet.
  if (status.observedGeneration === undefined) return false;
  const replicas = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  return status.observedGeneration >= (spec.generation ?? 0) && updated >= replicas && available >= updated;
}

/** DaemonSet rule: updated and available pods cover every node that should run one. */
export function isDaemonSetReady(
  spec: { generation?: number },
  status: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  },
): boolean {
  if (status.observedGeneration === undefined || status.desiredNumberScheduled === undefined) return false;
  const desired = status.desiredNumberScheduled;
  return (
    status.observedGeneration >= (spec.generation ?? 0) &&
    desired > 0 &&
    (status.updatedNumberScheduled ?? 0) >= desired &&
    (status.numberAvailable ?? 0) >= desired
  );
}

/** StatefulSet: every replica updated and ready. */
export function isStatefulSetReady(
  spec: { generation?: number; replicas?: number },
  status: { observedGeneration?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number },
): boolean {
  if (status.observedGeneration === undefined) return false;
  const replicas = spec.replicas ?? 1;
  return (
    status.observedGeneration >= (spec.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= replicas &&
    (status.availableReplicas ?? status.readyReplicas ?? 0) >= replicas
  );
}

/** Whether a pod belongs to one of the given workloads (through its controller). */
export function podBelongsTo(pod: PodObservation, workloads: readonly WorkloadRef[]): boolean {
  const owner = pod.owner;
  if (!owner) return false;
  return workloads.some((w) => {
    if (w.namespace !== pod.namespace) return false;
    // A Deployment's pods are owned by a ReplicaSet named <deployment>-<pod-template-hash>.
    if (w.kind === 'Deployment')
      return owner.kind === 'ReplicaSet' && owner.name.slice(0, owner.name.lastIndexOf('-')) === w.name;
    return owner.kind === w.kind && owner.name === w.name;
  });
}
