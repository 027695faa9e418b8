// The clock port. Everything that waits or timestamps takes a Clock, so tests run waits instantly
// on a fake clock (test/fakes/clock.ts).
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds, for measuring durations. */
  monotonic(): number;
  /** Resolves after ms, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Monotonic milliseconds from process.hrtime. Not performance.now(): the first touch of the
 * `performance` global loads eleven of Node's modules (perf_hooks and its timing classes) for the
 * life of the process, ~0.5 MB of the daemon's RSS.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Milliseconds since this process started (performance.now()'s origin), for traces. */
export function sinceStartMs(): number {
  return process.uptime() * 1000;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: monotonicMs,
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
