// The daemon's schedules (commands/run/every.ts) on a fake clock: the exact intervals the config
// names, none lost or doubled, deaf to steps of the wall clock, and late ticks not made up.
import { describe, expect, it } from 'vitest';
import { every } from '../../../agent/commands/run/every.js';
import type { Clock } from '../../../agent/host/clock.js';
import { FakeClock } from '../../fakes/clock.js';

function ticksOf(clock: Clock, seconds: number): { at: number[]; stop(): void } {
  const start = clock.monotonic();
  const at: number[] = [];
  const schedule = every(clock, seconds, () => void at.push(clock.monotonic() - start));
  return { at, stop: () => schedule.stop() };
}

describe('every', () => {
  it.each([10, 45, 90, 300, 5 * 3600])(
    'ticks every %ds exactly, the first one interval from the start',
    async (seconds) => {
      const clock = new FakeClock();
      const ticks = ticksOf(clock, seconds);
      await clock.advance(4 * seconds * 1000 + 10);
      ticks.stop();
      expect(ticks.at).toEqual([1, 2, 3, 4].map((k) => k * seconds * 1000));
    },
  );

  it.each([
    ['back a year', -365 * 86_400_000],
    ['forward a day', 86_400_000],
  ])('keeps its interval when the wall clock steps %s (NTP after boot)', async (_what, step) => {
    const clock = new FakeClock({ now: '2026-12-06T10:17:33Z' });
    const ticks = ticksOf(clock, 30);
    await clock.advance(61_000);
    clock.setNow(clock.now() + step);
    await clock.advance(120_000);
    ticks.stop();
    expect(ticks.at).toEqual([30_000, 60_000, 90_000, 120_000, 150_000, 180_000]);
  });

  it('after a stall runs one late tick, not the ones it missed, then keeps to its grid', async () => {
    // The loop or the host stops for 35 s just after the first tick: the clock moves on, the
    // pending timer ends late.
    const fake = new FakeClock();
    let stalled = 0;
    const clock: Clock = {
      now: () => fake.now() + stalled,
      monotonic: () => fake.monotonic() + stalled,
      sleep: (ms, signal) => fake.sleep(ms, signal),
    };
    const ticks = ticksOf(clock, 10);
    await fake.advance(10_000);
    stalled = 35_000;
    await fake.advance(25_000);
    ticks.stop();
    expect(ticks.at).toEqual([10_000, 55_000, 60_000, 70_000]);
  });

  it('runs nothing once stopped and leaves no timer behind', async () => {
    const clock = new FakeClock();
    const ticks = ticksOf(clock, 10);
    await clock.advance(10_000);
    ticks.stop();
    await clock.advance(100_000);
    expect(ticks.at).toEqual([10_000]);
    expect(clock.pendingTimers).toBe(0);
  });
});
