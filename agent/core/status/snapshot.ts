// The daemon's status snapshot in /run/edge-agent/status.json: the result `status --json` prints,
// gathered by the daemon as root and kept current, so that `status` run by any local user (or by
// root while the daemon is busy) prints it without gathering anything itself. A cold start that
// only reads one file and formats it costs little more than starting Node.
//
// Readable by everyone (mode 0644), so only what any user may see goes in: what greenboot's
// scripts printed (their last lines, quoted in the explanation too) may hold anything, and stays out. The file says which
// boot and when it was gathered; a snapshot of another boot, one older than SNAPSHOT_MAX_AGE_MS
// (the daemon stopped or hung), or one of another status schema is not shown as current.
//
// This file is the reader's half and part of the launcher's front, so it imports nothing that
// loads zod; the writer's half is status-snapshot-plan.ts.
import { STATUS_SCHEMA_VERSION } from './enums.js';
import type { StatusResult } from './schema.js';

export const STATUS_SNAPSHOT_PATH = '/run/edge-agent/status.json';
/** How often the daemon gathers a new snapshot. */
export const SNAPSHOT_EVERY_MS = 5_000;
/** Three missed refreshes and a margin: past this the daemon is not keeping it current. */
export const SNAPSHOT_MAX_AGE_MS = 20_000;
/** A clock step back (NTP at boot) must not make a fresh snapshot look like one from the future forever. */
const FUTURE_SLACK_MS = 5_000;

export interface StatusSnapshot {
  schema: typeof STATUS_SCHEMA_VERSION;
  bootId: string;
  /** ISO 8601: when the daemon gathered it. */
  gatheredAt: string;
  result: StatusResult;
}

/** The result to show from the snapshot file's text, or undefined when it is not current. */
export function readSnapshot(
  text: string | undefined,
  bootId: string | undefined,
  now: number,
): StatusResult | undefined {
  if (text === undefined || bootId === undefined) return undefined;
  let data: Partial<StatusSnapshot> | null;
  try {
    data = JSON.parse(text) as Partial<StatusSnapshot> | null;
  } catch {
    return undefined;
  }
  if (!data || data.schema !== STATUS_SCHEMA_VERSION || data.bootId !== normalBootId(bootId)) return undefined;
  const at = typeof data.gatheredAt === 'string' ? Date.parse(data.gatheredAt) : Number.NaN;
  if (!(now - at <= SNAPSHOT_MAX_AGE_MS && at - now <= FUTURE_SLACK_MS)) return undefined;
  const result = data.result;
  return typeof result === 'object' && result !== null && result.schema === STATUS_SCHEMA_VERSION ? result : undefined;
}

/** The kernel writes the boot id with dashes; records and status use 32 hex digits. */
export function normalBootId(id: string): string {
  return id.trim().replaceAll('-', '').toLowerCase();
}
