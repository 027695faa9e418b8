// The daemon's "every N seconds" settings as cron expressions: exact when N divides a minute, an
// hour or a day, else rounded to the nearest interval that does.
import { Cron } from 'croner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cronEvery } from '../../../agent/core/schedule.js';

describe('cronEvery', () => {
  it.each([
    // seconds: divisors of 60
    [1, '*/1 * * * * *', 1],
    [10, '*/10 * * * * *', 10],
    [15, '*/15 * * * * *', 15],
    [30, '*/30 * * * * *', 30],
    [7, '*/6 * * * * *', 6],
    [25, '*/20 * * * * *', 20],
    // halfway between 30 and 60: the smaller one
    [45, '*/30 * * * * *', 30],
    [55, '*/60 * * * * *', 60],
    // minutes
    [60, '0 */1 * * * *', 60],
    [90, '0 */2 * * * *', 120],
    [300, '0 */5 * * * *', 300],
    [600, '0 */10 * * * *', 600],
    [1800, '0 */30 * * * *', 1800],
    [3000, '0 */60 * * * *', 3600],
    // hours: divisors of 24
    [3600, '0 0 */1 * * *', 3600],
    [5400, '0 0 */2 * * *', 7200],
    [4 * 3600, '0 0 */4 * * *', 4 * 3600],
    [5 * 3600, '0 0 */4 * * *', 4 * 3600],
    [86400, '0 0 */24 * * *', 86400],
  ])('every %ds: %s (%ds)', (seconds, expression, actual) => {
    expect(cronEvery(seconds)).toEqual({ expression, seconds: actual });
  });

  it.each([1, 10, 45, 55, 59, 60, 90, 300, 3000, 3599, 3600, 5400, 86400])(
    'gives croner an expression that fires every interval it names, %ds',
    (seconds) => {
      const { expression, seconds: actual } = cronEvery(seconds);
      const job = new Cron(expression, { paused: true });
      // From an odd moment: the first run is the next aligned one, then one per interval.
      const runs = job.nextRuns(4, new Date(2026, 10, 22, 10, 17, 33, 250)).map((d) => d.getTime());
      expect(runs).toHaveLength(4);
      expect(runs[0] as number).toBeGreaterThan(new Date(2026, 10, 22, 10, 17, 33, 250).getTime());
      expect(runs.slice(1).map((t, i) => (t - (runs[i] as number)) / 1000)).toEqual([actual, actual, actual]);
    },
  );

  it('never strays further than the nearest usable interval', () => {
    for (let seconds = 10; seconds <= 86400; seconds += 37) {
      const { seconds: actual } = cronEvery(seconds);
      expect(actual).toBeGreaterThan(0);
      // Off by at most half the widest gap between usable intervals of the range (30..60 s,
      // 30..60 min, 12..24 h), plus the rounding to whole minutes or hours.
      expect(Math.abs(actual - seconds)).toBeLessThanOrEqual(
        seconds < 60 ? 15 : seconds < 3600 ? 15 * 60 + 30 : 6 * 3600 + 1800,
      );
    }
  });

  // Edge devices often boot with a wrong real-time clock that NTP then steps, forwards or back.
  describe("the daemon's schedules when the wall clock steps", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it.each([
      ['back an hour', -3_600_000],
      ['forward a day', 86_400_000],
    ])('keep firing every interval after a step %s', async (_what, step) => {
      vi.useFakeTimers({ now: new Date(2026, 10, 22, 10, 17, 33) });
      const fired: number[] = [];
      const job = new Cron(cronEvery(30).expression, () => void fired.push(Date.now()));
      try {
        await vi.advanceTimersByTimeAsync(61_000);
        expect(fired).toHaveLength(2);
        vi.setSystemTime(Date.now() + step);
        const stepped = Date.now();
        fired.length = 0;
        // Timers run on elapsed time. After a step back, the timer set before it finds its target
        // not yet reached and aims again from the new time: a gap of at most two intervals, never
        // the size of the step.
        await vi.advanceTimersByTimeAsync(120_000);
        const after = [...fired];
        expect(after.length).toBeGreaterThanOrEqual(3);
        expect((after[0] as number) - stepped).toBeLessThanOrEqual(60_000);
        expect(after.slice(1).map((t, i) => t - (after[i] as number))).toEqual(after.slice(1).map(() => 30_000));
      } finally {
        job.stop();
      }
    });
  });
});
