// The check runner on a fake clock: checks run side by side, the first failing required check
// stops the rest (greenboot >= 0.15.8), wanted failures stop nothing, SIGTERM ends everything as
// `terminated`, and a check that throws is a failure with a reason, never a crash.
import { describe, expect, it } from 'vitest';
import { runChecks, type RunnableCheck } from '../../../agent/core/check-runner.js';
import type { CheckClass, CheckReport, CheckResult } from '../../../agent/core/check-result.js';
import { FakeClock } from '../../fakes/clock.js';

/** A check that decides `report` after `afterMs` on the clock, and stops early when told. */
function aCheck(
  clock: FakeClock,
  id: string,
  cls: CheckClass,
  afterMs: number,
  report: Partial<CheckReport> = {},
): RunnableCheck {
  return {
    id,
    class: cls,
    async run({ signal }) {
      try {
        await clock.sleep(afterMs, signal);
      } catch {
        return { outcome: 'terminated', reason: 'terminated', message: 'stopped while waiting' };
      }
      return { outcome: 'pass', reason: 'ok', message: `${id} ok`, ...report };
    },
  };
}

const byId = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r]));

describe('runChecks', () => {
  it('runs independent checks at the same time', async () => {
    const clock = new FakeClock({ autoAdvance: true, now: '2024-06-01T00:00:00Z' });
    const results = await runChecks(
      [aCheck(clock, 'a', 'required', 3000), aCheck(clock, 'b', 'required', 5000), aCheck(clock, 'c', 'wanted', 4000)],
      clock,
      new AbortController().signal,
    );
    // Sequentially they would take 12 s; side by side the run takes as long as the slowest.
    expect(clock.monotonic()).toBe(5000);
    expect(results.map((r) => [r.id, r.outcome, r.durationMs, r.startedAt, r.endedAt])).toEqual([
      ['a', 'pass', 3000, '2024-06-01T00:00:00.000Z', '2024-06-01T00:00:03.000Z'],
      ['b', 'pass', 5000, '2024-06-01T00:00:00.000Z', '2024-06-01T00:00:05.000Z'],
      ['c', 'pass', 4000, '2024-06-01T00:00:00.000Z', '2024-06-01T00:00:04.000Z'],
    ]);
  });

  it.each<[string, CheckReport['outcome']]>([
    ['fails', 'fail'],
    ['times out', 'timeout'],
  ])('stops the others when a required check %s, recording them as skipped', async (_name, outcome) => {
    const clock = new FakeClock({ autoAdvance: true });
    const checks = [
      aCheck(clock, 'slow', 'required', 600_000),
      aCheck(clock, 'bad', 'required', 2000, { outcome, reason: 'x-failed', message: 'broken' }),
      aCheck(clock, 'advice', 'wanted', 600_000),
    ];
    const results = byId(await runChecks(checks, clock, new AbortController().signal));
    expect(clock.monotonic()).toBe(2000);
    expect(results.bad).toMatchObject({ outcome, reason: 'x-failed', message: 'broken' });
    for (const id of ['slow', 'advice']) {
      expect(results[id]).toMatchObject({
        outcome: 'skipped',
        reason: 'stopped-after-failure',
        message: 'not finished: required check bad already failed',
      });
    }
  });

  it('keeps the results of checks that decided before the failure', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const checks = [
      aCheck(clock, 'quick', 'required', 500),
      aCheck(clock, 'bad', 'required', 2000, { outcome: 'fail', reason: 'x', message: 'broken' }),
    ];
    const results = byId(await runChecks(checks, clock, new AbortController().signal));
    expect(results.quick).toMatchObject({ outcome: 'pass', durationMs: 500 });
  });

  it('never stops anything for a failing wanted check', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const checks = [
      aCheck(clock, 'advice', 'wanted', 1000, { outcome: 'fail', reason: 'var-low', message: 'low' }),
      aCheck(clock, 'app', 'required', 30_000),
      aCheck(clock, 'more-advice', 'wanted', 20_000, { outcome: 'timeout', reason: 't', message: 'slow' }),
    ];
    const results = byId(await runChecks(checks, clock, new AbortController().signal));
    expect(clock.monotonic()).toBe(30_000);
    expect(results.advice).toMatchObject({ outcome: 'fail', reason: 'var-low' });
    expect(results['more-advice']).toMatchObject({ outcome: 'timeout' });
    expect(results.app).toMatchObject({ outcome: 'pass', durationMs: 30_000 });
  });

  it('records every unfinished check as terminated when the signal aborts', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const controller = new AbortController();
    void clock.sleep(7000).then(() => controller.abort('SIGTERM'));
    const checks = [
      aCheck(clock, 'done-early', 'required', 1000),
      aCheck(clock, 'microshift', 'required', 600_000),
      aCheck(clock, 'advice', 'wanted', 600_000),
    ];
    const results = byId(await runChecks(checks, clock, controller.signal));
    expect(clock.monotonic()).toBe(7000);
    expect(results['done-early']).toMatchObject({ outcome: 'pass' });
    for (const id of ['microshift', 'advice']) {
      expect(results[id]).toMatchObject({
        outcome: 'terminated',
        reason: 'terminated',
        message: 'stopped by SIGTERM before deciding',
        durationMs: 7000,
      });
    }
  });

  it('keeps what a stopped check was waiting for (a dry run says why it could not decide)', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const controller = new AbortController();
    void clock.sleep(2000).then(() => controller.abort('SIGTERM'));
    const waiting: RunnableCheck = {
      id: 'microshift',
      class: 'required',
      run: async ({ signal }) => {
        await clock.sleep(600_000, signal).catch(() => undefined);
        return {
          outcome: 'terminated',
          reason: 'terminated',
          message: 'stopped while waiting',
          observation: { waitingFor: 'MicroShift API unreachable (connection refused at https://127.0.0.1:6443)' },
        };
      },
    };
    const [result] = await runChecks([waiting], clock, controller.signal);
    expect(result).toMatchObject({
      outcome: 'terminated',
      message: 'stopped by SIGTERM before deciding',
      observation: { waitingFor: 'MicroShift API unreachable (connection refused at https://127.0.0.1:6443)' },
    });
  });

  it('runs nothing when the signal is already aborted', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    let ran = 0;
    const check: RunnableCheck = {
      id: 'x',
      class: 'required',
      run: async () => (ran++, { outcome: 'pass', reason: 'ok', message: '' }),
    };
    const results = await runChecks([check], clock, AbortSignal.abort('SIGTERM'));
    expect(ran).toBe(0);
    expect(results).toEqual([expect.objectContaining({ id: 'x', outcome: 'terminated', reason: 'terminated' })]);
  });

  it('turns a check that throws into a failure with reason check-error, and stops the others', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const broken: RunnableCheck = {
      id: 'broken',
      class: 'required',
      run: async () => {
        await clock.sleep(100);
        throw new Error('cannot connect to the system bus');
      },
    };
    const results = byId(
      await runChecks([broken, aCheck(clock, 'slow', 'required', 60_000)], clock, new AbortController().signal),
    );
    expect(results.broken).toMatchObject({
      outcome: 'fail',
      reason: 'check-error',
      message: 'check could not run: cannot connect to the system bus',
      durationMs: 100,
    });
    expect(results.slow).toMatchObject({ outcome: 'skipped', reason: 'stopped-after-failure' });
  });

  it('tells the hooks about each check as it starts and as it ends, in the order they end', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const events: string[] = [];
    await runChecks(
      [aCheck(clock, 'b', 'required', 2000), aCheck(clock, 'a', 'wanted', 1000)],
      clock,
      new AbortController().signal,
      {
        onStart: (c) => events.push(`start ${c.id}`),
        onResult: (r) => events.push(`${r.outcome} ${r.id} at ${clock.monotonic()}`),
      },
    );
    expect(events).toEqual(['start b', 'start a', 'pass a at 1000', 'pass b at 2000']);
  });

  it('returns the results in the order of the checks given, whatever order they end in', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const results = await runChecks(
      [aCheck(clock, 'z', 'wanted', 3000), aCheck(clock, 'y', 'wanted', 1000), aCheck(clock, 'x', 'wanted', 2000)],
      clock,
      new AbortController().signal,
    );
    expect(results.map((r) => r.id)).toEqual(['z', 'y', 'x']);
  });
});
