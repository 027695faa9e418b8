// The process-wide deadline of a required check. greenboot waits for a required script without
// any timeout, so a check stuck in a read that never completes would leave the boot with no
// verdict at all, and a bad update would never roll back. The deadline is armed before anything
// is read (a fixed bound, since the wait budget is not known yet) and moved to budget + margin
// once the budget is known; when it passes, the process gives up with a failing verdict and names
// what it was still doing. Pure logic over injected timers, so tests drive it on a fake clock.

/** Bound for everything before the wait budget is known (config, boot context, boot record). */
export const CONTEXT_LIMIT_MS = 120_000;
/** Room after the wait budget for the checks to report, the record to be written and the process to end. */
export const MARGIN_MS = 60_000;

export interface DeadlineTimers {
  /** Monotonic milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DeadlineExpiry {
  /** What the process was doing when the deadline passed, e.g. "gathering the boot context". */
  phase: string;
  elapsedMs: number;
  limitMs: number;
  /** Where the limit came from, e.g. "wait budget 600 s + 60 s margin". */
  limitWhy: string;
}

export interface Deadline {
  /** Names what the process does from now on (kept for the expiry message). */
  enter(phase: string): void;
  /** Sets the limit, counted from the start, and says where it came from. */
  limit(limitMs: number, why: string): void;
  /** The work ended (or the process is ending anyway): never fire. */
  stop(): void;
  /** Milliseconds since the deadline was created. */
  elapsedMs(): number;
  readonly phase: string;
}

export function createDeadline(timers: DeadlineTimers, onExpire: (expiry: DeadlineExpiry) => void): Deadline {
  const start = timers.now();
  let phase = 'starting';
  let handle: unknown;
  let stopped = false;
  const clear = () => {
    if (handle !== undefined) timers.clearTimeout(handle);
    handle = undefined;
  };
  return {
    enter(next) {
      phase = next;
    },
    limit(limitMs, why) {
      if (stopped) return;
      clear();
      const remaining = Math.max(0, start + limitMs - timers.now());
      handle = timers.setTimeout(() => {
        handle = undefined;
        if (stopped) return;
        stopped = true;
        onExpire({ phase, elapsedMs: timers.now() - start, limitMs, limitWhy: why });
      }, remaining);
    },
    stop() {
      stopped = true;
      clear();
    },
    elapsedMs: () => timers.now() - start,
    get phase() {
      return phase;
    },
  };
}

/**
 * The limit once the wait budget is known, counted from the start: the time already spent, then
 * the budget (the checks wait that long from now on), then the margin.
 */
export function limitAfterBudget(elapsedMs: number, budgetSec: number): { limitMs: number; why: string } {
  return {
    limitMs: Math.ceil(elapsedMs) + budgetSec * 1000 + MARGIN_MS,
    why: `wait budget ${budgetSec} s + ${MARGIN_MS / 1000} s margin after the boot context`,
  };
}

/** The phase while checks run: which ones have not reported yet. */
export function describeChecksPhase(pending: readonly string[]): string {
  if (pending.length === 0) return 'finishing the checks';
  return `running checks, still waiting for: ${pending.join(', ')}`;
}

/** One line for stderr and the journal. */
export function describeExpiry(expiry: DeadlineExpiry): string {
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return `deadline passed after ${seconds(expiry.elapsedMs)} (limit ${seconds(expiry.limitMs)}: ${expiry.limitWhy}) while ${expiry.phase}: giving up with a failing verdict (exit 1) so greenboot is not left waiting forever`;
}

/** What raceDeadline needs of a clock: a sleep that an abort ends early (it may reject then). */
export interface RaceClock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface RaceOptions<F> {
  clock: RaceClock;
  /** How long the work gets; Infinity: no timer at all. */
  ms: number;
  /** An abort ends the race at once with the signal's reason, also when the work ignores it. */
  signal?: AbortSignal;
  /** What the race gives when the timer wins: a value, or throw (e.g. a TimeoutError). */
  onTimeout: () => F | Promise<F>;
}

/**
 * The one way edge-agent races work against a timer: the work's value if it settles first,
 * onTimeout() if the timer does, the signal's reason if an abort comes first. The timer is always
 * cancelled, so a finished race leaves nothing pending that keeps the process alive.
 */
export async function raceDeadline<T, F>(work: Promise<T>, options: RaceOptions<F>): Promise<T | F> {
  const { clock, ms, signal } = options;
  const timer = new AbortController();
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(signal?.reason)));
  aborted.catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const never = new Promise<never>(() => undefined);
  try {
    return await Promise.race([
      work,
      aborted,
      Number.isFinite(ms) ? clock.sleep(Math.max(0, ms), timer.signal).then(options.onTimeout, () => never) : never,
    ]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    timer.abort();
  }
}
