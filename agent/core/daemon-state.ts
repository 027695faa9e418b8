// The daemon's live state in /run/edge-agent/daemon.json: written by `edge-agent run` (atomically,
// mode 0644 so `status` works for any user), read by `edge-agent status`. It lives in /run, so it
// is gone after a reboot and a stale file can only come from a daemon that died in this boot.
//
// Contract for the writer: refresh `updatedAt` at least every DAEMON_STATE_REFRESH_SEC seconds
// (status calls an older file stale), and write `healthIntervalSec`, how often its runtime health
// check looks at MicroShift: status takes `microshift` as current while it is no older than that
// interval plus MICROSHIFT_STATE_GRACE_SEC (the check itself takes time), shows its age, and asks
// the API itself when it is older (which costs it the API's round trips).
//
// The reader is lenient: unknown fields are kept, a field of the wrong type reads as absent, and
// a newer `schema` is read for what it shares with this one. zod/mini keeps it cheap to load
// (about a third of zod's classic API), which matters to the cold start of `status`.
import * as z from 'zod/mini';

export const DAEMON_STATE_PATH = '/run/edge-agent/daemon.json';
export const DAEMON_STATE_SCHEMA_VERSION = 1;
export const DAEMON_STATE_REFRESH_SEC = 60;
/** Added to the daemon's health interval: a look at MicroShift is due, not late, until then. */
export const MICROSHIFT_STATE_GRACE_SEC = 90;

/** What the daemon writes, complete, on every update. */
export interface DaemonStateFile {
  schema: typeof DAEMON_STATE_SCHEMA_VERSION;
  pid: number;
  /** edge-agent version of the daemon. */
  version: string;
  /** ISO 8601 times. */
  startedAt: string;
  updatedAt: string;
  /** daemon.healthIntervalSec: how often `microshift` is refreshed. */
  healthIntervalSec?: number;
  hub: {
    configured: boolean;
    connected: boolean;
    /** Broker URL without credentials, e.g. mqtts://hub.example.com:8883. */
    broker?: string;
    /** When the broker last acknowledged a status or event. */
    lastReportAt?: string;
    /** Events waiting in the outbox. */
    queued: number;
    /** Events dropped since install (outbox full). */
    dropped: number;
    /** A configured CA, certificate or key file that does not exist yet: not connecting until it does. */
    waitingFor?: string;
    /** A hub file that exists but cannot be used, with its path: not connecting until it is fixed. */
    error?: string;
  };
  microshift?: {
    /** ActiveState of microshift.service. */
    unit: string;
    apiReady?: boolean;
    /** Core workloads ready out of those expected. */
    workloads?: { ready?: number; total?: number };
    checkedAt: string;
  };
}

const lenient = <T extends z.ZodMiniType>(schema: T) => z.catch(z.optional(schema), undefined);
const count = () => lenient(z.number().check(z.int(), z.nonnegative()));

export const daemonStateSchema = z.looseObject({
  schema: lenient(z.number()),
  pid: lenient(z.number().check(z.int(), z.positive())),
  version: lenient(z.string()),
  startedAt: lenient(z.string()),
  updatedAt: lenient(z.string()),
  healthIntervalSec: lenient(z.number().check(z.positive())),
  hub: lenient(
    z.looseObject({
      configured: lenient(z.boolean()),
      connected: lenient(z.boolean()),
      broker: lenient(z.string()),
      lastReportAt: lenient(z.string()),
      queued: count(),
      dropped: count(),
      waitingFor: lenient(z.string()),
      error: lenient(z.string()),
    }),
  ),
  microshift: lenient(
    z.looseObject({
      unit: lenient(z.string()),
      apiReady: lenient(z.boolean()),
      // A file from before this field ("workloadsReady": "8/8") simply has no counts: it lives in
      // /run and is rewritten within seconds by the daemon that runs now.
      workloads: lenient(z.looseObject({ ready: count(), total: count() })),
      checkedAt: lenient(z.string()),
    }),
  ),
});

/** The daemon state as read: every field may be missing. */
export type DaemonState = z.infer<typeof daemonStateSchema>;

/** Parse leniently; undefined only when the data is not an object at all. */
export function parseDaemonState(data: unknown): DaemonState | undefined {
  const result = daemonStateSchema.safeParse(data);
  return result.success ? result.data : undefined;
}

/** The daemon's look at MicroShift, if it is recent enough to show as the current one. */
export function currentMicroShiftLook(
  state: DaemonState | undefined,
  now: number,
): (NonNullable<DaemonState['microshift']> & { checkedAt: string }) | undefined {
  const m = state?.microshift;
  const checkedAt = m?.checkedAt ? Date.parse(m.checkedAt) : Number.NaN;
  if (!m?.checkedAt || !Number.isFinite(checkedAt)) return undefined;
  const limitSec = (state?.healthIntervalSec ?? 0) + MICROSHIFT_STATE_GRACE_SEC;
  return now - checkedAt <= limitSec * 1000 ? { ...m, checkedAt: m.checkedAt } : undefined;
}
