// The MicroShift 4.15 core workloads the simulator serves, and stable names and ids for them.
//
// What it simulates: the single-node set MicroShift deploys (one pod per workload), with
// container names close to the real manifests and release-image style digests. What it leaves
// out: init containers, sidecars that do not matter to readiness.
import { createHash } from 'node:crypto';

export interface WorkloadSpec {
  namespace: string;
  name: string;
  kind: 'Deployment' | 'DaemonSet';
  containers: { name: string; image: string }[];
  /** Host-network pods carry the node's IP rather than a pod-network IP. */
  hostNetwork?: boolean;
}

const release = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev';
const lvmsRegistry = 'registry.redhat.io/lvms4';

function releaseImage(component: string): string {
  return `${release}@sha256:${sha256(`release/${component}`)}`;
}

function spec(
  namespace: string,
  name: string,
  kind: WorkloadSpec['kind'],
  containers: string[],
  hostNetwork = false,
): WorkloadSpec {
  return {
    namespace,
    name,
    kind,
    hostNetwork,
    containers: containers.map((c) => ({ name: c, image: releaseImage(`${name}/${c}`) })),
  };
}

export function coreWorkloads(lvms: boolean): WorkloadSpec[] {
  const core = [
    spec('openshift-ovn-kubernetes', 'ovnkube-master', 'DaemonSet', ['northd', 'nbdb', 'sbdb', 'ovnkube-master'], true),
    spec('openshift-ovn-kubernetes', 'ovnkube-node', 'DaemonSet', ['ovn-controller'], true),
    spec('openshift-service-ca', 'service-ca', 'Deployment', ['service-ca-controller']),
    spec('openshift-ingress', 'router-default', 'Deployment', ['router']),
    spec('openshift-dns', 'dns-default', 'DaemonSet', ['dns', 'kube-rbac-proxy']),
    spec('openshift-dns', 'node-resolver', 'DaemonSet', ['dns-node-resolver'], true),
    spec('kube-system', 'csi-snapshot-controller', 'Deployment', ['snapshot-controller']),
    spec('kube-system', 'csi-snapshot-webhook', 'Deployment', ['webhook']),
  ];
  if (!lvms) return core;
  return [
    ...core,
    {
      namespace: 'openshift-storage',
      name: 'lvms-operator',
      kind: 'Deployment',
      containers: [{ name: 'manager', image: `${lvmsRegistry}/lvms-rhel9-operator@sha256:${sha256('lvms/manager')}` }],
    },
    {
      namespace: 'openshift-storage',
      name: 'vg-manager',
      kind: 'DaemonSet',
      containers: [
        { name: 'vg-manager', image: `${lvmsRegistry}/lvms-rhel9-operator@sha256:${sha256('lvms/vg-manager')}` },
      ],
    },
  ];
}

/** Namespaces a fresh MicroShift 4.15 has, plus any the scenario's workloads need. */
export function namespaceNames(workloads: WorkloadSpec[]): string[] {
  const base = [
    'default',
    'kube-node-lease',
    'kube-public',
    'kube-system',
    'openshift-infra',
    'openshift-route-controller-manager',
  ];
  return [...new Set([...base, ...workloads.map((w) => w.namespace)])].sort();
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A uid that stays the same for the same object across simulator restarts. */
export function stableUid(key: string): string {
  const h = sha256(`uid/${key}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Kubernetes' safe alphabet for generated name suffixes (no vowels, no look-alikes).
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

export function nameSuffix(key: string, length: number): string {
  const bytes = createHash('sha256').update(`suffix/${key}`).digest();
  return [...bytes.subarray(0, length)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Pod name as the controllers make it: `<deploy>-<rs hash>-<5>` or `<ds>-<5>`. */
export function podName(workload: Pick<WorkloadSpec, 'namespace' | 'name' | 'kind'>): string {
  const key = `${workload.namespace}/${workload.name}`;
  if (workload.kind === 'DaemonSet') return `${workload.name}-${nameSuffix(key, 5)}`;
  return `${replicaSetName(workload)}-${nameSuffix(`${key}/pod`, 5)}`;
}

export function replicaSetName(workload: Pick<WorkloadSpec, 'namespace' | 'name'>): string {
  return `${workload.name}-${nameSuffix(`${workload.namespace}/${workload.name}/rs`, 10)}`;
}
