// What the hub's API and dashboard show, computed from store rows: the fleet overview, device
// list pages (keyset cursors, so page 500 costs what page 1 costs), a device's timeline entries.
import type { DeviceStatus } from '../payloads.js';

export const LIST_FILTERS = ['green', 'red', 'checking', 'unknown', 'offline', 'online', 'rolled-back'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

export interface DeviceQuery {
  /** Substring of the device id. */
  q?: string;
  filter?: ListFilter;
  /** Exact booted deployment version (or checksum when the image has no version). */
  version?: string;
  after?: string;
  limit: number;
}

export interface DeviceRow {
  id: string;
  online: 'online' | 'offline' | 'unknown';
  onlineAt?: string;
  verdict: DeviceStatus['verdict'];
  version?: string;
  statusAt?: string;
  seenAt: string;
  rollbackAt?: string;
  eventsPruned: number;
}

export interface DevicePage {
  devices: DeviceRow[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  next?: string;
}

export interface Overview {
  devices: number;
  verdicts: Record<DeviceStatus['verdict'], number>;
  online: number;
  offline: number;
  onlineUnknown: number;
  rolledBack24h: number;
  rejects: Record<string, number>;
  pruned: { byCount: number; byAge: number };
  /** Devices whose last status carried a readiness summary at this level. */
  readiness: { warn: number; fail: number };
  generatedAt: string;
}

export interface TimelineEntry {
  id: string;
  type: string;
  time: string;
  receivedAt: string;
  body: Record<string, unknown>;
  /** One line a person can read, built from the body (still to be escaped by whoever renders it). */
  summary: string;
}

/** Cursors are the last id of a page, base64url so they survive any query string. */
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export const isoOf = (ms: number | null | undefined): string | undefined =>
  ms === null || ms === undefined ? undefined : new Date(Number(ms)).toISOString();

/** The columns the store keeps per device, derived from a status payload. */
export function deviceColumns(status: DeviceStatus): {
  verdict: string;
  version: string | null;
  statusAt: number | null;
  rollbackAt: number | null;
  readiness: string | null;
} {
  const time = (iso: string | undefined) =>
    iso === undefined || Number.isNaN(Date.parse(iso)) ? null : Date.parse(iso);
  return {
    verdict: status.verdict,
    version: status.booted ? (status.booted.version ?? status.booted.checksum) : null,
    statusAt: time(status.updatedAt),
    rollbackAt: time(status.rollback?.at),
    readiness: status.readiness?.level ?? null,
  };
}

const ref = (d: unknown) => {
  const deployment = d as { version?: string; checksum?: string } | undefined;
  return deployment?.version ?? deployment?.checksum ?? '?';
};

export function summarizeEvent(type: string, body: Record<string, unknown>): string {
  switch (type) {
    case 'boot-verdict': {
      const attempt = body.attempt as { n: number; max: number } | undefined;
      const failed = (body.failed as Array<{ check: string; reason: string }> | undefined) ?? [];
      const parts = [
        `boot ${String(body.verdict).toUpperCase()}`,
        body.deployment ? `on ${ref(body.deployment)}` : '',
        attempt ? `attempt ${attempt.n}/${attempt.max}` : '',
      ];
      if (failed.length > 0) parts.push(`failed: ${failed.map((f) => `${f.check} (${f.reason})`).join(', ')}`);
      return parts.filter(Boolean).join(', ');
    }
    case 'rollback-detected': {
      const steps = preRollbackSteps(body);
      const prepared = steps.length ? `; pre-rollback: ${steps.map((a) => `${a.id} ${a.outcome}`).join(', ')}` : '';
      return `ROLLBACK from ${ref(body.from)} to ${ref(body.to)}: ${String(body.reason ?? '')}${prepared}`;
    }
    case 'check-failed':
      return `check ${String(body.check)} (${String(body.class)}) failed: ${String(body.reason)}${body.message ? `: ${String(body.message)}` : ''}`;
    case 'update-staged':
      return `update staged: ${ref(body.deployment)}`;
    case 'journal-persistence-changed':
      return `journal ${body.persistent ? 'persistent' : 'volatile'}${body.reason ? ` (${String(body.reason)})` : ''}`;
    case 'events-dropped':
      return `${String(body.count)} events dropped on the device (${String(body.total)} since install)`;
    case 'preflight': {
      const items = (body.items as Array<{ id: string; status: string }> | undefined) ?? [];
      const notes = items.map((i) => `${i.id} ${i.status}`).join(', ');
      return `preflight of ${ref(body.deployment)}: ${String(body.status).toUpperCase()}${notes ? ` (${notes})` : ''}`;
    }
    default:
      return `${type} ${JSON.stringify(body).slice(0, 200)}`;
  }
}

export interface PreRollbackStepView {
  id: string;
  outcome: string;
  message?: string;
}

/** The pre-rollback steps a rollback event carries (ingest validated them; rows written before may lack them). */
export function preRollbackSteps(body: Record<string, unknown>): PreRollbackStepView[] {
  const steps = body.preRollback;
  if (!Array.isArray(steps)) return [];
  return steps
    .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null)
    .map((a) => ({
      id: String(a.id ?? '?'),
      outcome: String(a.outcome ?? '?'),
      ...(typeof a.message === 'string' && { message: a.message }),
    }));
}

/**
 * The readiness warnings of a device's last status, one line each (empty when all is well or the
 * agent sends no summary). Read from the stored status JSON, so every field is checked for its type.
 */
export function readinessWarnings(status: unknown): string[] {
  const r = (status as { readiness?: unknown } | null | undefined)?.readiness;
  if (typeof r !== 'object' || r === null) return [];
  const s = r as Record<string, unknown>;
  const bad = (level: unknown): level is 'warn' | 'fail' => level === 'warn' || level === 'fail';
  const lines: string[] = [];
  const certs = s.certificates as Record<string, unknown> | undefined;
  if (certs && bad(certs.level)) {
    const days = typeof certs.daysLeft === 'number' ? certs.daysLeft : undefined;
    const when = typeof certs.soonestExpiry === 'string' ? ` on ${certs.soonestExpiry}` : '';
    const left = days === undefined ? '' : days < 0 ? ` (expired ${-days} days ago)` : ` (${days} days left)`;
    lines.push(`certificates ${certs.level}: the soonest expires${when}${left}`);
  }
  if (bad(s.pullSecret))
    lines.push(`pull secret ${s.pullSecret}: not usable as configured (see edge-agent status on the device)`);
  if (lines.length === 0 && bad(s.level)) lines.push(`readiness ${s.level} (see edge-agent status on the device)`);
  return lines;
}
