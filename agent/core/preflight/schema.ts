// The `edge-agent preflight --json` contract; packaging/schemas/preflight.schema.json is
// generated from it (a test fails when the file drifts). As with status: `schema` changes only
// when a field changes meaning or goes away, and readers accept unknown fields.
import * as z from 'zod';
import { PREFLIGHT_SCHEMA_VERSION } from './report.js';
const ITEM_STATUSES = ['pass', 'warn', 'fail'] as const;

const item = z.looseObject({
  id: z.string().describe('Stable machine name, e.g. transaction, space-var, offline-images'),
  title: z.string().describe('What is checked, in words'),
  status: z.enum(ITEM_STATUSES),
  reason: z.string().describe('Why this status, in one line'),
});

export const PreflightSchema = z.looseObject({
  schema: z.literal(PREFLIGHT_SCHEMA_VERSION),
  status: z.enum(ITEM_STATUSES).describe('fail when any item fails, else warn when any warns, else pass'),
  exitCode: z.number().int().describe('0 pass, 1 fail, 2 warnings only'),
  checkedAt: z.string().describe('ISO 8601 time (UTC)'),
  items: z.array(item),
  compatibility: z.looseObject({
    level: z.enum(['ok', 'warning', 'unknown']),
    reasons: z.array(z.string()),
    booted: z.looseObject({ rhel: z.string().optional(), microshift: z.string().optional() }),
    staged: z.looseObject({ rhel: z.string().optional(), microshift: z.string().optional() }).optional(),
  }),
  offline: z.looseObject({
    tree: z.enum(['staged', 'booted']),
    noRegistry: z.boolean(),
    why: z.string(),
    total: z.number().int().min(0).optional(),
    missingCount: z.number().int().min(0).optional(),
    missing: z.array(z.string()).optional().describe('At most 10 image references'),
    problem: z.string().optional().describe('Why the images could not be compared'),
  }),
});

export function preflightJsonSchema(): Record<string, unknown> {
  return {
    title: 'edge-agent preflight',
    ...(z.toJSONSchema(PreflightSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>),
  };
}
