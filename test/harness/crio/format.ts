// How crictl prints: its tables (Go's tabwriter as crictl configures it), "2 minutes ago",
// truncated ids, JSON with sorted keys where crictl round-trips through a Go map, and the log
// lines it writes to stderr (logrus without a terminal, klog from the CRI client).
//
// What it simulates: the output formats of crictl 1.28-1.31 closely enough for parsers written
// against the real tool. What it leaves out: YAML and go-template output, colours, the terminal
// form of logrus lines (`FATA[0000] ...`, used only when stderr is a TTY).

/** Go's tabwriter with crictl's settings: minwidth 20, padding 3, blanks; the last column is not padded. */
export function tabulate(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows)
    row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 20, cell.length + 3)));
  return rows
    .map((row) => `${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 20) : cell)).join('')}\n`)
    .join('');
}

/** docker/go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.round(ms / 3_600_000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

export function truncateId(id: string): string {
  return id.slice(0, 13);
}

/** An int64 Unix-nanoseconds field (a string in protobuf JSON) as Go's RFC3339Nano. */
export function rfc3339Nano(nanos: string): string {
  const ns = BigInt(nanos || '0');
  const ms = Number(ns / 1_000_000n);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${new Date(ms).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Go's encoding/json of a map[string]any: keys sorted at every level. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeysDeep((value as Record<string, unknown>)[key])]),
  );
}

export function indentJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** logrus's text formatter when stderr is not a terminal. */
export function logrusLine(level: 'fatal' | 'error' | 'warning' | 'info', message: string, now = new Date()): string {
  return `time="${now.toISOString().slice(0, 19)}Z" level=${level} msg=${JSON.stringify(message)}\n`;
}

/** A klog error line as the CRI client library writes it when a call fails. */
export function klogError(call: string, error: string, keys: Record<string, string>, now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())} ${p(now.getUTCHours())}:${p(now.getUTCMinutes())}:${p(now.getUTCSeconds())}.${p(now.getUTCMilliseconds(), 3)}000`;
  const extra = Object.entries(keys)
    .map(([key, value]) => ` ${key}=${JSON.stringify(value)}`)
    .join('');
  return `E${stamp} ${String(process.pid).padStart(7)} log.go:32] "${call} from runtime service failed" err=${JSON.stringify(error)}${extra}\n`;
}
