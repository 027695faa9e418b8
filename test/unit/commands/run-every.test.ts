// The daemon's schedules (commands/run/every.ts) on the real monotonic clock under fake timers:
// exact intervals the config names, none lost or doubled, and deaf to steps of the wall clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { every } from '../../../agent/commands/run/every.js';
import { monotonicMs, systemClock } from '../../../agent/host/clock.js';

beforeEach(() => {
  // hrtime too: the clock's monotonic time then moves with the timers, and not with setSystemTime.
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'Date', 'hrtime'],
    now: new Date(2026, 11, 6, 10, 17, 33),
  });
});
afterEach(() => {
  vi.useRealTimers();
});

function ticksOf(seconds: number): { at: number[]; stop(): void } {
  const start = monotonicMs();
  const at: number[] = [];
  const schedule = every(systemClock, seconds, () => void at.push(Math.round(monotonicMs() - start)));
  return { at, stop: () => schedule.stop() };
}

describe('every', () => {
  it.each([10, 45, 90, 300, 5 * 3600])(
    'ticks every %ds exactly, the first one interval from the start',
    async (seconds) => {
      const ticks = ticksOf(seconds);
      await vi.advanceTimersByTimeAsync(4 * seconds * 1000 + 10);
      ticks.stop();
      expect(ticks.at).toEqual([1, 2, 3, 4].map((k) => k * seconds * 1000));
    },
  );

  it.each([
    ['back a year', -365 * 86_400_000],
    ['forward a day', 86_400_000],
  ])('keeps its interval when the wall clock steps %s (NTP after boot)', async (_what, step) => {
    const ticks = ticksOf(30);
    await vi.advanceTimersByTimeAsync(61_000);
    vi.setSystemTime(Date.now() + step);
    await vi.advanceTimersByTimeAsync(120_000);
    ticks.stop();
    expect(ticks.at).toEqual([30_000, 60_000, 90_000, 120_000, 150_000, 180_000]);
  });

  it('after a stall runs one late tick, not the ones it missed, then keeps to its grid', async () => {
    // The loop or the host stops for 35 s just after the first tick: the clock moves on, timers wait.
    let stalled = 0;
    const clock = { ...systemClock, monotonic: () => monotonicMs() + stalled };
    const start = clock.monotonic();
    const at: number[] = [];
    const schedule = every(clock, 10, () => void at.push(Math.round(clock.monotonic() - start)));
    await vi.advanceTimersByTimeAsync(10_000);
    stalled = 35_000;
    await vi.advanceTimersByTimeAsync(25_000);
    schedule.stop();
    expect(at).toEqual([10_000, 55_000, 60_000, 70_000]);
  });

  it('runs nothing once stopped, even a tick already due', async () => {
    const ticks = ticksOf(10);
    await vi.advanceTimersByTimeAsync(10_000);
    ticks.stop();
    await vi.advanceTimersByTimeAsync(100_000);
    expect(ticks.at).toEqual([10_000]);
  });
});
