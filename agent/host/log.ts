// The one logger (pino), created here and injected everywhere.
//
// The journal is for people: each record becomes one plain sentence. Under systemd or greenboot's
// `systemd-cat`, lines carry sd-daemon `<N>` priority prefixes so `journalctl -p warning` works;
// on a terminal they are plain text. When the optional native `systemd-journald` binding is
// installed, journal-mode records are sent natively instead, with structured EDGE_AGENT_* fields
// (so `journalctl EDGE_AGENT_OUTCOME=fail` works). Logs always go to stderr: stdout is reserved
// for command output such as `--json`.
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import pino, { type Logger as PinoLogger } from 'pino';
import type { Logger } from './logger.js';

export type { Logger };
export type LogFormat = 'journal' | 'text' | 'json';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** SYSLOG_IDENTIFIER for native journal entries. */
  identifier?: string;
  /** Where formatted lines go (default: stderr). */
  write?: (line: string) => void;
  /** Use the native binding when it is installed and the format is journal (default true). */
  native?: boolean;
}

// pino levels -> syslog priorities (sd-daemon.h): fatal=crit, error=err, warn=warning, info=info.
const priorities: Record<number, number> = { 60: 2, 50: 3, 40: 4, 30: 6, 20: 7, 10: 7 };
// pino's own keys, never turned into journal fields.
const reserved = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err', 'v']);

export function createLogger(options: LoggerOptions = {}): PinoLogger {
  const format = options.format ?? detectLogFormat();
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const native = format === 'journal' && options.native !== false ? loadNativeJournal() : undefined;
  const identifier = options.identifier ?? process.env.EDGE_AGENT_LOG_IDENTIFIER ?? 'edge-agent';
  const destination = {
    write(json: string) {
      const record = JSON.parse(json) as Record<string, unknown>;
      const priority = priorities[Number(record.level)] ?? 6;
      const message = formatMessage(record);
      if (format === 'json') return write(json);
      if (native) return native(priority, message, { SYSLOG_IDENTIFIER: identifier, ...journalFields(record) });
      if (format === 'journal') return write(`<${priority}>${message}\n`);
      const prefix = priority <= 3 ? 'error: ' : priority === 4 ? 'warning: ' : '';
      write(`${prefix}${message}\n`);
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
    fields[`EDGE_AGENT_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`] = String(value);
  }
  return fields;
}

type NativeSend = (priority: number, message: string, fields: Record<string, string>) => void;

/** The optional binding; undefined when it is not installed (the RPM's -journald subpackage). */
function loadNativeJournal(): NativeSend | undefined {
  if (process.env.EDGE_AGENT_NATIVE_JOURNAL === '0') return undefined;
  try {
    const require = createRequire(import.meta.url);
    const journald = require('systemd-journald') as Record<string, (message: string, fields: object) => void>;
    const names = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
    return (priority, message, fields) => journald[names[priority] ?? 'info']?.(message, fields);
  } catch {
    return undefined;
  }
}
