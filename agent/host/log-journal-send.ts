// Structured journal entries without a native binding: util-linux `logger --journald` reads
// FIELD=value lines on stdin and sends them as one entry over journald's native socket. Node has
// no AF_UNIX datagram sockets, and a compiled binding ties the package to one Node major, so one
// short-lived process per structured record is the price; records with fields are rare (check
// outcomes, verdicts, hub events), plain lines keep going to stderr.
//
// Order matters to whoever reads the journal: while a structured record is on its way, later
// lines wait behind it, so the journal shows them in the order they were logged. Waiting for
// `logger` to exit is not enough on its own: journald reads its native socket and each stdout
// stream separately, and under load a stderr line written right after `logger` exits was stored
// before the entry. So the first plain line after an entry waits for `journalctl --sync`, which
// returns once journald has stored everything sent before it (journald handles the sync request
// after the messages already queued). Only that switch from entry to line pays for it; a run of
// entries, or of lines, stays on one channel. The opposite switch (line, then entry) is left
// alone: the line is in the stream before `logger` even starts, so journald has it milliseconds
// ahead. When `logger` is missing or fails, the record is written as a plain line instead (never
// lost); when the sync cannot run (not root), lines go out without it.
import { spawn } from 'node:child_process';

export interface JournalSendOptions {
  /** Writes one plain, already prefixed line (the fallback and the ordinary path). */
  writeLine: (line: string) => void;
  /** Program to run (default `logger`, found on PATH). */
  command?: string;
  /** How long one `logger` may take before it is killed and the line written plainly. */
  timeoutMs?: number;
  /** Command and arguments that wait until journald has stored what was sent (default `journalctl --sync`). */
  syncCommand?: readonly [string, ...string[]];
}

export interface JournalSender {
  /** A record with fields: one journal entry carrying them. */
  structured(priority: number, message: string, fields: Record<string, string>): void;
  /** A record without fields: a `<N>` prefixed line on stderr. */
  plain(priority: number, message: string): void;
  /** Calls back once every record so far has reached the journal or stderr. */
  flush(callback: () => void): void;
  /** Whether `logger` still looks usable (false after it could not be started). */
  readonly available: boolean;
}

/** How a helper run ended: `missing` when it could not be started at all. */
type RunOutcome = 'ok' | 'failed' | 'missing' | 'timeout';

type Item = { kind: 'line'; line: string } | { kind: 'entry'; line: string; payload: string };

/** FIELD=value lines for `logger --journald`; one line per field, so newlines inside a value are flattened. */
export function renderJournalEntry(priority: number, message: string, fields: Record<string, string>): string {
  const flat = (value: string) => value.replace(/[\r\n]+/g, ' ');
  const lines = [`MESSAGE=${flat(message)}`, `PRIORITY=${priority}`];
  for (const [name, value] of Object.entries(fields)) {
    // journald drops the whole entry for one invalid field name; skip such a field instead.
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(name) || name === 'MESSAGE' || name === 'PRIORITY') continue;
    lines.push(`${name}=${flat(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function createJournalSender(options: JournalSendOptions): JournalSender {
  const command = options.command ?? 'logger';
  const timeoutMs = options.timeoutMs ?? 5_000;
  const [syncProgram, ...syncArgs] = options.syncCommand ?? (['journalctl', '--sync'] as const);
  const queue: Item[] = [];
  const waiters: Array<() => void> = [];
  let busy = false;
  let available = true;
  let canSync = true;
  // An entry went out through `logger` and journald may not have stored it yet.
  let entryInFlight = false;

  const drain = () => {
    while (!busy && queue.length > 0) {
      const item = queue[0]!;
      if (item.kind === 'entry' && available) {
        queue.shift();
        busy = true;
        run(command, ['--journald'], item.payload, (outcome) => {
          // `logger` not installed: every later record goes out as a plain line without trying again.
          if (outcome === 'missing') available = false;
          if (outcome === 'ok') entryInFlight = true;
          else options.writeLine(item.line);
          busy = false;
          drain();
        });
      } else if (entryInFlight && canSync) {
        busy = true;
        run(syncProgram, syncArgs, '', (outcome) => {
          // Refused or not installed (not root, no journald) stays so; a sync that only ran out
          // of time (journald busy) is tried again for the next entry.
          if (outcome === 'failed' || outcome === 'missing') canSync = false;
          entryInFlight = false;
          busy = false;
          drain();
        });
      } else {
        queue.shift();
        options.writeLine(item.line);
      }
    }
    if (!busy && queue.length === 0) for (const done of waiters.splice(0)) done();
  };

  /** Runs a helper with `input` on stdin, at most timeoutMs. */
  const run = (program: string, args: string[], input: string, done: (outcome: RunOutcome) => void) => {
    let finished = false;
    const finish = (outcome: RunOutcome) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done(outcome);
    };
    const child = spawn(program, args, { stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish('timeout');
    }, timeoutMs);
    // A daemon waiting for nothing else must not stay alive for a log record.
    timer.unref();
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ENOENT' || error.code === 'EACCES' ? 'missing' : 'failed'),
    );
    child.on('close', (code) => finish(code === 0 ? 'ok' : 'failed'));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  };

  return {
    structured(priority, message, fields) {
      queue.push({
        kind: 'entry',
        line: `<${priority}>${message}\n`,
        payload: renderJournalEntry(priority, message, fields),
      });
      drain();
    },
    plain(priority, message) {
      queue.push({ kind: 'line', line: `<${priority}>${message}\n` });
      drain();
    },
    flush(callback) {
      waiters.push(callback);
      drain();
    },
    get available() {
      return available;
    },
  };
}
