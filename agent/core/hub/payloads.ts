// The hub protocol's payloads: what a device publishes below <topicPrefix>/<deviceId>/. These zod
// schemas are the contract; packaging/schemas/hub-*.schema.json is generated from them for hub
// developers (agent/hub/export-schemas.ts, kept in sync by a test).
//
// Wire rules: compact JSON (no whitespace), `v` is the schema version and only grows, objects
// accept unknown fields so an older reader copes with what a newer agent sends.
import * as z from 'zod/mini';
import { about, count, optional } from '../zod.js';
import { ReadinessHubSchema } from '../readiness/schema.js';

export const HUB_SCHEMA_VERSION = 1;

/** Topic suffixes below <topicPrefix>/<deviceId>/. */
export const HUB_TOPICS = { status: 'status', events: 'events', online: 'online' } as const;

export const ONLINE_PAYLOADS = ['online', 'offline'] as const;
export const OnlineSchema = about(
  z.enum(ONLINE_PAYLOADS),
  'Retained payload of <prefix>/<device>/online (a plain string, not JSON); "offline" is the MQTT last will.',
);
export type OnlineState = z.infer<typeof OnlineSchema>;

const time = () => about(z.iso.datetime(), 'UTC time, ISO 8601 with milliseconds');

export const EventIdSchema = about(
  z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)),
  'Unique, time-ordered event id (ULID: 48-bit milliseconds + 80 random bits, Crockford base32); the hub de-duplicates on it',
);

const DeploymentRefSchema = z.looseObject({
  version: optional(z.string(), 'Version of the OS image (rpm-ostree "version")'),
  checksum: about(z.string(), 'Commit checksum, shortened to 12 hex digits'),
});
export type DeploymentRef = z.infer<typeof DeploymentRefSchema>;

const AttemptSchema = z.looseObject({
  n: about(count(), 'Boot attempt of this deployment (greenboot counter)'),
  max: about(count(), 'Attempts before greenboot rolls back'),
});

export const VerdictSchema = z.enum(['green', 'red', 'checking', 'unknown']);
export type Verdict = z.infer<typeof VerdictSchema>;

const RollbackSummarySchema = z.looseObject({
  at: time(),
  from: about(DeploymentRefSchema, 'The deployment that failed'),
  to: about(DeploymentRefSchema, 'The deployment booted instead'),
  reason: about(z.string(), 'Why, in one line (the failed check and its reason code when known)'),
});

export const DeviceStatusSchema = about(
  z.looseObject({
    v: about(count(1), 'Schema version'),
    device: about(z.string(), 'Device id (the client certificate CN)'),
    agent: about(z.string(), 'edge-agent version'),
    booted: optional(DeploymentRefSchema, 'The booted deployment'),
    staged: optional(DeploymentRefSchema, 'A deployment staged for the next boot'),
    verdict: about(VerdictSchema, 'Verdict of the current boot'),
    attempt: optional(AttemptSchema),
    rollback: optional(RollbackSummarySchema, 'The last rollback'),
    microshift: optional(
      z.looseObject({
        unit: about(z.string(), 'ActiveState of microshift.service'),
        apiReady: z.boolean(),
        workloads: z.looseObject({ ready: count(), total: count() }),
      }),
    ),
    journalPersistent: optional(z.boolean()),
    readiness: optional(ReadinessHubSchema),
    greenbootRunning: optional(
      z.looseObject({
        script: about(z.string(), 'File name of the greenboot script running now (control characters escaped)'),
        kind: z.enum(['required', 'wanted', 'green', 'red']),
        since: optional(time(), 'When it started: greenboot has no limit per script'),
      }),
      "While greenboot's check runs: the script it is on",
    ),
    outbox: z.looseObject({
      queued: about(count(), 'Events waiting for the hub'),
      dropped: about(count(), 'Events dropped since install (queue full)'),
    }),
    connectedAt: optional(time(), 'Start of the current MQTT session'),
    updatedAt: time(),
  }),
  'Retained payload of <prefix>/<device>/status (QoS 1), republished on change and as a heartbeat',
);
export type DeviceStatus = z.infer<typeof DeviceStatusSchema>;
/** What the daemon knows; the sink adds identity, outbox counts and times. */
export type DeviceStatusInput = Pick<
  DeviceStatus,
  | 'booted'
  | 'staged'
  | 'verdict'
  | 'attempt'
  | 'rollback'
  | 'microshift'
  | 'journalPersistent'
  | 'readiness'
  | 'greenbootRunning'
>;

const bodies = {
  'boot-verdict': z.looseObject({
    verdict: z.enum(['green', 'red']),
    bootId: optional(z.string()),
    deployment: optional(DeploymentRefSchema),
    attempt: optional(AttemptSchema),
    failed: optional(z.array(z.looseObject({ check: z.string(), reason: z.string() })), 'Failed required checks'),
    scripts: optional(
      z.array(
        z.looseObject({
          name: about(z.string(), 'Script file name as greenboot logs it (control characters escaped)'),
          kind: about(z.string(), 'required, wanted, green or red'),
          exitCode: optional(z.int()),
          lastLines: optional(z.array(z.string()), 'Its last lines (at most 3 here; the record keeps 10)'),
        }),
      ),
      "greenboot scripts of any vendor that failed this boot, from greenboot's journal",
    ),
    stoppedBy: optional(z.string(), 'The required greenboot script greenboot stopped at'),
  }),
  'rollback-detected': z.extend(z.partial(RollbackSummarySchema, { at: true }), {
    preRollback: optional(
      z.array(
        z.looseObject({
          id: about(
            z.string(),
            'The step, e.g. stop-microshift, remove-pods, hook:<name>; pre-rollback when all were skipped',
          ),
          outcome: about(z.string(), 'done, warning, failed or skipped'),
          message: optional(z.string(), 'At most 200 characters'),
        }),
      ),
      "What boot red stopped, removed or saved on the failed deployment's last boot, each with its outcome",
    ),
  }),
  'check-failed': z.looseObject({
    check: z.string(),
    class: z.enum(['required', 'wanted']),
    reason: about(z.string(), 'Machine reason code'),
    message: optional(z.string()),
  }),
  'update-staged': z.looseObject({ deployment: DeploymentRefSchema }),
  'journal-persistence-changed': z.looseObject({ persistent: z.boolean(), reason: optional(z.string()) }),
  preflight: about(
    z.looseObject({
      deployment: about(DeploymentRefSchema, 'The staged deployment the result is about'),
      status: about(z.enum(['pass', 'warn', 'fail']), 'fail when any item fails, else warn when any warns'),
      counts: z.looseObject({ pass: count(), warn: count(), fail: count() }),
      items: about(
        z.array(
          z.looseObject({
            id: z.string(),
            status: z.enum(['warn', 'fail']),
            reason: about(z.string(), 'At most 200 characters'),
          }),
        ),
        'The items that did not pass, with their reasons (see edge-agent preflight --json)',
      ),
    }),
    'edge-agent preflight, run once per staged deployment',
  ),
  'events-dropped': z.looseObject({
    count: about(count(1), 'Events dropped in this report'),
    total: about(count(), 'Events dropped since install'),
    since: time(),
    until: time(),
    byType: z.record(z.string(), count()),
  }),
} as const;

export type HubEventType = keyof typeof bodies;
export type HubEventBody<T extends HubEventType> = z.infer<(typeof bodies)[T]>;

/** Kept longest when the outbox is full: the events a fleet operator must never miss. */
export const PRIORITY_EVENT_TYPES: readonly string[] = ['boot-verdict', 'rollback-detected'];
export const isPriorityEvent = (type: string): boolean => PRIORITY_EVENT_TYPES.includes(type);

const eventOf = <T extends HubEventType>(type: T) =>
  z.looseObject({
    v: count(1),
    id: EventIdSchema,
    device: z.string(),
    type: z.literal(type),
    time: time(),
    body: bodies[type],
  });

export const HubEventSchema = about(
  z.discriminatedUnion('type', [
    eventOf('boot-verdict'),
    eventOf('rollback-detected'),
    eventOf('check-failed'),
    eventOf('update-staged'),
    eventOf('journal-persistence-changed'),
    eventOf('events-dropped'),
    eventOf('preflight'),
  ]),
  'Payload of <prefix>/<device>/events (QoS 1, not retained): one event per message, delivered at least once',
);
export type HubEvent = z.infer<typeof HubEventSchema>;

/** An event as the outbox keeps it: without the device id, which is known only when connecting. */
export interface HubEventRecord {
  id: string;
  type: string;
  time: string;
  body: unknown;
}

/** The published form of a stored event, keys in a fixed order. */
export function toWireEvent(record: HubEventRecord, device: string): string {
  return JSON.stringify({
    v: HUB_SCHEMA_VERSION,
    id: record.id,
    device,
    type: record.type,
    time: record.time,
    body: record.body,
  });
}

/** The published status, keys in a fixed order so equal content gives equal bytes. */
export function toWireStatus(
  input: DeviceStatusInput,
  extra: { device: string; agent: string; outbox: DeviceStatus['outbox']; connectedAt?: string; updatedAt: string },
): DeviceStatus {
  return {
    v: HUB_SCHEMA_VERSION,
    device: extra.device,
    agent: extra.agent,
    booted: input.booted,
    staged: input.staged,
    verdict: input.verdict,
    attempt: input.attempt,
    rollback: input.rollback,
    microshift: input.microshift,
    journalPersistent: input.journalPersistent,
    readiness: input.readiness,
    greenbootRunning: input.greenbootRunning,
    outbox: extra.outbox,
    connectedAt: extra.connectedAt,
    updatedAt: extra.updatedAt,
  };
}

/** The schemas exported as JSON Schema files, by file stem. */
export const exportedSchemas = {
  status: DeviceStatusSchema,
  event: HubEventSchema,
  online: OnlineSchema,
} as const;
