// The `edge-agent status --json` contract. packaging/schemas/status.schema.json is generated from
// this schema (a test fails when the file drifts). Rules: `schema` is the version and changes
// only when a field changes meaning or goes away; new fields are optional and objects accept
// unknown fields, so a reader written for version 1 keeps working with later agents.
//
// Only tests and the schema export load this module at run time: status builds plain objects
// typed by it, so the cold start does not pay for zod.
import * as z from 'zod/mini';
import { about, count, optional } from '../zod.js';
import {
  BOOT_VERDICTS,
  PROBLEM_SEVERITIES,
  SECTION_STATES,
  STATUS_SCHEMA_VERSION,
  STATUS_SECTIONS,
  STATUS_STATES,
} from './enums.js';

import { readinessStatusShape } from '../readiness/schema.js';

export { STATUS_SCHEMA_VERSION } from './enums.js';

const time = () => about(z.string(), 'ISO 8601 time (UTC)');
const atLeast0 = () => z.number().check(z.minimum(0));

const sectionState = about(
  z.enum(SECTION_STATES),
  'ok: read; needs-root: this user may not read it; timed-out: the source did not answer in time; unavailable: the source does not exist here; error: reading failed',
);
const section = {
  state: sectionState,
  note: optional(z.string(), 'Why the section is not ok, or what limits it, in one line'),
};

const ProblemSchema = z.looseObject({
  severity: z.enum(PROBLEM_SEVERITIES),
  code: about(z.string(), 'Stable machine code, e.g. boot-red, rolled-back, journal-volatile'),
  section: about(z.enum(STATUS_SECTIONS), 'The section the problem belongs to'),
  message: about(z.string(), 'What is wrong, in one line'),
  action: optional(z.string(), 'What to do about it'),
});

const DeploymentRefSchema = z.looseObject({
  version: optional(z.string()),
  checksum: optional(z.string(), 'Full commit checksum'),
});

const DeploymentSchema = z.looseObject({
  role: about(
    z.enum(['booted', 'staged', 'pending', 'rollback', 'other']),
    "staged: finalized at the next shutdown; pending: the next boot's default; rollback: what a rollback boots",
  ),
  booted: z.boolean(),
  staged: z.boolean(),
  pinned: z.boolean(),
  osname: optional(z.string()),
  version: optional(z.string()),
  checksum: z.string(),
  origin: optional(z.string(), 'Refspec of a commit-based system'),
  containerImage: optional(z.string(), 'Image reference of a container-native system'),
  layeredPackages: z.array(z.string()),
  timestamp: optional(time(), 'Commit time'),
});

const UnitSchema = z.looseObject({
  activeState: z.string(),
  subState: z.string(),
  unitFileState: z.string(),
  nRestarts: optional(count()),
});

export const StatusSchema = about(
  z.looseObject({
    schema: about(z.literal(STATUS_SCHEMA_VERSION), 'Version of this schema'),
    generatedAt: time(),
    state: about(
      z.enum(STATUS_STATES),
      'The verdict of this boot, or degraded when the boot is green but edge-agent cannot vouch for it (not an ostree system, records missing)',
    ),
    exitCode: about(z.int(), 'The exit code of the command: 0 green, 1 red, 2 checking, 3 unknown or degraded'),
    summary: about(z.string(), 'The one-line verdict (also shown at login)'),
    problems: about(z.array(ProblemSchema), 'What needs attention, most severe first'),
    device: z.looseObject({
      ...section,
      id: optional(z.string(), '/etc/machine-id'),
      hostname: optional(z.string()),
      os: optional(
        z.looseObject({
          name: optional(z.string()),
          version: optional(z.string()),
          prettyName: optional(z.string()),
        }),
      ),
      uptimeSec: optional(atLeast0()),
      bootId: optional(z.string(), 'Kernel boot id, 32 hex digits'),
      bootedAt: optional(time()),
      ostree: about(z.boolean(), '/run/ostree-booted exists'),
    }),
    deployments: z.looseObject({
      ...section,
      source: optional(
        z.enum(['rpm-ostree', 'cache', 'boot-record']),
        "cache: rpm-ostree output kept in /run/edge-agent, still matching ostree's deployment directories",
      ),
      fetchedAt: optional(time()),
      transaction: optional(z.string(), 'An rpm-ostree transaction in progress'),
      list: about(z.array(DeploymentSchema), "In boot order: the first is the next boot's default"),
    }),
    boot: z.looseObject({
      ...section,
      verdict: z.enum(BOOT_VERDICTS),
      reason: about(z.string(), 'What the verdict rests on, in one line'),
      greenboot: about(z.enum(['bash', 'rs', 'none', 'unknown']), 'bash greenboot (0.15), greenboot-rs (0.16) or none'),
      attempt: optional(count(1), 'Which boot of this deployment this is'),
      attempts: optional(count(1), 'Boots the deployment gets before greenboot rolls it back'),
      fallback: about(
        z.boolean(),
        'GRUB booted the previous deployment: boot_counter -1, or the rollback this boot noticed followed a red last attempt',
      ),
      updateOnTrial: about(z.boolean(), 'A boot counter is set: a red boot reboots and is retried'),
      grubenv: z.looseObject({
        state: sectionState,
        note: optional(z.string()),
        bootCounter: optional(z.int()),
        bootSuccess: optional(count().check(z.maximum(1))),
      }),
      healthcheck: optional(UnitSchema, 'greenboot-healthcheck.service'),
      running: optional(
        z.looseObject({
          script: about(z.string(), 'File name of the greenboot script running now (control characters escaped)'),
          kind: z.enum(['required', 'wanted', 'green', 'red']),
          dir: about(z.string(), 'Its directory'),
          pid: count(1),
          runningSec: optional(count(), 'How long it has run'),
          since: optional(time()),
          message: about(z.string(), 'One line for people'),
        }),
        'While greenboot-healthcheck.service runs: the script it is running now (greenboot has no limit per script)',
      ),
      checksStartedAt: optional(time()),
      checksEndedAt: optional(time()),
      verdictAt: optional(time(), 'When the green or red step recorded the verdict'),
    }),
    checks: z.looseObject({
      ...section,
      results: z.array(
        z.looseObject({
          id: z.string(),
          class: z.enum(['required', 'wanted']),
          outcome: about(z.string(), 'pass, fail, skipped, timeout or terminated'),
          durationMs: optional(atLeast0()),
          reason: optional(z.string(), 'Machine reason code'),
          message: optional(z.string(), 'One line for people'),
        }),
      ),
    }),
    scripts: optional(
      z.looseObject({
        readAt: optional(time(), "When boot green/red read them from greenboot's journal"),
        list: z.array(
          z.looseObject({
            name: about(z.string(), 'The script file name, as greenboot logs it (control characters escaped)'),
            kind: optional(z.string(), 'required, wanted, green or red'),
            outcome: optional(z.string(), 'success, failure or disabled'),
            exitCode: optional(z.int()),
            durationMs: optional(atLeast0()),
            lastLines: optional(
              z.array(z.string()),
              "A failed script's last lines (at most 10 of at most 200 characters)",
            ),
          }),
        ),
        firstRequiredFailure: optional(z.string(), 'The required script greenboot stopped at'),
        explanation: optional(
          z.string(),
          "Why the boot went red by that script, and what to do for greenboot's own checks",
        ),
        error: optional(z.string(), "Why greenboot's journal could not be read"),
      }),
      "Every greenboot script of this boot (any vendor's), once boot green or boot red has run",
    ),
    lastRollback: z.looseObject({
      ...section,
      found: z.boolean(),
      detectedAt: optional(time()),
      from: optional(DeploymentRefSchema, 'The deployment that failed'),
      to: optional(DeploymentRefSchema, 'The deployment booted instead'),
      failedBoots: optional(count()),
      reason: optional(z.string(), 'The first failing check and why'),
      current: optional(z.boolean(), 'The rolled-back-to deployment is the one booted now'),
    }),
    microshift: z.looseObject({
      ...section,
      installed: optional(z.boolean()),
      unit: optional(UnitSchema, 'microshift.service'),
      source: optional(z.enum(['live', 'daemon']), "live: asked the API now; daemon: the daemon's last look"),
      checkedAt: optional(time()),
      api: z.looseObject({
        state: sectionState,
        note: optional(z.string()),
        ready: optional(z.boolean()),
        failing: optional(z.array(z.string())),
      }),
      workloads: z.looseObject({
        state: sectionState,
        note: optional(z.string()),
        ready: optional(count()),
        total: optional(count()),
        notReady: optional(z.array(z.string())),
      }),
    }),
    journal: z.looseObject({
      ...section,
      storage: optional(z.string(), 'Storage= in effect (auto, volatile, persistent, none)'),
      persistent: optional(z.boolean(), 'journald writes to /var/log/journal now'),
      location: optional(z.enum(['disk', 'memory', 'none'])),
      diskUsageBytes: optional(count()),
      boots: optional(count(), 'Boots the journal holds, this one included'),
      earlierBoots: optional(z.boolean()),
    }),
    agent: z.looseObject({
      ...section,
      version: about(z.string(), 'Version of this edge-agent'),
      runtime: optional(
        z.looseObject({
          kind: about(
            z.enum(['system nodejs', 'edge-agent-runtime']),
            'system nodejs: the OS package; edge-agent-runtime: the Node.js edge-agent ships for hosts without a supported one',
          ),
          path: about(z.string(), 'The node binary'),
          version: about(z.string(), 'Its version, e.g. v24.22.3'),
        }),
        'The Node.js this status was gathered on (the launcher and the daemon choose alike)',
      ),
      daemon: z.looseObject({
        state: sectionState,
        note: optional(z.string()),
        running: z.boolean(),
        answered: optional(
          z.boolean(),
          'true when the running daemon gathered this status (edge-agent status asks it first, as root)',
        ),
        unit: optional(UnitSchema, 'edge-agent.service'),
        pid: optional(z.int()),
        version: optional(z.string()),
        startedAt: optional(time()),
        updatedAt: optional(time()),
      }),
      hub: z.looseObject({
        state: sectionState,
        note: optional(z.string()),
        configured: z.boolean(),
        connected: optional(z.boolean()),
        broker: optional(z.string()),
        lastReportAt: optional(time()),
        lastReportAgeSec: optional(atLeast0()),
        queued: optional(count(), 'Events waiting in the outbox'),
        dropped: optional(count(), 'Events dropped since install (outbox full)'),
        waitingFor: optional(
          z.string(),
          'A configured hub CA, certificate or key file that does not exist yet: the daemon connects once it does',
        ),
        error: optional(
          z.string(),
          'A hub file that exists but cannot be used (path, key, reason): the daemon connects once it is fixed',
        ),
      }),
    }),
    readiness: optional(
      z.extend(z.partial(z.looseObject({ ...readinessStatusShape, ...section })), { state: sectionState }),
    ),
  }),
  'edge-agent status --json: the one-screen truth about a device',
);

export type StatusResult = z.infer<typeof StatusSchema>;
export type StatusState = (typeof STATUS_STATES)[number];
export type BootVerdict = (typeof BOOT_VERDICTS)[number];
export type SectionState = (typeof SECTION_STATES)[number];
export type StatusSection = (typeof STATUS_SECTIONS)[number];
export type StatusProblem = z.infer<typeof ProblemSchema>;
export type StatusDeployment = z.infer<typeof DeploymentSchema>;
export type StatusUnit = z.infer<typeof UnitSchema>;

/** The JSON Schema exported to packaging/schemas/status.schema.json. */
export function statusJsonSchema(): Record<string, unknown> {
  return {
    title: 'edge-agent status',
    ...(z.toJSONSchema(StatusSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>),
  };
}
