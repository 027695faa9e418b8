// The real timers behind core/deadline.ts, and what happens when the deadline passes: one error
// line (stderr, which under greenboot is the journal), a bounded wait for the logger, then the
// injected exit with 1. Waiting politely for the stuck work is exactly what must not happen.
import { createDeadline, describeExpiry, type Deadline } from '../core/deadline.js';
import { ExitCode } from '../exit-codes.js';
import type { Logger } from './log.js';

/** How long the logger may take to hand over its last line before the process ends anyway. */
const FLUSH_LIMIT_MS = 2000;

export interface ProcessDeadlineOptions {
  log: Logger;
  /** Ends the process (main.ts's process.exit). */
  exit: (code: number) => void;
}

export function startProcessDeadline({ log, exit }: ProcessDeadlineOptions): Deadline {
  const timers = {
    now: () => performance.now(),
    setTimeout: (fn: () => void, ms: number) => {
      const handle = setTimeout(fn, ms);
      // A check that finished must not be kept alive by its own watchdog.
      handle.unref();
      return handle;
    },
    clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
  };
  return createDeadline(timers, (expiry) => {
    log.error({ phase: expiry.phase, deadline: 'passed' }, describeExpiry(expiry));
    const end = () => exit(ExitCode.Failed);
    setTimeout(end, FLUSH_LIMIT_MS);
    log.flush(end);
  });
}
