// What `status` reads from a per-boot record (core/boot-record.ts owns the format and its
// writers). A lenient projection: only the fields status shows, each read as absent when it is
// missing or of another type, so a record written by an older or newer agent still shows what
// it shares with this one. Parsed with zod/mini, which loads in a third of the time of zod's
// classic API that the full record schema uses: `status` is on a cold-start budget.
import * as z from 'zod/mini';
import { newerNote, type NewerValue, type SkewPath } from '../record-skew.js';

const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);
const text = () => lenient(z.string());
const number = () => lenient(z.number());

const deploymentRef = z.looseObject({
  checksum: text(),
  version: text(),
  origin: text(),
  containerImageReference: text(),
});
const failure = z.looseObject({ id: text(), reason: text(), message: text() });

const checkResult = z.looseObject({
  id: text(),
  class: lenient(z.enum(['required', 'wanted'])),
  startedAt: text(),
  endedAt: text(),
  durationMs: number(),
  outcome: text(),
  reason: text(),
  message: text(),
});

const checkRun = z.looseObject({
  startedAt: text(),
  endedAt: text(),
  verdict: lenient(z.enum(['pass', 'fail'])),
  dryRun: lenient(z.boolean()),
  results: z.catch(z.array(z.catch(checkResult, {})), []),
});

const greenbootScript = z.looseObject({
  name: z.string(),
  kind: text(),
  outcome: text(),
  exitCode: number(),
  durationMs: number(),
  lastLines: lenient(z.array(z.string())),
});

export const statusRecordSchema = z.looseObject({
  bootId: z.string(),
  firstSeenAt: text(),
  deployment: lenient(deploymentRef),
  staged: lenient(deploymentRef),
  rollbackDeployment: lenient(deploymentRef),
  grubenv: lenient(z.looseObject({ bootCounter: number(), bootSuccess: number() })),
  greenboot: lenient(
    z.looseObject({ implementation: text(), maxBootAttempts: number(), attempt: number(), attempts: number() }),
  ),
  checks: z.catch(z.looseObject({ required: lenient(checkRun), wanted: lenient(checkRun) }), {}),
  verdict: lenient(z.enum(['green', 'red'])),
  verdictAt: text(),
  firstFailure: lenient(failure),
  rollbackChecked: lenient(z.boolean()),
  rollback: lenient(
    z.looseObject({
      detectedAt: text(),
      from: lenient(deploymentRef),
      to: lenient(deploymentRef),
      failedBoots: number(),
      firstFailure: lenient(failure),
      message: text(),
      fallback: lenient(z.boolean()),
    }),
  ),
  rollbackImminent: lenient(z.boolean()),
  greenbootScripts: lenient(
    z.looseObject({
      readAt: text(),
      scripts: z.catch(z.array(z.catch(greenbootScript, { name: '?' })), []),
      firstRequiredFailure: text(),
      error: text(),
    }),
  ),
});

export type StatusRecord = z.infer<typeof statusRecordSchema> & {
  /** `written by a newer edge-agent (verdict: "amber")` when it holds values this version cannot read. */
  newerNote?: string;
};
export type StatusRecordRef = z.infer<typeof deploymentRef>;
export type StatusCheckRun = z.infer<typeof checkRun>;

/** undefined when the data is not a record at all (no boot id). */
export function parseStatusRecord(data: unknown): StatusRecord | undefined {
  const result = statusRecordSchema.safeParse(data);
  if (!result.success) return undefined;
  // Every field here reads as absent when this version cannot read it: what was read as absent
  // (or as another kind of value) but is present in the data is what a newer agent wrote.
  const newer: NewerValue[] = [];
  collectUnread(data, result.data, [], newer);
  const record: StatusRecord = result.data;
  if (newer.length > 0) record.newerNote = newerNote(newer);
  return record;
}

function collectUnread(raw: unknown, read: unknown, path: SkewPath, out: NewerValue[]): void {
  if (raw === undefined) return;
  const kind = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  if (read === undefined || kind(raw) !== kind(read)) {
    out.push({ path, value: raw, readAs: read });
  } else if (Array.isArray(raw) && Array.isArray(read)) {
    raw.forEach((item, i) => collectUnread(item, read[i], [...path, i], out));
  } else if (kind(raw) === 'object') {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>))
      collectUnread(value, (read as Record<string, unknown>)[key], [...path, key], out);
  }
}
