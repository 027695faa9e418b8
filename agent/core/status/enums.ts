// The version and the closed vocabularies of the status result, without zod: the status command
// uses them at run time, while the zod schema (status-schema.ts) is loaded only by tests and the
// JSON Schema export.
export const STATUS_SCHEMA_VERSION = 1;
export const SECTION_STATES = ['ok', 'needs-root', 'timed-out', 'unavailable', 'error'] as const;
export const STATUS_STATES = ['green', 'red', 'checking', 'unknown', 'degraded'] as const;
export const BOOT_VERDICTS = ['green', 'red', 'checking', 'unknown'] as const;
export const PROBLEM_SEVERITIES = ['error', 'warning', 'info'] as const;
export const STATUS_SECTIONS = [
  'device',
  'deployments',
  'boot',
  'checks',
  'lastRollback',
  'microshift',
  'journal',
  'agent',
  'readiness',
] as const;
