// The per-boot record in /var/lib/edge-agent/boots/<boot-id>.json. It survives the rollback, so
// an older edge-agent may read what a newer one wrote: every object keeps unknown fields, every
// field but the boot id is optional, and `schema` only ever grows. A value of a known field that
// this version cannot read is kept aside, not replaced (record-skew.ts); only the hub bookkeeping
// falls back to "nothing kept" (the daemon then re-sends with new ids, which costs nothing).
import * as z from 'zod';
import { parseKeepingNewer, type NewerValue } from './record-skew.js';

export const RECORD_SCHEMA_VERSION = 1;

const checkResult = z.looseObject({
  id: z.string(),
  class: z.enum(['required', 'wanted']),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
  outcome: z.string(),
  reason: z.string(),
  message: z.string(),
  observation: z.record(z.string(), z.unknown()).optional(),
});

const checkRun = z.looseObject({
  startedAt: z.string(),
  endedAt: z.string().optional(),
  verdict: z.enum(['pass', 'fail']).optional(),
  dryRun: z.boolean().optional(),
  results: z.array(checkResult),
});

const deploymentRef = z.looseObject({
  checksum: z.string().optional(),
  version: z.string().optional(),
  origin: z.string().optional(),
  containerImageReference: z.string().optional(),
});

const actionResult = z.looseObject({
  id: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: z.string(),
  message: z.string(),
});

const rollbackEvent = z.looseObject({
  detectedAt: z.string(),
  from: deploymentRef,
  to: deploymentRef,
  failedBoots: z.number(),
  firstFailure: z.looseObject({ id: z.string(), reason: z.string(), message: z.string().optional() }).optional(),
  message: z.string(),
  /** GRUB booted the old deployment because the update's last attempt was red (not a manual rollback). */
  fallback: z.boolean().optional(),
  /** What `boot red` did on the failed deployment's last boot before GRUB went back (its actions). */
  preRollback: z.array(actionResult).optional(),
});

// greenboot's scripts of the boot as read from its journal (core/greenboot-journal.ts). Lenient:
// a record with a malformed copy still loads, without it.
const greenbootScript = z.looseObject({
  name: z.string(),
  kind: z.string(),
  outcome: z.string(),
  exitCode: z.number().optional(),
  durationMs: z.number().optional(),
  lastLines: z.array(z.string()).optional(),
});
const greenbootScripts = z.looseObject({
  readAt: z.string(),
  scripts: z.array(greenbootScript),
  firstRequiredFailure: z.string().optional(),
  /** Why the journal could not be read (then scripts is empty). */
  error: z.string().optional(),
  /** Copied by that later boot: this boot ended before it kept its own copy. */
  fromLaterBoot: z.string().optional(),
});

export const bootRecordSchema = z.looseObject({
  schema: z.number().int().default(RECORD_SCHEMA_VERSION),
  bootId: z.string(),
  firstSeenAt: z.string().optional(),
  deployment: deploymentRef.optional(),
  staged: deploymentRef.optional(),
  /** The deployment the next rollback would boot. */
  rollbackDeployment: deploymentRef.optional(),
  grubenv: z.looseObject({ bootCounter: z.number().optional(), bootSuccess: z.number().optional() }).optional(),
  greenboot: z
    .looseObject({
      implementation: z.string(),
      maxBootAttempts: z.number().optional(),
      attempt: z.number().optional(),
      attempts: z.number().optional(),
    })
    .optional(),
  budget: z.looseObject({ budgetSec: z.number(), line: z.string().optional() }).optional(),
  checks: z.looseObject({ required: checkRun.optional(), wanted: checkRun.optional() }).default({}),
  verdict: z.enum(['green', 'red']).optional(),
  verdictAt: z.string().optional(),
  /** The first required check that failed this boot, copied here by `boot red`. */
  firstFailure: z.looseObject({ id: z.string(), reason: z.string(), message: z.string().optional() }).optional(),
  /** `boot green` marks the booted deployment as known good. */
  knownGood: z.boolean().optional(),
  /** Every greenboot script of this boot, copied from the journal by `boot green` / `boot red`. */
  greenbootScripts: greenbootScripts.optional().catch(undefined),
  /** Set on the first run of edge-agent in this boot, after looking for a rollback. */
  rollbackChecked: z.boolean().optional(),
  rollback: rollbackEvent.optional(),
  rollbackImminent: z.boolean().optional(),
  actions: z.array(actionResult).optional(),
  /** Marks of what the daemon already queued for the hub (see core/hub/report.ts). */
  hubReported: z.array(z.string()).catch([]).optional(),
  /** Ids given to events queued but not yet marked in hubReported (mark -> event id). */
  hubIds: z.record(z.string(), z.string()).catch({}).optional(),
});

export type BootRecord = z.infer<typeof bootRecordSchema>;
export type CheckRunRecord = z.infer<typeof checkRun>;
export type DeploymentRef = z.infer<typeof deploymentRef>;
export type RollbackEvent = z.infer<typeof rollbackEvent>;
export type ActionResult = z.infer<typeof actionResult>;

export function newBootRecord(bootId: string, firstSeenAt: string): BootRecord {
  return { schema: RECORD_SCHEMA_VERSION, bootId, firstSeenAt, checks: {} };
}

export interface ReadBootRecord {
  record: BootRecord;
  /** Values a newer edge-agent wrote that this one cannot read; put back on write (restoreNewer). */
  newer: NewerValue[];
}

/** Parse leniently: extra fields are kept, unreadable values set aside; undefined only without a boot id. */
export function readBootRecord(data: unknown): ReadBootRecord | undefined {
  const read = parseKeepingNewer(bootRecordSchema, data, (d) => typeof d.bootId === 'string');
  return read && { record: read.value, newer: read.newer };
}

export function parseBootRecord(data: unknown): BootRecord | undefined {
  return readBootRecord(data)?.record;
}
