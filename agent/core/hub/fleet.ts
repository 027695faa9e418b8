// The fleet view: what `edge-agent fleet` makes of the retained status/online messages under a
// topic prefix. Pure: messages in, rows and text out. Readers are lenient: a device running a
// newer agent may send fields (or a schema version) this one does not know.
import { DeviceStatusSchema, type DeploymentRef, type DeviceStatus } from './payloads.js';
import { displayText } from '../terminal-text.js';

export interface FleetDevice {
  id: string;
  online?: 'online' | 'offline';
  /** When we saw `online` change (live messages only; a retained one says nothing about time). */
  onlineChangedAt?: number;
  status?: DeviceStatus;
  statusProblem?: string;
}

export type FleetState = Map<string, FleetDevice>;

/** Apply one message; returns whether the view changed. */
export function applyFleetMessage(
  state: FleetState,
  prefix: string,
  message: { topic: string; payload: string; retained: boolean; receivedAt: number },
): boolean {
  if (!message.topic.startsWith(`${prefix}/`)) return false;
  const [id, kind, ...rest] = message.topic.slice(prefix.length + 1).split('/');
  if (!id || rest.length > 0) return false;
  const device = state.get(id) ?? { id };
  if (kind === 'online') {
    // An empty retained payload is how a retained message is deleted.
    const value = message.payload === 'online' || message.payload === 'offline' ? message.payload : undefined;
    if (value === device.online) return false;
    device.online = value;
    device.onlineChangedAt = message.retained ? undefined : message.receivedAt;
  } else if (kind === 'status') {
    if (message.payload === '') {
      device.status = undefined;
      device.statusProblem = undefined;
    } else {
      const parsed = parseStatus(message.payload);
      device.status = parsed.status;
      device.statusProblem = parsed.problem;
    }
  } else {
    return false;
  }
  state.set(id, device);
  return true;
}

function parseStatus(payload: string): { status?: DeviceStatus; problem?: string } {
  try {
    const result = DeviceStatusSchema.safeParse(JSON.parse(payload));
    if (result.success) return { status: result.data };
    const issue = result.error.issues[0];
    return { problem: `unreadable status (${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'})` };
  } catch {
    return { problem: 'unreadable status (not JSON)' };
  }
}

export interface FleetRow {
  id: string;
  online: 'online' | 'offline' | 'unknown';
  /** Start of the current state when known (ISO). */
  since?: string;
  booted?: string;
  verdict: DeviceStatus['verdict'];
  attempt?: string;
  lastRollback?: { at: string; from: string; to: string; reason: string };
  queued?: number;
  dropped?: number;
  lastSeen?: string;
  problems: string[];
}

export function fleetRows(state: FleetState): FleetRow[] {
  return [...state.values()].map(toRow);
}

const ref = (d: DeploymentRef) => d.version ?? d.checksum;

function toRow(device: FleetDevice): FleetRow {
  const s = device.status;
  const online = device.online ?? 'unknown';
  const since =
    device.onlineChangedAt !== undefined
      ? new Date(device.onlineChangedAt).toISOString()
      : online === 'online'
        ? s?.connectedAt
        : undefined;
  const problems: string[] = [];
  if (online === 'offline') problems.push('offline');
  if (s?.verdict === 'red') problems.push('boot red');
  if (s && s.outbox.dropped > 0) problems.push(`${s.outbox.dropped} events dropped`);
  if (device.statusProblem) problems.push(device.statusProblem);
  else if (!s) problems.push('no status');
  return {
    id: device.id,
    online,
    since,
    booted: s?.booted ? ref(s.booted) : undefined,
    verdict: s?.verdict ?? 'unknown',
    attempt: s?.attempt ? `${s.attempt.n}/${s.attempt.max}` : undefined,
    lastRollback: s?.rollback
      ? { at: s.rollback.at, from: ref(s.rollback.from), to: ref(s.rollback.to), reason: s.rollback.reason }
      : undefined,
    queued: s?.outbox.queued,
    dropped: s?.outbox.dropped,
    lastSeen: s?.updatedAt,
    problems,
  };
}

export const FLEET_SORTS = ['state', 'id', 'seen'] as const;
export type FleetSort = (typeof FLEET_SORTS)[number];
export const FLEET_FILTERS = [
  'online',
  'offline',
  'green',
  'red',
  'checking',
  'unknown',
  'problem',
  'dropped',
] as const;
export type FleetFilter = (typeof FLEET_FILTERS)[number];

/** Lower is worse: offline, then red, then lost data or unreadable, then undecided, then fine. */
function severity(row: FleetRow): number {
  if (row.online === 'offline') return 0;
  if (row.verdict === 'red') return 1;
  if (row.problems.length > 0) return 2;
  if (row.verdict !== 'green' || row.online === 'unknown') return 3;
  return 4;
}

/** state: problems first; id: by name; seen: longest silent first. Ties by id. */
export function sortFleetRows(rows: readonly FleetRow[], by: FleetSort): FleetRow[] {
  const byId = (a: FleetRow, b: FleetRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const seen = (row: FleetRow) => (row.lastSeen ? Date.parse(row.lastSeen) : -Infinity);
  const compare: Record<FleetSort, (a: FleetRow, b: FleetRow) => number> = {
    id: byId,
    state: (a, b) => severity(a) - severity(b) || byId(a, b),
    seen: (a, b) => seen(a) - seen(b) || byId(a, b),
  };
  return [...rows].sort(compare[by]);
}

export function filterFleetRows(rows: readonly FleetRow[], filter: FleetFilter | undefined): FleetRow[] {
  if (!filter) return [...rows];
  return rows.filter((row) => {
    switch (filter) {
      case 'online':
      case 'offline':
        return row.online === filter;
      case 'problem':
        return row.problems.length > 0;
      case 'dropped':
        return (row.dropped ?? 0) > 0;
      default:
        return row.verdict === filter;
    }
  });
}

/** "45s", "12m", "3h", "5d". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** Every string in a row comes from a device: each cell is escaped before it is laid out. */
export function renderFleetTable(rows: readonly FleetRow[], nowMs: number): string {
  if (rows.length === 0) return 'no devices\n';
  const ago = (iso?: string) => (iso ? `${formatAge(nowMs - Date.parse(iso))} ago` : '-');
  const header = ['DEVICE', 'ONLINE', 'SINCE', 'BOOTED', 'VERDICT', 'LAST ROLLBACK', 'QUEUED', 'DROPPED', 'LAST SEEN'];
  const lines = rows.map((row) =>
    [
      row.id,
      row.online,
      row.since ? ago(row.since) : '-',
      row.booted ?? '-',
      row.attempt && row.verdict !== 'green' ? `${row.verdict} (${row.attempt})` : row.verdict,
      row.lastRollback ? `${row.lastRollback.from} -> ${row.lastRollback.to} ${ago(row.lastRollback.at)}` : '-',
      row.queued === undefined ? '-' : String(row.queued),
      row.dropped === undefined ? '-' : String(row.dropped),
      ago(row.lastSeen),
    ].map((cell) => displayText(cell)),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  const problems = rows
    .filter((r) => r.problems.length > 0)
    .map((r) => displayText(`  ${r.id}: ${r.problems.join(', ')}`));
  return `${[format(header), ...lines.map(format)].join('\n')}\n${problems.length ? `\nproblems:\n${problems.join('\n')}\n` : ''}`;
}
