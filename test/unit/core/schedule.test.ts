// The daemon's "every N seconds" grid: ticks at start + k·N, the next one strictly after a moment,
// missed ones skipped.
import { describe, expect, it } from 'vitest';
import { nextTick } from '../../../agent/core/schedule.js';

describe('nextTick', () => {
  it.each([
    // start, period, after, next
    [0, 1000, 0, 1000],
    [0, 1000, 999, 1000],
    [0, 1000, 1000, 2000],
    [0, 1000, 1000.5, 2000],
    // Not a divisor of a minute: 90 s stays 90 s.
    [0, 90_000, 100_000, 180_000],
    [5000, 90_000, 5000, 95_000],
    // Late by many periods (the loop was blocked, the host suspended): the next one only.
    [0, 10_000, 1_234_567, 1_240_000],
    // Before the start (cannot happen on a monotonic clock): the first tick.
    [10_000, 1000, 9500, 11_000],
  ])('start %d, every %d ms, after %d: %d', (start, period, after, next) => {
    expect(nextTick(start, period, after)).toBe(next);
  });

  it('is on the grid and within one period after the moment, for any moment', () => {
    for (const period of [1000, 7000, 90_000, 5 * 3_600_000]) {
      for (let after = 123; after < 50 * period; after += period / 3.7) {
        const next = nextTick(123, period, after);
        expect((next - 123) % period).toBe(0);
        expect(next).toBeGreaterThan(after);
        expect(next - after).toBeLessThanOrEqual(period);
      }
    }
  });

  it.each([0, -1000, Number.NaN])('refuses a period of %d ms', (period) => {
    expect(() => nextTick(0, period, 0)).toThrow(/period must be positive/);
  });
});
