// The one logger (pino), created here and injected everywhere.
//
// The journal is for people: each record becomes one plain sentence. Under systemd or greenboot's
// `systemd-cat`, lines carry sd-daemon `<N>` priority prefixes so `journalctl -p warning` works;
// on a terminal they are plain text. In journal mode a record that carries fields becomes one
// journal entry with structured EDGE_AGENT_* fields (so `journalctl EDGE_AGENT_OUTCOME=fail`
// works), sent by util-linux `logger --journald` (log-journal-send.ts); without `logger` it is a
// plain line. Logs always go to stderr: stdout is reserved for command output such as `--json`.
import { fstatSync, readFileSync } from 'node:fs';
import pino, { type Logger as PinoLogger } from 'pino';
import { createJournalSender } from './log-journal-send.js';
import type { Logger } from './logger.js';

export type { Logger };
export type LogFormat = 'journal' | 'text' | 'json';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** SYSLOG_IDENTIFIER for structured journal entries. */
  identifier?: string;
  /** Where formatted lines go (default: stderr). */
  write?: (line: string) => void;
  /** Send records with fields as structured journal entries in journal format (default true). */
  native?: boolean;
  /** Program that sends a structured entry (default `logger`). */
  journalCommand?: string;
}

// pino levels -> syslog priorities (sd-daemon.h): fatal=crit, error=err, warn=warning, info=info.
const priorities: Record<number, number> = { 60: 2, 50: 3, 40: 4, 30: 6, 20: 7, 10: 7 };
// pino's own keys, never turned into journal fields.
const reserved = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err', 'v']);

export function createLogger(options: LoggerOptions = {}): PinoLogger {
  const format = options.format ?? detectLogFormat();
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const structured = format === 'journal' && options.native !== false && process.env.EDGE_AGENT_JOURNAL_FIELDS !== '0';
  const sender = structured ? createJournalSender({ writeLine: write, command: options.journalCommand }) : undefined;
  const identifier = options.identifier ?? process.env.EDGE_AGENT_LOG_IDENTIFIER ?? 'edge-agent';
  const destination = {
    write(json: string) {
      const record = JSON.parse(json) as Record<string, unknown>;
      const priority = priorities[Number(record.level)] ?? 6;
      const message = formatMessage(record);
      if (format === 'json') return write(json);
      if (sender) {
        const fields = journalFields(record);
        // SYSLOG_PID: the entry comes from `logger`'s process, the record from ours.
        if (Object.keys(fields).length > 0)
          return sender.structured(priority, message, {
            SYSLOG_IDENTIFIER: identifier,
            SYSLOG_PID: String(process.pid),
            ...ownUnitField(),
            ...fields,
          });
        return sender.plain(priority, message);
      }
      if (format === 'journal') return write(`<${priority}>${message}\n`);
      const prefix = priority <= 3 ? 'error: ' : priority === 4 ? 'warning: ' : '';
      write(`${prefix}${message}\n`);
    },
    flush(callback: (error?: Error) => void) {
      if (sender) sender.flush(() => callback());
      else callback();
    },
  };
  return pino({ level: options.level ?? 'info', base: undefined, timestamp: format === 'json' }, destination);
}

/**
 * journal: stderr is the service's journal stream (JOURNAL_STREAM matches it), or we run inside a
 * systemd service with stderr on a socket, which is how `systemd-cat` (bash greenboot) connects
 * scripts. A socket alone is not enough: Node and other parents use socketpairs for pipes.
 */
export function detectLogFormat(env = process.env): LogFormat {
  const forced = env.EDGE_AGENT_LOG_FORMAT;
  if (forced === 'journal' || forced === 'text' || forced === 'json') return forced;
  try {
    const stat = fstatSync(2);
    if (env.JOURNAL_STREAM) {
      const [dev, ino] = env.JOURNAL_STREAM.split(':');
      if (String(stat.dev) === dev && String(stat.ino) === ino) return 'journal';
    }
    if (stat.isSocket() && (env.INVOCATION_ID || env.JOURNAL_STREAM)) return 'journal';
  } catch {
    // no stderr: nothing to detect
  }
  return 'text';
}

function formatMessage(record: Record<string, unknown>): string {
  const message = String(record.msg ?? '');
  const err = record.err as { message?: string } | undefined;
  return err?.message && !message.includes(err.message) ? `${message}: ${err.message}` : message;
}

/** Bindings and fields of a record as EDGE_AGENT_* journal fields (primitives only). */
export function journalFields(record: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (reserved.has(key) || value === undefined || value === null || typeof value === 'object') continue;
    fields[
      `EDGE_AGENT_${key
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .replace(/[^A-Za-z0-9]/g, '_')
        .toUpperCase()}`
    ] = String(value);
  }
  return fields;
}

let ownUnit: Record<string, string> | undefined;

/**
 * OBJECT_SYSTEMD_UNIT names the unit we run in, for entries that `logger` carries. journald finds
 * a sender's unit from its cgroup when the datagram arrives, and a `logger` that has already
 * exited by then gets no _SYSTEMD_UNIT: its entry would be missing from `journalctl -u <unit>`.
 * journalctl -u also matches OBJECT_SYSTEMD_UNIT on entries from root (_UID=0), which journald
 * always records. Read once from /proc/self/cgroup (cgroup v2: "0::/system.slice/x.service").
 */
function ownUnitField(): Record<string, string> {
  if (ownUnit === undefined) {
    let unit: string | undefined;
    try {
      const path = readFileSync('/proc/self/cgroup', 'utf8')
        .split('\n')
        .find((line) => line.startsWith('0::'))
        ?.slice(3);
      unit = path?.split('/').findLast((part) => /^[\w@.:-]+\.(service|scope)$/.test(part));
    } catch {
      unit = undefined;
    }
    ownUnit = unit ? { OBJECT_SYSTEMD_UNIT: unit } : {};
  }
  return ownUnit;
}
