// The per-boot record in /var/lib/edge-agent/boots/<boot-id>.json. It survives the rollback, so
// an older edge-agent may read what a newer one wrote: every object keeps unknown fields, every
// field but the boot id is optional, and `schema` only ever grows. A value of a known field that
// this version cannot read is kept aside, not replaced (record-skew.ts); only the hub bookkeeping
// falls back to "nothing kept" (the daemon then re-sends with new ids, which costs nothing).
import * as z from 'zod/mini';
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
  observation: z.optional(z.record(z.string(), z.unknown())),
});

const checkRun = z.looseObject({
  startedAt: z.string(),
  endedAt: z.optional(z.string()),
  verdict: z.optional(z.enum(['pass', 'fail'])),
  dryRun: z.optional(z.boolean()),
  results: z.array(checkResult),
});

const deploymentRef = z.looseObject({
  checksum: z.optional(z.string()),
  version: z.optional(z.string()),
  origin: z.optional(z.string()),
  containerImageReference: z.optional(z.string()),
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
  firstFailure: z.optional(z.looseObject({ id: z.string(), reason: z.string(), message: z.optional(z.string()) })),
  message: z.string(),
  /** GRUB booted the old deployment because the update's last attempt was red (not a manual rollback). */
  fallback: z.optional(z.boolean()),
  /** What `boot red` did on the failed deployment's last boot before GRUB went back (its actions). */
  preRollback: z.optional(z.array(actionResult)),
});

// greenboot's scripts of the boot as read from its journal (core/greenboot-journal.ts). Lenient:
// a record with a malformed copy still loads, without it.
const greenbootScript = z.looseObject({
  name: z.string(),
  kind: z.string(),
  outcome: z.string(),
  exitCode: z.optional(z.number()),
  durationMs: z.optional(z.number()),
  lastLines: z.optional(z.array(z.string())),
});
const greenbootScripts = z.looseObject({
  readAt: z.string(),
  scripts: z.array(greenbootScript),
  firstRequiredFailure: z.optional(z.string()),
  /** Why the journal could not be read (then scripts is empty). */
  error: z.optional(z.string()),
  /** Copied by that later boot: this boot ended before it kept its own copy. */
  fromLaterBoot: z.optional(z.string()),
});

export const bootRecordSchema = z.looseObject({
  schema: z._default(z.int(), RECORD_SCHEMA_VERSION),
  bootId: z.string(),
  firstSeenAt: z.optional(z.string()),
  deployment: z.optional(deploymentRef),
  staged: z.optional(deploymentRef),
  /** The deployment the next rollback would boot. */
  rollbackDeployment: z.optional(deploymentRef),
  grubenv: z.optional(z.looseObject({ bootCounter: z.optional(z.number()), bootSuccess: z.optional(z.number()) })),
  greenboot: z.optional(
    z.looseObject({
      implementation: z.string(),
      maxBootAttempts: z.optional(z.number()),
      attempt: z.optional(z.number()),
      attempts: z.optional(z.number()),
    }),
  ),
  budget: z.optional(z.looseObject({ budgetSec: z.number(), line: z.optional(z.string()) })),
  checks: z._default(z.looseObject({ required: z.optional(checkRun), wanted: z.optional(checkRun) }), {}),
  verdict: z.optional(z.enum(['green', 'red'])),
  verdictAt: z.optional(z.string()),
  /** The first required check that failed this boot, copied here by `boot red`. */
  firstFailure: z.optional(z.looseObject({ id: z.string(), reason: z.string(), message: z.optional(z.string()) })),
  /** `boot green` marks the booted deployment as known good. */
  knownGood: z.optional(z.boolean()),
  /** Every greenboot script of this boot, copied from the journal by `boot green` / `boot red`. */
  greenbootScripts: z.catch(z.optional(greenbootScripts), undefined),
  /** Set on the first run of edge-agent in this boot, after looking for a rollback. */
  rollbackChecked: z.optional(z.boolean()),
  rollback: z.optional(rollbackEvent),
  rollbackImminent: z.optional(z.boolean()),
  actions: z.optional(z.array(actionResult)),
  /** Marks of what the daemon already queued for the hub (see core/hub/report.ts). */
  hubReported: z.optional(z.catch(z.array(z.string()), [])),
  /** Ids given to events queued but not yet marked in hubReported (mark -> event id). */
  hubIds: z.optional(z.catch(z.record(z.string(), z.string()), {})),
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
