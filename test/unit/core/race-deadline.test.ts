// raceDeadline, the one "this work or the timer" helper: the work's value, onTimeout's value or
// error when the timer wins, the abort reason when the signal wins, and no timer left behind.
import { describe, expect, it } from 'vitest';
import { raceDeadline } from '../../../agent/core/deadline.js';
import { TimeoutError } from '../../../agent/errors.js';
import { FakeClock } from '../../fakes/clock.js';

const later = <T>(clock: FakeClock, ms: number, value: T) => clock.sleep(ms).then(() => value);

describe('raceDeadline', () => {
  it("gives the work's value when it settles first and cancels the timer", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const result = await raceDeadline(later(clock, 100, 'done'), { clock, ms: 1000, onTimeout: () => 'late' });
    expect(result).toBe('done');
    expect(clock.pendingTimers).toBe(0);
  });

  it("gives onTimeout's value when the timer wins", async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const never = new Promise<string>(() => undefined);
    expect(await raceDeadline(never, { clock, ms: 1000, onTimeout: () => 'late' })).toBe('late');
  });

  it('rejects with a TimeoutError thrown by onTimeout, recognisable by its class', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const race = raceDeadline(later(clock, 5000, 'done'), {
      clock,
      ms: 1000,
      onTimeout: () => {
        throw new TimeoutError('no answer within 1 s');
      },
    });
    await expect(race).rejects.toBeInstanceOf(TimeoutError);
  });

  it('ends at once with the reason when the signal aborts, even if the work ignores it', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const race = raceDeadline(new Promise(() => undefined), {
      clock,
      ms: 60_000,
      signal: controller.signal,
      onTimeout: () => 'late',
    });
    controller.abort(new Error('SIGTERM'));
    await expect(race).rejects.toThrow('SIGTERM');
    expect(clock.pendingTimers).toBe(0);
  });

  it('sets no timer for an unlimited race', async () => {
    const clock = new FakeClock();
    const race = raceDeadline(later(clock, 10, 'done'), { clock, ms: Infinity, onTimeout: () => 'late' });
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(10);
    expect(await race).toBe('done');
  });
});
