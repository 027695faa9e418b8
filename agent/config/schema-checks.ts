// Schemas for the lists in the config: MicroShift's core workloads and user-declared checks.
// Every key carries a one-line description: the shipped default config is rendered from them.
import * as z from 'zod';
import { absolutePath, argv, matching } from './schema-parts.js';

export const workloadKinds = ['Deployment', 'DaemonSet', 'StatefulSet'] as const;

const namespace = matching(
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
  'a Kubernetes namespace name (lowercase letters, digits, "-")',
);
const objectName = matching(
  /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
  'a Kubernetes object name (lowercase letters, digits, "-", ".")',
);

export const WorkloadSchema = z.strictObject({
  namespace: namespace.describe('Kubernetes namespace of the workload.'),
  kind: z.enum(workloadKinds).describe('Kind of the workload: Deployment, DaemonSet or StatefulSet.'),
  name: objectName.describe('Name of the workload object.'),
  when: z
    .enum(['always', 'lvms'])
    .default('always')
    .describe('When the workload is expected: always, or only when LVMS storage is expected on this host.'),
});
export type WorkloadSpec = z.infer<typeof WorkloadSchema>;

// MicroShift 4.15's core set, named the way MicroShift 4.19+ checks it (by object, not by pod
// count), so extra pods in these namespaces (a GPU plugin in kube-system) cannot fail the boot.
const core = (
  namespace: string,
  kind: WorkloadSpec['kind'],
  name: string,
  when: WorkloadSpec['when'] = 'always',
): WorkloadSpec => ({ namespace, kind, name, when });
export const defaultWorkloads = (): WorkloadSpec[] => [
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

export const checkIdPattern = /^[a-z0-9][a-z0-9._-]*$/;

// Fields every check kind shares. Spread into each variant so every variant stays a strict object.
const common = {
  id: matching(checkIdPattern, 'an id of lowercase letters, digits, ".", "_", "-"').describe(
    'Unique id of the check (lowercase letters, digits, ".", "_", "-"), used in records, logs and disabledChecks.',
  ),
  class: z
    .enum(['required', 'wanted'])
    .default('required')
    .describe(
      'required: a failure makes the boot red (and may roll back an update); wanted: a failure is only reported.',
    ),
  timeoutSec: z
    .number()
    .int()
    .min(1)
    .max(86400)
    .optional()
    .describe('How long the check may take in seconds; unset means the wait budget of this boot.'),
  description: z.string().max(200).optional().describe('One line shown next to the check in status and logs.'),
};

const UnitCheck = z.strictObject({
  kind: z.literal('unit').describe('Passes when a systemd unit is active.'),
  ...common,
  unit: matching(/^[^\s/]+$/, 'a systemd unit name').describe('Name of the systemd unit, for example my-app.service.'),
});

const WorkloadCheck = z.strictObject({
  kind: z
    .literal('workload')
    .describe('Passes when a Kubernetes workload on MicroShift is fully rolled out and available.'),
  ...common,
  namespace: namespace.describe('Kubernetes namespace of the workload.'),
  resource: z.enum(workloadKinds).describe('Kind of the workload: Deployment, DaemonSet or StatefulSet.'),
  name: objectName.describe('Name of the workload object.'),
});

const HttpCheck = z.strictObject({
  kind: z.literal('http').describe('Passes when an HTTP(S) GET answers with the expected status.'),
  ...common,
  url: matching(/^https?:\/\/[^\s/]+/, 'an http:// or https:// URL').describe('The http:// or https:// URL to GET.'),
  expectStatus: z.number().int().min(100).max(599).default(200).describe('HTTP status code that counts as healthy.'),
  ca: absolutePath()
    .optional()
    .describe('PEM file of the CA that signs the server certificate; unset means the system trust store.'),
  insecureSkipVerify: z
    .boolean()
    .default(false)
    .describe('Skip TLS certificate verification (only for self-signed test endpoints).'),
});

const TcpCheck = z.strictObject({
  kind: z.literal('tcp').describe('Passes when a TCP connection to host:port succeeds.'),
  ...common,
  host: z.string().min(1).describe('Host name or IP address to connect to.'),
  port: z.number().int().min(1).max(65535).describe('TCP port to connect to.'),
});

const CommandCheck = z.strictObject({
  kind: z.literal('command').describe('Passes when a command exits with the expected code.'),
  ...common,
  command: argv().describe('Program and arguments as a list (run directly, never through a shell).'),
  expectExit: z.number().int().min(0).max(255).default(0).describe('Exit code that counts as healthy.'),
});

export const CheckSchema = z.discriminatedUnion('kind', [UnitCheck, WorkloadCheck, HttpCheck, TcpCheck, CommandCheck]);
export type CheckSpec = z.infer<typeof CheckSchema>;

export const ChecksSchema = z.array(CheckSchema).superRefine((checks, ctx) => {
  const firstIndex = new Map<string, number>();
  checks.forEach((check, index) => {
    const first = firstIndex.get(check.id);
    if (first === undefined) return void firstIndex.set(check.id, index);
    ctx.addIssue({
      code: 'custom',
      path: [index, 'id'],
      input: check.id,
      message: `duplicate check id "${check.id}": checks[${first}] and checks[${index}] both use it`,
      params: { expected: 'an id used by one check only' },
    });
  });
});
