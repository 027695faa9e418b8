// The one waiting loop. A check supplies a probe (I/O, injected) and an assessment (pure); the
// loop probes until the assessment is final, the deadline passes or the signal aborts. Between
// probes it sleeps `pollMs`, or less when `wake` reports a change (D-Bus signals, watch events),
// so detection is event-driven with polling only as a safety net. Runs instantly on a fake clock.
import { raceDeadline } from './deadline.js';

export interface WaitClock {
  monotonic(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type Assessment<R> = { done: true; result: R } | { done: false; progress?: string };

export interface WaitOptions<O, R> {
  clock: WaitClock;
  /** Monotonic time (ms) after which `onDeadline` decides. */
  deadline: number;
  signal?: AbortSignal;
  pollMs: number;
  probe: (signal: AbortSignal) => Promise<O>;
  assess: (observation: O, now: number) => Assessment<R>;
  onDeadline: (last: O | undefined, now: number) => R;
  onAbort: (last: O | undefined) => R;
  /** Register a callback for "something changed, probe now"; returns an unsubscribe function. */
  wake?: (notify: () => void) => () => void;
  /** Called with the progress text at most every `progressEveryMs`. */
  onProgress?: (progress: string, remainingMs: number) => void;
  progressEveryMs?: number;
}

export async function waitUntil<O, R>(options: WaitOptions<O, R>): Promise<R> {
  const { clock, signal } = options;
  let last: O | undefined;
  // The first progress line comes one interval in: the start is announced by the check itself.
  let lastProgress = clock.monotonic();
  // A wake that arrives while a probe runs must not be lost: remember it for the next sleep.
  const wake = { pending: false, now: undefined as (() => void) | undefined };
  const unsubscribe = options.wake?.(() => {
    wake.pending = true;
    wake.now?.();
  });
  // A probe that hangs must not outlive the deadline or the abort.
  const loop = new AbortController();
  const onAbort = () => loop.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) return options.onAbort(last);
      const now = clock.monotonic();
      if (now >= options.deadline) return options.onDeadline(last, now);
      wake.pending = false;
      try {
        // An abort ends the race too: a probe that ignores its signal must not keep SIGTERM waiting.
        last = await raceDeadline(options.probe(loop.signal), {
          clock,
          ms: options.deadline - now,
          signal: loop.signal,
          onTimeout: () => {
            throw new DeadlinePassed();
          },
        });
      } catch (error) {
        if (signal?.aborted) return options.onAbort(last);
        if (!(error instanceof DeadlinePassed)) throw error;
        continue;
      }
      const assessment = options.assess(last, clock.monotonic());
      if (assessment.done) return assessment.result;
      const at = clock.monotonic();
      if (assessment.progress && options.onProgress && at - lastProgress >= (options.progressEveryMs ?? 30_000)) {
        lastProgress = at;
        options.onProgress(assessment.progress, Math.max(0, options.deadline - at));
      }
      if (!wake.pending)
        await sleepOrWake(
          clock,
          Math.min(options.pollMs, Math.max(0, options.deadline - at)),
          loop.signal,
          (w) => (wake.now = w),
        );
    }
  } finally {
    unsubscribe?.();
    signal?.removeEventListener('abort', onAbort);
    loop.abort();
  }
}

/** The probe ran past the deadline: not an error of the probe, the loop decides from the last look. */
class DeadlinePassed extends Error {}

async function sleepOrWake(
  clock: WaitClock,
  ms: number,
  signal: AbortSignal,
  setWake: (w: (() => void) | undefined) => void,
): Promise<void> {
  // Aborted while the probe ran: no sleep, the loop decides at once.
  if (signal.aborted) return;
  const local = new AbortController();
  const onAbort = () => local.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  setWake(() => local.abort());
  try {
    await clock.sleep(ms, local.signal);
  } catch {
    // woken early or aborted: the loop checks which
  } finally {
    setWake(undefined);
    signal.removeEventListener('abort', onAbort);
  }
}
