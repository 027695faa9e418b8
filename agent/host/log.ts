// The one logger, created here and injected everywhere.
//
// The journal is for people: each record becomes one plain sentence. Under systemd or greenboot's
// `systemd-cat`, lines carry sd-daemon `<N>` priority prefixes so `journalctl -p warning` works;
// on a terminal they are plain text. In journal mode a record that carries fields becomes one
// journal entry with structured EDGE_AGENT_* fields (so `journalctl EDGE_AGENT_OUTCOME=fail`
// works), sent by util-linux `logger --journald` (log-journal-send.ts); without `logger` it is a
// plain line. Logs always go to stderr: stdout is reserved for command output such as `--json`.
//
// Written here rather than taken from a logging library: all a record needs is a level filter,
// a sentence and its fields, which the formats above render themselves. pino, used before,
// serialized each record to JSON only for this file to parse it back, and cost ~100 KB of code
// and ~4 MB of resident memory in every process (the daemon and its check child included).
import { fstatSync, readFileSync } from 'node:fs';
import { createJournalSender } from './log-journal-send.js';
import type { LogFn, Logger } from './logger.js';

export type { Logger };
export type LogFormat = 'journal' | 'text' | 'json';

/** Level names and their numbers (pino's and bunyan's numbering, kept for `json` lines). */
export const LOG_LEVELS = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10, silent: Infinity } as const;
export type LogLevel = keyof typeof LOG_LEVELS;

export interface LoggerOptions {
  /** Lowest level written (default info); a name not in LOG_LEVELS is reported and info used. */
  level?: string;
  /** Where `level` came from, for that report (default "log level"). */
  levelFrom?: string;
  format?: LogFormat;
  /** SYSLOG_IDENTIFIER for structured journal entries. */
  identifier?: string;
  /** Where formatted lines go (default: stderr). */
  write?: (line: string) => void;
  /** Send records with fields as structured journal entries in journal format (default true). */
  native?: boolean;
  /** Program that sends a structured entry (default `logger`). */
  journalCommand?: string;
  /** Command that waits until journald has stored the entries sent (default `journalctl --sync`). */
  journalSyncCommand?: readonly [string, ...string[]];
}

/** A logger whose records all carry `bindings` (tests and probes tag records this way). */
export interface RootLogger extends Logger {
  child(bindings: Record<string, unknown>): RootLogger;
}

// Level numbers -> syslog priorities (sd-daemon.h): fatal=crit, error=err, warn=warning, info=info.
const priorities: Record<number, number> = { 60: 2, 50: 3, 40: 4, 30: 6, 20: 7, 10: 7 };

function isLogLevel(name: string): name is LogLevel {
  return Object.hasOwn(LOG_LEVELS, name);
}

export function createLogger(options: LoggerOptions = {}): RootLogger {
  const format = options.format ?? detectLogFormat();
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const structured = format === 'journal' && options.native !== false && process.env.EDGE_AGENT_JOURNAL_FIELDS !== '0';
  const sender = structured
    ? createJournalSender({
        writeLine: write,
        command: options.journalCommand,
        syncCommand: options.journalSyncCommand,
      })
    : undefined;
  const identifier = options.identifier ?? process.env.EDGE_AGENT_LOG_IDENTIFIER ?? 'edge-agent';
  const wanted = options.level ?? 'info';
  const threshold = isLogLevel(wanted) ? LOG_LEVELS[wanted] : LOG_LEVELS.info;

  const emit = (level: number, fields: Record<string, unknown>, message: string) => {
    const priority = priorities[level] ?? 6;
    const err = fields.err instanceof Error ? fields.err : undefined;
    const text = err && !message.includes(err.message) ? `${message}: ${err.message}` : message;
    if (format === 'json') {
      const record = { level, time: Date.now(), ...fields, ...(err && { err: errorFields(err) }), msg: message };
      return write(`${JSON.stringify(record)}\n`);
    }
    if (sender) {
      const journal = journalFields(fields);
      // SYSLOG_PID: the entry comes from `logger`'s process, the record from ours.
      if (Object.keys(journal).length > 0)
        return sender.structured(priority, text, {
          SYSLOG_IDENTIFIER: identifier,
          SYSLOG_PID: String(process.pid),
          ...ownUnitField(),
          ...journal,
        });
      return sender.plain(priority, text);
    }
    if (format === 'journal') return write(`<${priority}>${text}\n`);
    const prefix = priority <= 3 ? 'error: ' : priority === 4 ? 'warning: ' : '';
    write(`${prefix}${text}\n`);
  };

  const make = (bindings: Record<string, unknown>): RootLogger => {
    const method =
      (level: number): LogFn =>
      (first: string | object, second?: string) => {
        if (level < threshold) return;
        if (typeof first === 'string') return emit(level, bindings, first);
        emit(level, { ...bindings, ...first }, second ?? '');
      };
    return {
      error: method(LOG_LEVELS.error),
      warn: method(LOG_LEVELS.warn),
      info: method(LOG_LEVELS.info),
      debug: method(LOG_LEVELS.debug),
      flush(callback) {
        if (sender) sender.flush(() => callback?.());
        else callback?.();
      },
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  const logger = make({});
  if (!isLogLevel(wanted))
    logger.warn(
      `${options.levelFrom ?? 'log level'}: ${JSON.stringify(wanted.slice(0, 40))} is not a log level; expected one of ${Object.keys(LOG_LEVELS).join(', ')}; logging at info`,
    );
  return logger;
}

const errorFields = (err: Error) => ({ type: err.name, message: err.message, stack: err.stack });

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

/** Bindings and fields of a record as EDGE_AGENT_* journal fields (primitives only). */
function journalFields(record: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'err' || value === undefined || value === null || typeof value === 'object') continue;
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
