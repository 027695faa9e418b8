// The parts of Kubernetes API objects that the MicroShift probes read (core/v1 Pod and Event,
// apps/v1 Deployment, StatefulSet and DaemonSet), as the API serves them in JSON. Only what is
// read is declared, and all of it optional: an answer is data from outside, not a promise.

export interface KubeList<T> {
  items?: T[];
}

interface KubeMeta {
  name?: string;
  namespace?: string;
  generation?: number;
  ownerReferences?: { kind: string; name: string }[];
}

/** A Deployment or a StatefulSet: the fields of their readiness rules. */
export interface KubeScalable {
  metadata?: KubeMeta;
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    currentReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

export interface KubeDaemonSet {
  metadata?: KubeMeta;
  status?: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    numberAvailable?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberUnavailable?: number;
  };
}

interface KubeContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  state?: { waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: { finishedAt?: string } };
}

export interface KubePod {
  metadata?: KubeMeta;
  status?: {
    phase?: string;
    initContainerStatuses?: KubeContainerStatus[];
    containerStatuses?: KubeContainerStatus[];
  };
}

export interface KubeEvent {
  reason?: string;
  message?: string;
  involvedObject?: { name?: string };
}
