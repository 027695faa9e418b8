// The real timers behind core/deadline.ts, and what happens when the deadline passes: one error
// line (stderr, which under greenboot is the journal), a bounded wait for the logger, then the
// injected exit with 1. Waiting politely for the stuck work is exactly what must not happen.
import { CONTEXT_LIMIT_MS, createDeadline, describeExpiry, type Deadline } from '../core/deadline.js';
import { ExitCode } from '../exit-codes.js';
import { monotonicMs } from './clock.js';
import type { Logger } from './log.js';

/** How long the logger may take to hand over its last line before the process ends anyway. */
const FLUSH_LIMIT_MS = 2000;

export interface ProcessDeadlineOptions {
  /** The logger in use when the deadline passes (main.ts replaces it once the config is loaded). */
  log: () => Logger;
  /** Ends the process (main.ts's process.exit). */
  exit: (code: number) => void;
}

export function startProcessDeadline({ log, exit }: ProcessDeadlineOptions): Deadline {
  const timers = {
    now: monotonicMs,
    setTimeout: (fn: () => void, ms: number) => {
      const handle = setTimeout(fn, ms);
      // A check that finished must not be kept alive by its own watchdog.
      handle.unref();
      return handle;
    },
    clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
  };
  return createDeadline(timers, (expiry) => {
    const logger = log();
    logger.error({ phase: expiry.phase, deadline: 'passed' }, describeExpiry(expiry));
    const end = () => exit(ExitCode.Failed);
    setTimeout(end, FLUSH_LIMIT_MS);
    logger.flush(end);
  });
}

/**
 * EDGE_AGENT_TEST_DEADLINE_MS replaces every limit so a test can show a stuck run ending without
 * waiting minutes; it is meant for tests only and not documented to operators.
 */
export function testDeadlineMs(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env.EDGE_AGENT_TEST_DEADLINE_MS;
  const value = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Starts the deadline with its first limit: the bound for everything before the wait budget is known. */
export function armProcessDeadline(
  options: ProcessDeadlineOptions & { env: Readonly<Record<string, string | undefined>> },
): Deadline {
  const deadline = startProcessDeadline(options);
  const test = testDeadlineMs(options.env);
  deadline.limit(
    test ?? CONTEXT_LIMIT_MS,
    test === undefined
      ? `${CONTEXT_LIMIT_MS / 1000} s to load the config and learn the boot context`
      : 'EDGE_AGENT_TEST_DEADLINE_MS',
  );
  return deadline;
}
