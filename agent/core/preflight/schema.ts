// The `edge-agent preflight --json` contract; packaging/schemas/preflight.schema.json is
// generated from it (a test fails when the file drifts). As with status: `schema` changes only
// when a field changes meaning or goes away, and readers accept unknown fields.
import * as z from 'zod/mini';
import { about, count, optional } from '../zod.js';
import { PREFLIGHT_SCHEMA_VERSION } from './report.js';
const ITEM_STATUSES = ['pass', 'warn', 'fail'] as const;

const item = z.looseObject({
  id: about(z.string(), 'Stable machine name, e.g. transaction, space-var, offline-images'),
  title: about(z.string(), 'What is checked, in words'),
  status: z.enum(ITEM_STATUSES),
  reason: about(z.string(), 'Why this status, in one line'),
});

const pair = () => z.looseObject({ rhel: optional(z.string()), microshift: optional(z.string()) });

export const PreflightSchema = z.looseObject({
  schema: z.literal(PREFLIGHT_SCHEMA_VERSION),
  status: about(z.enum(ITEM_STATUSES), 'fail when any item fails, else warn when any warns, else pass'),
  exitCode: about(z.int(), '0 pass, 1 fail, 2 warnings only'),
  checkedAt: about(z.string(), 'ISO 8601 time (UTC)'),
  items: z.array(item),
  compatibility: z.looseObject({
    level: z.enum(['ok', 'warning', 'unknown']),
    reasons: z.array(z.string()),
    booted: pair(),
    staged: optional(pair()),
  }),
  offline: z.looseObject({
    tree: z.enum(['staged', 'booted']),
    noRegistry: z.boolean(),
    why: z.string(),
    total: optional(count()),
    missingCount: optional(count()),
    missing: optional(z.array(z.string()), 'At most 10 image references'),
    problem: optional(z.string(), 'Why the images could not be compared'),
  }),
});

export function preflightJsonSchema(): Record<string, unknown> {
  return {
    title: 'edge-agent preflight',
    ...(z.toJSONSchema(PreflightSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>),
  };
}
