// Timers for the daemon's schedules (core/schedule.ts says why they are not cron).
import { nextTick } from '../../core/schedule.js';
import type { Clock } from '../../host/clock.js';

export interface Schedule {
  stop(): void;
}

/** Calls `tick` every `seconds` on the clock's monotonic time, the first one interval from now. */
export function every(clock: Clock, seconds: number, tick: () => void): Schedule {
  const periodMs = seconds * 1000;
  const start = clock.monotonic();
  const stopped = new AbortController();
  void (async () => {
    for (let due = start + periodMs; ;) {
      try {
        await clock.sleep(Math.max(0, due - clock.monotonic()), stopped.signal);
      } catch {
        return; // stopped
      }
      // From `due` at least: a timer may end a fraction of a millisecond before it on this clock,
      // and the same tick must not run twice.
      due = nextTick(start, periodMs, Math.max(due, clock.monotonic()));
      tick();
    }
  })();
  return { stop: () => stopped.abort() };
}
