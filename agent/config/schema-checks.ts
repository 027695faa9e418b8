// Schemas for the lists in the config: MicroShift's core workloads and user-declared checks.
// Every key carries a one-line description: the shipped default config is rendered from them.
import * as z from 'zod/mini';
import { defaultWorkloads, workloadKinds } from './default-workloads.js';
import { absolutePath, argv, described, matching, wholeNumber } from './schema-parts.js';

export { defaultWorkloads, workloadKinds };

const namespace = () =>
  matching(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes namespace name (lowercase letters, digits, "-")');
const objectName = () =>
  matching(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Kubernetes object name (lowercase letters, digits, "-", ".")');

// The lists' item schemas are built on first use (z.lazy): parsing a config without checks or
// workloads of its own, as `status` and the daemon do at every start, never needs them.
export const WorkloadSchema = z.lazy(() =>
  z.strictObject({
    namespace: described(namespace(), 'Kubernetes namespace of the workload.'),
    kind: described(z.enum(workloadKinds), 'Kind of the workload: Deployment, DaemonSet or StatefulSet.'),
    name: described(objectName(), 'Name of the workload object.'),
    when: described(
      z._default(z.enum(['always', 'lvms']), 'always'),
      'When the workload is expected: always, or only when LVMS storage is expected on this host.',
    ),
  }),
);
export type WorkloadSpec = z.infer<typeof WorkloadSchema>;

export const checkIdPattern = /^[a-z0-9][a-z0-9._-]*$/;

export const CheckSchema = z.lazy(checkSchema);
export type CheckSpec = z.infer<typeof CheckSchema>;

function checkSchema() {
  // Fields every check kind shares. Spread into each variant so every variant stays a strict object.
  const common = {
    id: described(
      matching(checkIdPattern, 'an id of lowercase letters, digits, ".", "_", "-"'),
      'Unique id of the check (lowercase letters, digits, ".", "_", "-"), used in records, logs and disabledChecks.',
    ),
    class: described(
      z._default(z.enum(['required', 'wanted']), 'required'),
      'required: a failure makes the boot red (and may roll back an update); wanted: a failure is only reported.',
    ),
    timeoutSec: described(
      z.optional(wholeNumber(1, 86400)),
      'How long the check may take in seconds; unset means the wait budget of this boot.',
    ),
    description: described(
      z.optional(z.string().check(z.maxLength(200))),
      'One line shown next to the check in status and logs.',
    ),
  };

  const UnitCheck = z.strictObject({
    kind: described(z.literal('unit'), 'Passes when a systemd unit is active.'),
    ...common,
    unit: described(
      matching(/^[^\s/]+$/, 'a systemd unit name'),
      'Name of the systemd unit, for example my-app.service.',
    ),
  });

  const WorkloadCheck = z.strictObject({
    kind: described(
      z.literal('workload'),
      'Passes when a Kubernetes workload on MicroShift is fully rolled out and available.',
    ),
    ...common,
    namespace: described(namespace(), 'Kubernetes namespace of the workload.'),
    resource: described(z.enum(workloadKinds), 'Kind of the workload: Deployment, DaemonSet or StatefulSet.'),
    name: described(objectName(), 'Name of the workload object.'),
  });

  const HttpCheck = z.strictObject({
    kind: described(z.literal('http'), 'Passes when an HTTP(S) GET answers with the expected status.'),
    ...common,
    url: described(
      matching(/^https?:\/\/[^\s/]+/, 'an http:// or https:// URL'),
      'The http:// or https:// URL to GET.',
    ),
    expectStatus: described(z._default(wholeNumber(100, 599), 200), 'HTTP status code that counts as healthy.'),
    ca: described(
      z.optional(absolutePath()),
      'PEM file of the CA that signs the server certificate; unset means the system trust store.',
    ),
    insecureSkipVerify: described(
      z._default(z.boolean(), false),
      'Skip TLS certificate verification (only for self-signed test endpoints).',
    ),
  });

  const TcpCheck = z.strictObject({
    kind: described(z.literal('tcp'), 'Passes when a TCP connection to host:port succeeds.'),
    ...common,
    host: described(z.string().check(z.minLength(1)), 'Host name or IP address to connect to.'),
    port: described(wholeNumber(1, 65535), 'TCP port to connect to.'),
  });

  const CommandCheck = z.strictObject({
    kind: described(z.literal('command'), 'Passes when a command exits with the expected code.'),
    ...common,
    command: described(argv(), 'Program and arguments as a list (run directly, never through a shell).'),
    expectExit: described(z._default(wholeNumber(0, 255), 0), 'Exit code that counts as healthy.'),
  });

  return z.discriminatedUnion('kind', [UnitCheck, WorkloadCheck, HttpCheck, TcpCheck, CommandCheck]);
}

export const ChecksSchema = z.array(CheckSchema).check(
  z.superRefine((checks, ctx) => {
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
  }),
);
