// The daemon's "every N seconds" settings, on the monotonic clock: ticks at start + k·N, exactly
// the interval the config names. Not a cron expression: cron fields divide a minute, hour or day,
// so 90 s or 5 h would have to be rounded, and cron fires by wall-clock time, which a device
// without a battery-backed clock steps (often by years) when NTP first answers after boot.

/**
 * The first tick after `afterMs` on the grid `startMs + k·periodMs` (k ≥ 1). Ticks missed while
 * the process could not run (a blocked loop, a suspended host) are skipped, not run in a burst.
 */
export function nextTick(startMs: number, periodMs: number, afterMs: number): number {
  if (!(periodMs > 0)) throw new RangeError(`a schedule's period must be positive, not ${periodMs} ms`);
  const k = Math.max(1, Math.floor((afterMs - startMs) / periodMs) + 1);
  return startMs + k * periodMs;
}
