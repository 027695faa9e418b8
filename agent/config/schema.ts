// The one schema of /etc/edge-agent/config.yaml. Every key has a default and a one-line
// description: `ConfigSchema.parse({})` is the complete default config, and describe.ts renders
// the shipped, fully commented config.yaml from this file. Objects are strict so a misspelt key
// is an error naming the key, not a setting silently ignored.
import * as z from 'zod';
import { absolutePath, argv, matching, seconds } from './schema-parts.js';
import { ChecksSchema, WorkloadSchema, defaultWorkloads } from './schema-checks.js';

export { CheckSchema, WorkloadSchema, type CheckSpec, type WorkloadSpec } from './schema-checks.js';

const autoOnOff = z.enum(['auto', 'on', 'off']);
// journald's size syntax (SystemMaxUse=): bytes, or a number with a K/M/G/T suffix.
const journalSize = matching(/^\d+[KMGT]?$/, 'a journald size such as 512M or 1G');

const MicroshiftSchema = z.strictObject({
  check: autoOnOff
    .default('auto')
    .describe(
      'Check MicroShift at boot: auto = only when microshift.service is installed and enabled, on = always, off = never.',
    ),
  kubeconfig: absolutePath()
    .default('/var/lib/microshift/resources/kubeadmin/kubeconfig')
    .describe('Kubeconfig used to reach the MicroShift API.'),
  workloads: z
    .array(WorkloadSchema)
    .default(defaultWorkloads)
    .describe(
      'MicroShift core workloads that must be ready for the boot to be green (default: the MicroShift 4.15 core set).',
    ),
  lvms: autoOnOff
    .default('auto')
    .describe(
      'Expect the LVMS storage workloads: auto = detect like MicroShift does (lvmd.yaml or a suitable volume group), on, off.',
    ),
  restartWindowSec: seconds(10, 3600)
    .default(60)
    .describe('Window in seconds in which a growing restart count of microshift.service fails the check.'),
  crashLoopRestarts: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Growth of NRestarts of microshift.service within the window that counts as a crash loop.'),
  containerRestarts: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('Growth of a core container restart count within the window that fails the check.'),
  waitTimeoutSec: seconds(60, 9999)
    .optional()
    .describe(
      'Base of the wait budget in seconds; unset means MICROSHIFT_WAIT_TIMEOUT_SEC from greenboot.conf, else 600.',
    ),
});

const WantedSchema = z.strictObject({
  varMinFreeMiB: z.number().int().min(0).default(1024).describe('Free space in MiB that /var must have.'),
  vgMinFreeGiB: z
    .number()
    .min(0)
    .default(1)
    .describe('Free space in GiB that the LVM volume group must have for workload volumes.'),
  vgName: z.string().min(1).default('rhel').describe('Name of the LVM volume group whose free space is checked.'),
  clockSyncRequired: z
    .boolean()
    .default(true)
    .describe('Report a problem when the system clock is not synchronized (TLS and certificates need a correct time).'),
  registryMirrorConfig: absolutePath()
    .default('/etc/containers/registries.conf.d')
    .describe('Directory of container registry mirror configuration checked for air-gapped sites.'),
  pullSecret: absolutePath()
    .default('/etc/crio/openshift-pull-secret')
    .describe('Pull secret CRI-O uses; checked to exist, be owned by root and have mode 0600.'),
});

const BootsSchema = z.strictObject({
  dir: absolutePath()
    .default('/var/lib/edge-agent/boots')
    .describe('Directory of the per-boot records (in /var so they survive a rollback).'),
  keep: z
    .number()
    .int()
    .min(5)
    .max(1000)
    .default(50)
    .describe('How many boot records to keep; the oldest are removed first.'),
});

const JournalSchema = z.strictObject({
  ensurePersistent: z
    .boolean()
    .default(true)
    .describe('Make the journal persistent so logs of failed boots survive the rollback.'),
  systemMaxUse: journalSize
    .default('1G')
    .describe('SystemMaxUse= for the persistent journal (journald size syntax, for example 512M or 1G).'),
  runtimeMaxUse: journalSize
    .default('1G')
    .describe('RuntimeMaxUse= for the volatile journal in /run (journald size syntax).'),
});

const HookSchema = z.strictObject({
  name: matching(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_", "-"').describe(
    'Name of the hook, shown in logs and the boot record.',
  ),
  command: argv().describe('Program and arguments as a list (run directly, never through a shell).'),
  timeoutSec: seconds(1, 3600).default(30).describe('How long the hook may run in seconds before it is killed.'),
});

const PreRollbackSchema = z
  .strictObject({
    microshiftCleanup: z
      .boolean()
      .default(true)
      .describe('Before the rollback, mark the MicroShift backup for restore and clean up its pods and OVN state.'),
    totalTimeoutSec: seconds(10, 3600).default(120).describe('Time in seconds for all pre-rollback steps together.'),
    stepTimeoutSec: seconds(1, 3600).default(30).describe('Time in seconds for one pre-rollback step.'),
    hooks: z
      .array(HookSchema)
      .default([])
      .describe('Your own commands to run before a rollback, in order, after the MicroShift cleanup.'),
  })
  .superRefine((value, ctx) => {
    if (value.stepTimeoutSec <= value.totalTimeoutSec) return;
    ctx.addIssue({
      code: 'custom',
      path: ['stepTimeoutSec'],
      input: value.stepTimeoutSec,
      message: 'is longer than totalTimeoutSec',
      params: { expected: `at most totalTimeoutSec (${value.totalTimeoutSec})` },
    });
  });

const HubSchema = z
  .strictObject({
    url: matching(/^mqtts?:\/\/[^\s/]+/, 'an mqtts:// (or mqtt://) URL').describe(
      'Broker URL, for example mqtts://hub.example.com:8883.',
    ),
    allowInsecure: z.boolean().default(false).describe('Allow a plain mqtt:// URL without TLS (test setups only).'),
    ca: absolutePath()
      .optional()
      .describe('PEM file of the CA that signs the broker certificate; unset means the system trust store.'),
    cert: absolutePath().optional().describe('PEM client certificate of this device; its CN is the device id.'),
    key: absolutePath()
      .optional()
      .describe('PEM private key of the client certificate (the file is read only when connecting).'),
    deviceId: matching(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits, ".", "_", ":", "-" (no / + #)')
      .optional()
      .describe('Device id in topics; unset means the client certificate CN, else /etc/machine-id.'),
    topicPrefix: matching(
      /^[^/+#\s]+(\/[^/+#\s]+)*$/,
      'topic levels separated by / without wildcards, for example edge/v1',
    )
      .default('edge/v1')
      .describe('Topic prefix; the device publishes below <topicPrefix>/<deviceId>/.'),
    heartbeatSec: seconds(60, 86400)
      .default(3600)
      .describe('Republish the status at least this often in seconds, even when nothing changed.'),
    statusMinIntervalSec: seconds(1, 3600)
      .default(30)
      .describe('Publish the status at most this often in seconds when it changes quickly.'),
    keepaliveSec: seconds(5, 65535).default(60).describe('MQTT keepalive interval in seconds.'),
  })
  .superRefine((hub, ctx) => {
    if (hub.url.startsWith('mqtt://') && !hub.allowInsecure) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        input: hub.url,
        message: 'must be mqtts:// unless hub.allowInsecure is true (plain mqtt:// sends device data unencrypted)',
        params: { expected: 'an mqtts:// URL' },
      });
    }
    if ((hub.cert === undefined) !== (hub.key === undefined)) {
      const missing = hub.cert === undefined ? 'cert' : 'key';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        input: undefined,
        message: 'cert and key go together: set both or neither',
        params: { expected: 'a path' },
      });
    }
  });

// The hub service's HTTP API (edge-agent hub), used only by `support-bundle --upload`; the MQTT
// hub above stays the reporting path.
const HubServiceSchema = z.strictObject({
  url: matching(/^https?:\/\/[^\s/]+/, 'an https:// (or http://) URL').describe(
    'URL of the hub service, for example https://hub.example.com:8787.',
  ),
  tokenFile: absolutePath()
    .optional()
    .describe('File holding the bearer token of the hub service API (mode 0600; never copied into a bundle).'),
  ca: absolutePath()
    .optional()
    .describe('PEM file of the CA that signs the hub service certificate; unset means the system trust store.'),
});

const OutboxSchema = z.strictObject({
  dir: absolutePath()
    .default('/var/lib/edge-agent/outbox')
    .describe('Directory of the durable queue of events waiting for the hub.'),
  maxBytes: z
    .number()
    .int()
    .min(65536)
    .default(5 * 1024 * 1024)
    .describe('Size limit of the queue in bytes; the oldest events are dropped (and counted) beyond it.'),
  maxEvents: z
    .number()
    .int()
    .min(100)
    .max(1_000_000)
    .default(10000)
    .describe('Number of events the queue keeps at most; the oldest are dropped (and counted) beyond it.'),
});

const DaemonSchema = z.strictObject({
  healthIntervalSec: seconds(10, 86400)
    .default(300)
    .describe('How often in seconds the daemon re-runs the health checks after boot.'),
  updateCheckIntervalSec: seconds(10, 86400)
    .default(300)
    .describe('How often in seconds the daemon looks for staged or new deployments.'),
  watchdog: z.boolean().default(true).describe('Ping the systemd watchdog when the unit sets WatchdogSec=.'),
});

const LogSchema = z.strictObject({
  level: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Lowest level written to the journal (a pino level).'),
});

export const ConfigSchema = z.strictObject({
  microshift: MicroshiftSchema.prefault({}).describe('How the MicroShift health check works.'),
  checks: ChecksSchema.default([]).describe('Your own health checks, run at every boot next to the built-in ones.'),
  disabledChecks: z
    .array(z.string().min(1))
    .default([])
    .describe('Ids of checks to skip, built-in or your own (like greenboot DISABLED_HEALTHCHECKS).'),
  wanted: WantedSchema.prefault({}).describe(
    'Thresholds of the built-in wanted checks, whose failures are reported but never make the boot red.',
  ),
  boots: BootsSchema.prefault({}).describe('Per-boot records kept in /var.'),
  journal: JournalSchema.prefault({}).describe('Persistence of the systemd journal.'),
  preRollback: PreRollbackSchema.prefault({}).describe(
    'What happens on the last red boot before greenboot rolls the update back.',
  ),
  hub: HubSchema.optional().describe(
    'The MQTT hub to report to over TLS with a client certificate; leave it out to run without a hub.',
  ),
  hubService: HubServiceSchema.optional().describe(
    'The hub service API that `edge-agent support-bundle --upload` sends bundles to; leave it out to keep bundles local.',
  ),
  outbox: OutboxSchema.prefault({}).describe(
    'Durable queue of events for the hub, so nothing is lost while the device is offline.',
  ),
  daemon: DaemonSchema.prefault({}).describe('The edge-agent daemon (edge-agent run).'),
  log: LogSchema.prefault({}).describe('Logging.'),
});

export type Config = z.infer<typeof ConfigSchema>;
export type HubConfig = NonNullable<Config['hub']>;

/** The complete default configuration, a fresh object on each call. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
