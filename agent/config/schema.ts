// The one schema of /etc/edge-agent/config.yaml. Every key has a default and a one-line
// description: `ConfigSchema.parse({})` is the complete default config, and describe.ts renders
// the shipped, fully commented config.yaml from this file. Objects are strict so a misspelt key
// is an error naming the key, not a setting silently ignored.
import * as z from 'zod/mini';
import { absolutePath, argv, described, matching, seconds, wholeNumber } from './schema-parts.js';
import { ChecksSchema, WorkloadSchema, defaultWorkloads } from './schema-checks.js';

export { CheckSchema, WorkloadSchema, type CheckSpec, type WorkloadSpec } from './schema-checks.js';

const autoOnOff = () => z.enum(['auto', 'on', 'off']);
// journald's size syntax (SystemMaxUse=): bytes, or a number with a K/M/G/T suffix.
const journalSize = () => matching(/^\d+[KMGT]?$/, 'a journald size such as 512M or 1G');
// Shorthands for the wrappers every key has: a default, or none (optional).
const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.output<T>, text: string) =>
  described(z._default(schema, value as never), text);
const optional = <T extends z.ZodMiniType>(schema: T, text: string) => described(z.optional(schema), text);
// An object that is complete when absent: its own keys' defaults apply.
const section = <T extends z.ZodMiniType>(schema: T, text: string) => described(z.prefault(schema, {} as never), text);

const MicroshiftSchema = z.strictObject({
  check: withDefault(
    autoOnOff(),
    'auto',
    'Check MicroShift at boot: auto = only when microshift.service is installed and enabled, on = always, off = never.',
  ),
  kubeconfig: withDefault(
    absolutePath(),
    '/var/lib/microshift/resources/kubeadmin/kubeconfig',
    'Kubeconfig used to reach the MicroShift API.',
  ),
  workloads: described(
    z._default(z.array(WorkloadSchema), defaultWorkloads),
    'MicroShift core workloads that must be ready for the boot to be green (default: the MicroShift 4.15 core set).',
  ),
  lvms: withDefault(
    autoOnOff(),
    'auto',
    'Expect the LVMS storage workloads: auto = detect like MicroShift does (lvmd.yaml or a suitable volume group), on, off.',
  ),
  restartWindowSec: withDefault(
    seconds(10, 3600),
    60,
    'Window in seconds in which a growing restart count of microshift.service fails the check.',
  ),
  crashLoopRestarts: withDefault(
    wholeNumber(1, 100),
    3,
    'Growth of NRestarts of microshift.service within the window that counts as a crash loop.',
  ),
  containerRestarts: withDefault(
    wholeNumber(1, 100),
    3,
    'Growth of a core container restart count within the window that fails the check.',
  ),
  waitTimeoutSec: optional(
    seconds(60, 9999),
    'Base of the wait budget in seconds; unset means MICROSHIFT_WAIT_TIMEOUT_SEC from greenboot.conf, else 600.',
  ),
});

const WantedSchema = z.strictObject({
  varMinFreeMiB: withDefault(wholeNumber(0), 1024, 'Free space in MiB that /var must have.'),
  vgMinFreeGiB: withDefault(
    z.number().check(z.gte(0)),
    1,
    'Free space in GiB that the LVM volume group must have for workload volumes.',
  ),
  vgName: withDefault(
    z.string().check(z.minLength(1)),
    'rhel',
    'Name of the LVM volume group whose free space is checked.',
  ),
  clockSyncRequired: withDefault(
    z.boolean(),
    true,
    'Report a problem when the system clock is not synchronized (TLS and certificates need a correct time).',
  ),
  registryMirrorConfig: withDefault(
    absolutePath(),
    '/etc/containers/registries.conf.d',
    'Directory of container registry mirror configuration checked for air-gapped sites.',
  ),
  pullSecret: withDefault(
    absolutePath(),
    '/etc/crio/openshift-pull-secret',
    'Pull secret CRI-O uses; checked to exist, be owned by root and have mode 0600.',
  ),
});

const BootsSchema = z.strictObject({
  dir: withDefault(
    absolutePath(),
    '/var/lib/edge-agent/boots',
    'Directory of the per-boot records (in /var so they survive a rollback).',
  ),
  keep: withDefault(wholeNumber(5, 1000), 50, 'How many boot records to keep; the oldest are removed first.'),
});

const JournalSchema = z.strictObject({
  ensurePersistent: withDefault(
    z.boolean(),
    true,
    'Make the journal persistent so logs of failed boots survive the rollback.',
  ),
  systemMaxUse: withDefault(
    journalSize(),
    '1G',
    'SystemMaxUse= for the persistent journal (journald size syntax, for example 512M or 1G).',
  ),
  runtimeMaxUse: withDefault(
    journalSize(),
    '1G',
    'RuntimeMaxUse= for the volatile journal in /run (journald size syntax).',
  ),
});

const HookSchema = z.strictObject({
  name: described(
    matching(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_", "-"'),
    'Name of the hook, shown in logs and the boot record.',
  ),
  command: described(argv(), 'Program and arguments as a list (run directly, never through a shell).'),
  timeoutSec: withDefault(seconds(1, 3600), 30, 'How long the hook may run in seconds before it is killed.'),
});

const PreRollbackSchema = z
  .strictObject({
    microshiftCleanup: withDefault(
      z.boolean(),
      true,
      'Before the rollback, mark the MicroShift backup for restore and clean up its pods and OVN state.',
    ),
    totalTimeoutSec: withDefault(seconds(10, 3600), 120, 'Time in seconds for all pre-rollback steps together.'),
    stepTimeoutSec: withDefault(seconds(1, 3600), 30, 'Time in seconds for one pre-rollback step.'),
    hooks: withDefault(
      z.array(HookSchema),
      [],
      'Your own commands to run before a rollback, in order, after the MicroShift cleanup.',
    ),
  })
  .check(
    z.superRefine((value, ctx) => {
      if (value.stepTimeoutSec <= value.totalTimeoutSec) return;
      ctx.addIssue({
        code: 'custom',
        path: ['stepTimeoutSec'],
        input: value.stepTimeoutSec,
        message: 'is longer than totalTimeoutSec',
        params: { expected: `at most totalTimeoutSec (${value.totalTimeoutSec})` },
      });
    }),
  );

const HubSchema = z
  .strictObject({
    url: described(
      matching(/^mqtts?:\/\/[^\s/]+/, 'an mqtts:// (or mqtt://) URL'),
      'Broker URL, for example mqtts://hub.example.com:8883.',
    ),
    allowInsecure: withDefault(z.boolean(), false, 'Allow a plain mqtt:// URL without TLS (test setups only).'),
    ca: optional(
      absolutePath(),
      'PEM file of the CA that signs the broker certificate; unset means the system trust store.',
    ),
    cert: optional(absolutePath(), 'PEM client certificate of this device; its CN is the device id.'),
    key: optional(absolutePath(), 'PEM private key of the client certificate (the file is read only when connecting).'),
    deviceId: optional(
      matching(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits, ".", "_", ":", "-" (no / + #)'),
      'Device id in topics; unset means the client certificate CN, else /etc/machine-id.',
    ),
    topicPrefix: withDefault(
      matching(/^[^/+#\s]+(\/[^/+#\s]+)*$/, 'topic levels separated by / without wildcards, for example edge/v1'),
      'edge/v1',
      'Topic prefix; the device publishes below <topicPrefix>/<deviceId>/.',
    ),
    heartbeatSec: withDefault(
      seconds(60, 86400),
      3600,
      'Republish the status at least this often in seconds, even when nothing changed.',
    ),
    statusMinIntervalSec: withDefault(
      seconds(1, 3600),
      30,
      'Publish the status at most this often in seconds when it changes quickly.',
    ),
    keepaliveSec: withDefault(seconds(5, 65535), 60, 'MQTT keepalive interval in seconds.'),
  })
  .check(
    z.superRefine((hub, ctx) => {
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
    }),
  );

// The hub service's HTTP API (edge-agent hub), used only by `support-bundle --upload`; the MQTT
// hub above stays the reporting path.
const HubServiceSchema = z.strictObject({
  url: described(
    matching(/^https?:\/\/[^\s/]+/, 'an https:// (or http://) URL'),
    'URL of the hub service, for example https://hub.example.com:8787.',
  ),
  tokenFile: optional(
    absolutePath(),
    'File holding the bearer token of the hub service API (mode 0600; never copied into a bundle).',
  ),
  ca: optional(
    absolutePath(),
    'PEM file of the CA that signs the hub service certificate; unset means the system trust store.',
  ),
});

const OutboxSchema = z.strictObject({
  dir: withDefault(
    absolutePath(),
    '/var/lib/edge-agent/outbox',
    'Directory of the durable queue of events waiting for the hub.',
  ),
  maxBytes: withDefault(
    wholeNumber(65536),
    5 * 1024 * 1024,
    'Size limit of the queue in bytes; the oldest events are dropped (and counted) beyond it.',
  ),
  maxEvents: withDefault(
    wholeNumber(100, 1_000_000),
    10000,
    'Number of events the queue keeps at most; the oldest are dropped (and counted) beyond it.',
  ),
});

const DaemonSchema = z.strictObject({
  healthIntervalSec: withDefault(
    seconds(10, 86400),
    300,
    'How often in seconds the daemon re-runs the health checks after boot.',
  ),
  updateCheckIntervalSec: withDefault(
    seconds(10, 86400),
    300,
    'How often in seconds the daemon looks for staged or new deployments.',
  ),
  watchdog: withDefault(z.boolean(), true, 'Ping the systemd watchdog when the unit sets WatchdogSec=.'),
});

const LogSchema = z.strictObject({
  level: withDefault(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'info',
    'Lowest level written to the journal (a pino level).',
  ),
});

export const ConfigSchema = z.strictObject({
  microshift: section(MicroshiftSchema, 'How the MicroShift health check works.'),
  checks: withDefault(ChecksSchema, [], 'Your own health checks, run at every boot next to the built-in ones.'),
  disabledChecks: withDefault(
    z.array(z.string().check(z.minLength(1))),
    [],
    'Ids of checks to skip, built-in or your own (like greenboot DISABLED_HEALTHCHECKS).',
  ),
  wanted: section(
    WantedSchema,
    'Thresholds of the built-in wanted checks, whose failures are reported but never make the boot red.',
  ),
  boots: section(BootsSchema, 'Per-boot records kept in /var.'),
  journal: section(JournalSchema, 'Persistence of the systemd journal.'),
  preRollback: section(PreRollbackSchema, 'What happens on the last red boot before greenboot rolls the update back.'),
  hub: optional(
    HubSchema,
    'The MQTT hub to report to over TLS with a client certificate; leave it out to run without a hub.',
  ),
  hubService: optional(
    HubServiceSchema,
    'The hub service API that `edge-agent support-bundle --upload` sends bundles to; leave it out to keep bundles local.',
  ),
  outbox: section(OutboxSchema, 'Durable queue of events for the hub, so nothing is lost while the device is offline.'),
  daemon: section(DaemonSchema, 'The edge-agent daemon (edge-agent run).'),
  log: section(LogSchema, 'Logging.'),
});

export type Config = z.infer<typeof ConfigSchema>;
export type HubConfig = NonNullable<Config['hub']>;

/** The complete default configuration, a fresh object on each call. */
export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}
