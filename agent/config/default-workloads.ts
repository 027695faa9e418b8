// MicroShift 4.15's core set, named the way MicroShift 4.19+ checks it (by object, not by pod
// count), so extra pods in these namespaces (a GPU plugin in kube-system) cannot fail the boot.
// Plain data without the schema: `status` asks the API for these without loading any zod.

export const workloadKinds = ['Deployment', 'DaemonSet', 'StatefulSet'] as const;

/** One core workload, as WorkloadSchema (schema-checks.ts) gives it. */
export interface DefaultWorkload {
  namespace: string;
  kind: (typeof workloadKinds)[number];
  name: string;
  when: 'always' | 'lvms';
}

const core = (
  namespace: string,
  kind: DefaultWorkload['kind'],
  name: string,
  when: DefaultWorkload['when'] = 'always',
): DefaultWorkload => ({ namespace, kind, name, when });

export const defaultWorkloads = (): DefaultWorkload[] => [
  core('openshift-ovn-kubernetes', 'DaemonSet', 'ovnkube-master'),
  core('openshift-ovn-kubernetes', 'DaemonSet', 'ovnkube-node'),
  core('openshift-service-ca', 'Deployment', 'service-ca'),
  core('openshift-ingress', 'Deployment', 'router-default'),
  core('openshift-dns', 'DaemonSet', 'dns-default'),
  core('openshift-dns', 'DaemonSet', 'node-resolver'),
  core('kube-system', 'Deployment', 'csi-snapshot-controller'),
  core('kube-system', 'Deployment', 'csi-snapshot-webhook'),
  core('openshift-storage', 'Deployment', 'lvms-operator', 'lvms'),
  core('openshift-storage', 'DaemonSet', 'vg-manager', 'lvms'),
];
