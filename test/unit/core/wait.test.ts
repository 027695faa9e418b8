// The one waiting loop, on a fake clock: it decides at the deadline, probes at once when woken,
// cuts a probe that hangs, stops on abort, and rate-limits its progress lines.
import { describe, expect, it } from 'vitest';
import { waitUntil, type WaitOptions } from '../../../agent/core/wait.js';
import { FakeClock } from '../../fakes/clock.js';

type Outcome = { how: 'done' | 'deadline' | 'aborted'; at: number; last: number | undefined };

/** Let pending promise chains run (the loop registers its next sleep) before time moves. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A wait whose probe returns how many probes ran so far (1, 2, ...) and never assesses done. */
function aWait(clock: FakeClock, patch: Partial<WaitOptions<number, Outcome>> = {}) {
  const probedAt: number[] = [];
  const options: WaitOptions<number, Outcome> = {
    clock,
    deadline: 5000,
    pollMs: 1000,
    probe: async () => {
      probedAt.push(clock.monotonic());
      return probedAt.length;
    },
    assess: () => ({ done: false, progress: 'still waiting' }),
    onDeadline: (last, now) => ({ how: 'deadline', at: now, last }),
    onAbort: (last) => ({ how: 'aborted', at: clock.monotonic(), last }),
    ...patch,
  };
  return { probedAt, run: () => waitUntil(options) };
}

describe('waitUntil', () => {
  it('polls every pollMs and decides at the deadline with the last observation', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const { probedAt, run } = aWait(clock);
    expect(await run()).toEqual({ how: 'deadline', at: 5000, last: 5 });
    expect(probedAt).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('returns the assessment as soon as it is final, without another sleep', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const { probedAt, run } = aWait(clock, {
      assess: (n, now) => (n === 3 ? { done: true, result: { how: 'done', at: now, last: n } } : { done: false }),
    });
    expect(await run()).toEqual({ how: 'done', at: 2000, last: 3 });
    expect(probedAt).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('never sleeps past the deadline when pollMs is longer than the time left', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const { probedAt, run } = aWait(clock, { deadline: 2500, pollMs: 10_000 });
    expect(await run()).toMatchObject({ how: 'deadline', at: 2500 });
    expect(probedAt).toEqual([0]);
  });

  it('probes at once when woken instead of after pollMs', async () => {
    const clock = new FakeClock();
    let notify: () => void = () => undefined;
    const { probedAt, run } = aWait(clock, {
      deadline: 60_000,
      pollMs: 30_000,
      wake: (n) => {
        notify = n;
        return () => (notify = () => undefined);
      },
      assess: (n, now) => (n === 2 ? { done: true, result: { how: 'done', at: now, last: n } } : { done: false }),
    });
    const result = run();
    await clock.advance(1200);
    expect(probedAt).toEqual([0]);
    notify();
    expect(await result).toEqual({ how: 'done', at: 1200, last: 2 });
    expect(probedAt).toEqual([0, 1200]);
  });

  it('keeps a wake that arrives while a probe runs, and probes again without sleeping', async () => {
    const clock = new FakeClock();
    let notify: () => void = () => undefined;
    const probedAt: number[] = [];
    const result = waitUntil<number, Outcome>({
      clock,
      deadline: 60_000,
      pollMs: 30_000,
      wake: (n) => {
        notify = n;
        return () => undefined;
      },
      probe: async () => {
        probedAt.push(clock.monotonic());
        // The change happens while the first probe is still looking.
        if (probedAt.length === 1) notify();
        return probedAt.length;
      },
      assess: (n, now) => (n === 2 ? { done: true, result: { how: 'done', at: now, last: n } } : { done: false }),
      onDeadline: (last, now) => ({ how: 'deadline', at: now, last }),
      onAbort: (last) => ({ how: 'aborted', at: clock.monotonic(), last }),
    });
    expect(await result).toEqual({ how: 'done', at: 0, last: 2 });
    expect(probedAt).toEqual([0, 0]);
  });

  it('cuts a probe that hangs at the deadline and tells the probe to stop', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    let probeSignal: AbortSignal | undefined;
    const { run } = aWait(clock, {
      deadline: 3000,
      probe: (signal) => {
        probeSignal = signal;
        return new Promise<number>(() => undefined);
      },
    });
    expect(await run()).toEqual({ how: 'deadline', at: 3000, last: undefined });
    expect(probeSignal?.aborted).toBe(true);
  });

  it('keeps the last good observation when a later probe hangs past the deadline', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    let calls = 0;
    const { run } = aWait(clock, {
      deadline: 10_000,
      probe: () => (++calls < 3 ? Promise.resolve(calls) : new Promise<number>(() => undefined)),
    });
    expect(await run()).toEqual({ how: 'deadline', at: 10_000, last: 2 });
  });

  it('stops at once when aborted during a sleep, not at the next poll', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const { run } = aWait(clock, { deadline: 600_000, pollMs: 60_000, signal: controller.signal });
    const result = run();
    await settle();
    await clock.advance(1500);
    await settle();
    controller.abort('SIGTERM');
    expect(await result).toEqual({ how: 'aborted', at: 1500, last: 1 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops at once when aborted while a probe runs, instead of sleeping once more', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const { run } = aWait(clock, {
      deadline: 600_000,
      pollMs: 60_000,
      signal: controller.signal,
      probe: async () => {
        // SIGTERM arrives while the probe is out; the probe itself still answers normally.
        controller.abort('SIGTERM');
        return 1;
      },
    });
    const settled = await Promise.race([run(), settle().then(() => 'still waiting')]);
    expect(settled).toEqual({ how: 'aborted', at: 0, last: 1 });
  });

  it('stops at once when aborted while a probe that ignores its signal hangs', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    let calls = 0;
    const { run } = aWait(clock, {
      deadline: 600_000,
      signal: controller.signal,
      probe: () => (++calls === 1 ? Promise.resolve(1) : new Promise<number>(() => undefined)),
    });
    const result = run();
    await settle();
    await clock.advance(1000);
    expect(calls).toBe(2);
    controller.abort('SIGTERM');
    const settled = await Promise.race([result, settle().then(() => 'still waiting')]);
    expect(settled).toEqual({ how: 'aborted', at: 1000, last: 1 });
  });

  it('does not probe at all when the signal is already aborted', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const { probedAt, run } = aWait(clock, { signal: AbortSignal.abort('SIGTERM') });
    expect(await run()).toEqual({ how: 'aborted', at: 0, last: undefined });
    expect(probedAt).toEqual([]);
  });

  it('passes a probe error on to the caller (the runner turns it into check-error)', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const { run } = aWait(clock, { probe: async () => Promise.reject(new Error('bus exploded')) });
    await expect(run()).rejects.toThrow('bus exploded');
  });

  it.each([
    [30_000, 1000, 100_000, [30_000, 60_000, 90_000]],
    [10_000, 4000, 30_000, [12_000, 24_000]],
    [30_000, 1000, 29_000, []],
  ])('reports progress at most every %i ms (poll %i ms, deadline %i ms)', async (every, pollMs, deadline, expected) => {
    const clock = new FakeClock({ autoAdvance: true });
    const progress: { at: number; remaining: number; text: string }[] = [];
    const { run } = aWait(clock, {
      deadline,
      pollMs,
      progressEveryMs: every,
      onProgress: (text, remaining) => progress.push({ at: clock.monotonic(), remaining, text }),
    });
    await run();
    expect(progress.map((p) => p.at)).toEqual(expected);
    for (const p of progress) expect(p).toMatchObject({ remaining: deadline - p.at, text: 'still waiting' });
  });

  it('reports no progress when the assessment has none to give', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const progress: string[] = [];
    const { run } = aWait(clock, {
      deadline: 100_000,
      progressEveryMs: 1000,
      assess: () => ({ done: false }),
      onProgress: (text) => progress.push(text),
    });
    await run();
    expect(progress).toEqual([]);
  });

  it('unsubscribes its wake source when it ends', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    let subscribed = 0;
    const { run } = aWait(clock, {
      wake: () => {
        subscribed += 1;
        return () => (subscribed -= 1);
      },
    });
    await run();
    expect(subscribed).toBe(0);
  });
});
