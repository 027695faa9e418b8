// The `edge-agent status --json` contract. packaging/schemas/status.schema.json is generated from
// this schema (a test fails when the file drifts). Rules: `schema` is the version and changes
// only when a field changes meaning or goes away; new fields are optional and objects accept
// unknown fields, so a reader written for version 1 keeps working with later agents.
//
// Only tests and the schema export load this module at run time: status builds plain objects
// typed by it, so the cold start does not pay for zod.
import * as z from 'zod';
import {
  BOOT_VERDICTS,
  PROBLEM_SEVERITIES,
  SECTION_STATES,
  STATUS_SCHEMA_VERSION,
  STATUS_SECTIONS,
  STATUS_STATES,
} from './enums.js';

import { ReadinessStatusSchema } from '../readiness/schema.js';

export { STATUS_SCHEMA_VERSION } from './enums.js';

const time = () => z.string().describe('ISO 8601 time (UTC)');
const count = () => z.number().int().min(0);

const sectionState = z
  .enum(SECTION_STATES)
  .describe(
    'ok: read; needs-root: this user may not read it; timed-out: the source did not answer in time; unavailable: the source does not exist here; error: reading failed',
  );
const section = {
  state: sectionState,
  note: z.string().optional().describe('Why the section is not ok, or what limits it, in one line'),
};

const ProblemSchema = z.looseObject({
  severity: z.enum(PROBLEM_SEVERITIES),
  code: z.string().describe('Stable machine code, e.g. boot-red, rolled-back, journal-volatile'),
  section: z.enum(STATUS_SECTIONS).describe('The section the problem belongs to'),
  message: z.string().describe('What is wrong, in one line'),
  action: z.string().optional().describe('What to do about it'),
});

const DeploymentRefSchema = z.looseObject({
  version: z.string().optional(),
  checksum: z.string().optional().describe('Full commit checksum'),
});

const DeploymentSchema = z.looseObject({
  role: z
    .enum(['booted', 'staged', 'pending', 'rollback', 'other'])
    .describe(
      "staged: finalized at the next shutdown; pending: the next boot's default; rollback: what a rollback boots",
    ),
  booted: z.boolean(),
  staged: z.boolean(),
  pinned: z.boolean(),
  osname: z.string().optional(),
  version: z.string().optional(),
  checksum: z.string(),
  origin: z.string().optional().describe('Refspec of a commit-based system'),
  containerImage: z.string().optional().describe('Image reference of a container-native system'),
  layeredPackages: z.array(z.string()),
  timestamp: time().optional().describe('Commit time'),
});

const UnitSchema = z.looseObject({
  activeState: z.string(),
  subState: z.string(),
  unitFileState: z.string(),
  nRestarts: count().optional(),
});

export const StatusSchema = z
  .looseObject({
    schema: z.literal(STATUS_SCHEMA_VERSION).describe('Version of this schema'),
    generatedAt: time(),
    state: z
      .enum(STATUS_STATES)
      .describe(
        'The verdict of this boot, or degraded when the boot is green but edge-agent cannot vouch for it (not an ostree system, records missing)',
      ),
    exitCode: z
      .number()
      .int()
      .describe('The exit code of the command: 0 green, 1 red, 2 checking, 3 unknown or degraded'),
    summary: z.string().describe('The one-line verdict (also shown at login)'),
    problems: z.array(ProblemSchema).describe('What needs attention, most severe first'),
    device: z.looseObject({
      ...section,
      id: z.string().optional().describe('/etc/machine-id'),
      hostname: z.string().optional(),
      os: z
        .looseObject({ name: z.string().optional(), version: z.string().optional(), prettyName: z.string().optional() })
        .optional(),
      uptimeSec: z.number().min(0).optional(),
      bootId: z.string().optional().describe('Kernel boot id, 32 hex digits'),
      bootedAt: time().optional(),
      ostree: z.boolean().describe('/run/ostree-booted exists'),
    }),
    deployments: z.looseObject({
      ...section,
      source: z
        .enum(['rpm-ostree', 'cache', 'boot-record'])
        .optional()
        .describe("cache: rpm-ostree output kept in /run/edge-agent, still matching ostree's deployment directories"),
      fetchedAt: time().optional(),
      transaction: z.string().optional().describe('An rpm-ostree transaction in progress'),
      list: z.array(DeploymentSchema).describe("In boot order: the first is the next boot's default"),
    }),
    boot: z.looseObject({
      ...section,
      verdict: z.enum(BOOT_VERDICTS),
      reason: z.string().describe('What the verdict rests on, in one line'),
      greenboot: z
        .enum(['bash', 'rs', 'none', 'unknown'])
        .describe('bash greenboot (0.15), greenboot-rs (0.16) or none'),
      attempt: z.number().int().min(1).optional().describe('Which boot of this deployment this is'),
      attempts: z.number().int().min(1).optional().describe('Boots the deployment gets before greenboot rolls it back'),
      fallback: z
        .boolean()
        .describe(
          'GRUB booted the previous deployment: boot_counter -1, or the rollback this boot noticed followed a red last attempt',
        ),
      updateOnTrial: z.boolean().describe('A boot counter is set: a red boot reboots and is retried'),
      grubenv: z.looseObject({
        state: sectionState,
        note: z.string().optional(),
        bootCounter: z.number().int().optional(),
        bootSuccess: z.number().int().min(0).max(1).optional(),
      }),
      healthcheck: UnitSchema.optional().describe('greenboot-healthcheck.service'),
      running: z
        .looseObject({
          script: z.string().describe('File name of the greenboot script running now (control characters escaped)'),
          kind: z.enum(['required', 'wanted', 'green', 'red']),
          dir: z.string().describe('Its directory'),
          pid: z.number().int().min(1),
          runningSec: count().optional().describe('How long it has run'),
          since: time().optional(),
          message: z.string().describe('One line for people'),
        })
        .optional()
        .describe(
          'While greenboot-healthcheck.service runs: the script it is running now (greenboot has no limit per script)',
        ),
      checksStartedAt: time().optional(),
      checksEndedAt: time().optional(),
      verdictAt: time().optional().describe('When the green or red step recorded the verdict'),
    }),
    checks: z.looseObject({
      ...section,
      results: z.array(
        z.looseObject({
          id: z.string(),
          class: z.enum(['required', 'wanted']),
          outcome: z.string().describe('pass, fail, skipped, timeout or terminated'),
          durationMs: z.number().min(0).optional(),
          reason: z.string().optional().describe('Machine reason code'),
          message: z.string().optional().describe('One line for people'),
        }),
      ),
    }),
    scripts: z
      .looseObject({
        readAt: time().optional().describe("When boot green/red read them from greenboot's journal"),
        list: z.array(
          z.looseObject({
            name: z.string().describe('The script file name, as greenboot logs it (control characters escaped)'),
            kind: z.string().optional().describe('required, wanted, green or red'),
            outcome: z.string().optional().describe('success, failure or disabled'),
            exitCode: z.number().int().optional(),
            durationMs: z.number().min(0).optional(),
            lastLines: z
              .array(z.string())
              .optional()
              .describe("A failed script's last lines (at most 10 of at most 200 characters)"),
          }),
        ),
        firstRequiredFailure: z.string().optional().describe('The required script greenboot stopped at'),
        explanation: z
          .string()
          .optional()
          .describe("Why the boot went red by that script, and what to do for greenboot's own checks"),
        error: z.string().optional().describe("Why greenboot's journal could not be read"),
      })
      .optional()
      .describe("Every greenboot script of this boot (any vendor's), once boot green or boot red has run"),
    lastRollback: z.looseObject({
      ...section,
      found: z.boolean(),
      detectedAt: time().optional(),
      from: DeploymentRefSchema.optional().describe('The deployment that failed'),
      to: DeploymentRefSchema.optional().describe('The deployment booted instead'),
      failedBoots: count().optional(),
      reason: z.string().optional().describe('The first failing check and why'),
      current: z.boolean().optional().describe('The rolled-back-to deployment is the one booted now'),
    }),
    microshift: z.looseObject({
      ...section,
      installed: z.boolean().optional(),
      unit: UnitSchema.optional().describe('microshift.service'),
      source: z.enum(['live', 'daemon']).optional().describe("live: asked the API now; daemon: the daemon's last look"),
      checkedAt: time().optional(),
      api: z.looseObject({
        state: sectionState,
        note: z.string().optional(),
        ready: z.boolean().optional(),
        failing: z.array(z.string()).optional(),
      }),
      workloads: z.looseObject({
        state: sectionState,
        note: z.string().optional(),
        ready: count().optional(),
        total: count().optional(),
        notReady: z.array(z.string()).optional(),
      }),
    }),
    journal: z.looseObject({
      ...section,
      storage: z.string().optional().describe('Storage= in effect (auto, volatile, persistent, none)'),
      persistent: z.boolean().optional().describe('journald writes to /var/log/journal now'),
      location: z.enum(['disk', 'memory', 'none']).optional(),
      diskUsageBytes: count().optional(),
      boots: count().optional().describe('Boots the journal holds, this one included'),
      earlierBoots: z.boolean().optional(),
    }),
    agent: z.looseObject({
      ...section,
      version: z.string().describe('Version of this edge-agent'),
      runtime: z
        .looseObject({
          kind: z
            .enum(['system nodejs', 'edge-agent-runtime'])
            .describe(
              'system nodejs: the OS package; edge-agent-runtime: the Node.js edge-agent ships for hosts without a supported one',
            ),
          path: z.string().describe('The node binary'),
          version: z.string().describe('Its version, e.g. v24.22.3'),
        })
        .optional()
        .describe('The Node.js this status was gathered on (the launcher and the daemon choose alike)'),
      daemon: z.looseObject({
        state: sectionState,
        note: z.string().optional(),
        running: z.boolean(),
        answered: z
          .boolean()
          .optional()
          .describe('true when the running daemon gathered this status (edge-agent status asks it first, as root)'),
        unit: UnitSchema.optional().describe('edge-agent.service'),
        pid: z.number().int().optional(),
        version: z.string().optional(),
        startedAt: time().optional(),
        updatedAt: time().optional(),
      }),
      hub: z.looseObject({
        state: sectionState,
        note: z.string().optional(),
        configured: z.boolean(),
        connected: z.boolean().optional(),
        broker: z.string().optional(),
        lastReportAt: time().optional(),
        lastReportAgeSec: z.number().min(0).optional(),
        queued: count().optional().describe('Events waiting in the outbox'),
        dropped: count().optional().describe('Events dropped since install (outbox full)'),
        waitingFor: z
          .string()
          .optional()
          .describe(
            'A configured hub CA, certificate or key file that does not exist yet: the daemon connects once it does',
          ),
        error: z
          .string()
          .optional()
          .describe(
            'A hub file that exists but cannot be used (path, key, reason): the daemon connects once it is fixed',
          ),
      }),
    }),
    readiness: ReadinessStatusSchema.extend(section).partial().extend({ state: sectionState }).optional(),
  })
  .describe('edge-agent status --json: the one-screen truth about a device');

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
