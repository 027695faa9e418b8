// Structured journal entries without a native binding: util-linux `logger --journald` reads
// FIELD=value lines on stdin and sends them as one entry over journald's native socket. Node has
// no AF_UNIX datagram sockets, and a compiled binding ties the package to one Node major, so one
// short-lived process per structured record is the price; records with fields are rare (check
// outcomes, verdicts, hub events), plain lines keep going to stderr.
//
// Order matters to whoever reads the journal: while a structured record is on its way, later
// lines wait behind it, so the journal shows them in the order they were logged. When `logger`
// is missing or fails, the record is written as a plain line instead (never lost).
import { spawn } from 'node:child_process';

export interface JournalSendOptions {
  /** Writes one plain, already prefixed line (the fallback and the ordinary path). */
  writeLine: (line: string) => void;
  /** Program to run (default `logger`, found on PATH). */
  command?: string;
  /** How long one `logger` may take before it is killed and the line written plainly. */
  timeoutMs?: number;
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
  const queue: Item[] = [];
  const waiters: Array<() => void> = [];
  let busy = false;
  let available = true;

  const drain = () => {
    while (!busy && queue.length > 0) {
      const item = queue.shift()!;
      if (item.kind === 'line' || !available) options.writeLine(item.line);
      else {
        busy = true;
        send(item.payload, (ok) => {
          if (!ok) options.writeLine(item.line);
          busy = false;
          drain();
        });
      }
    }
    if (!busy && queue.length === 0) for (const done of waiters.splice(0)) done();
  };

  const send = (payload: string, done: (ok: boolean) => void) => {
    let finished = false;
    const finish = (ok: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done(ok);
    };
    const child = spawn(command, ['--journald'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(false);
    }, timeoutMs);
    // A daemon waiting for nothing else must not stay alive for a log record.
    timer.unref();
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Not installed: every later record goes out as a plain line without trying again.
      if (error.code === 'ENOENT' || error.code === 'EACCES') available = false;
      finish(false);
    });
    child.on('close', (code) => finish(code === 0));
    child.stdin.on('error', () => undefined);
    child.stdin.end(payload);
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
