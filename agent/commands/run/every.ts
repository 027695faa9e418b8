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
  let due = start + periodMs;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    timer = setTimeout(fire, Math.max(0, due - clock.monotonic()));
  };
  const fire = () => {
    if (stopped) return;
    // From `due` at least: a timer may fire a fraction of a millisecond before it on this clock,
    // and the same tick must not run twice.
    due = nextTick(start, periodMs, Math.max(due, clock.monotonic()));
    arm();
    tick();
  };
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
