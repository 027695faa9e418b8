// Small text helpers of the status view: colours, times, durations, sizes, wrapping to a width.
// Pure: the caller says whether to colour, how wide, which time zone and what "now" is.

export interface FormatOptions {
  width: number;
  color: boolean;
  /** ms since the epoch, for "3m ago". */
  now: number;
  /** UTC for stable output (tests, logs); local for people at a terminal. */
  timeZone: 'UTC' | 'local';
}

const CODES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, blue: 34 } as const;
export type Style = keyof typeof CODES;

export function paint(text: string, style: Style | undefined, options: Pick<FormatOptions, 'color'>): string {
  return options.color && style && text ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export function formatTime(iso: string | undefined, options: Pick<FormatOptions, 'timeZone'>): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) return 'unknown time';
  const d = new Date(ms);
  if (options.timeZone === 'UTC') {
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} UTC`;
  }
  const offset = -d.getTimezoneOffset();
  const zone = `${offset >= 0 ? '+' : '-'}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${zone}`;
}

/** "45s", "2m 05s", "3h 07m", "2d 04h". */
export function formatSpan(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad2(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${pad2(Math.floor((s % 86_400) / 3600))}h`;
}

/** Check durations: "0.1s", "31.2s", "2m 05s". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatSpan(ms / 1000);
}

export function formatAge(iso: string | undefined, now: number): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) return '';
  const seconds = (now - ms) / 1000;
  if (seconds < -5) return 'in the future';
  return `${formatSpan(Math.max(0, seconds)).split(' ')[0]} ago`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Word-wrap to `width`; continuation lines start with `indent`. Words longer than a line are cut. */
export function wrap(text: string, width: number, firstIndent: string, indent: string): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest) {
      const room = width - line.length - (empty ? 0 : 1);
      if (rest.length <= room) {
        line += (empty ? '' : ' ') + rest;
        rest = '';
        empty = false;
      } else if (!empty) {
        lines.push(line);
        line = indent;
        empty = true;
      } else {
        // A word longer than a whole line (an image reference): cut it.
        line += rest.slice(0, Math.max(1, room));
        rest = rest.slice(Math.max(1, room));
        lines.push(line);
        line = indent;
      }
    }
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

/** One line at most `width` long, ending in "…" when cut. */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}
