// The required check's process-wide deadline, on hand-driven timers: it fires once, at the limit
// counted from the start, names the phase it caught, moves when the budget becomes known, and
// never fires after stop().
import { describe, expect, it } from 'vitest';
import {
  CONTEXT_LIMIT_MS,
  createDeadline,
  describeChecksPhase,
  describeExpiry,
  limitAfterBudget,
  MARGIN_MS,
  type DeadlineExpiry,
  type DeadlineTimers,
} from '../../../agent/core/deadline.js';

/** Timers that move only when advance() says so. */
function manualTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: DeadlineTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void pending.delete(id as number),
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  };
  return { timers, advance, pendingCount: () => pending.size };
}

function setup() {
  const t = manualTimers();
  const fired: DeadlineExpiry[] = [];
  const deadline = createDeadline(t.timers, (e) => fired.push(e));
  return { ...t, fired, deadline };
}

describe('createDeadline', () => {
  it('fires once at the limit and names the phase it was in', () => {
    const { deadline, advance, fired } = setup();
    deadline.limit(CONTEXT_LIMIT_MS, 'context bound');
    deadline.enter('gathering the boot context');
    advance(CONTEXT_LIMIT_MS - 1);
    expect(fired).toEqual([]);
    advance(1);
    expect(fired).toEqual([
      {
        phase: 'gathering the boot context',
        elapsedMs: CONTEXT_LIMIT_MS,
        limitMs: CONTEXT_LIMIT_MS,
        limitWhy: 'context bound',
      },
    ]);
    advance(10 * CONTEXT_LIMIT_MS);
    expect(fired).toHaveLength(1);
  });

  it('a new limit replaces the old one and counts from the start, not from the call', () => {
    const { deadline, advance, fired, pendingCount } = setup();
    deadline.limit(CONTEXT_LIMIT_MS, 'context bound');
    advance(5000);
    const { limitMs, why } = limitAfterBudget(deadline.elapsedMs(), 600);
    expect(limitMs).toBe(5000 + 600_000 + MARGIN_MS);
    deadline.limit(limitMs, why);
    expect(pendingCount()).toBe(1);
    deadline.enter(describeChecksPhase(['microshift', 'workloads']));
    advance(CONTEXT_LIMIT_MS);
    expect(fired).toEqual([]);
    advance(limitMs - 5000 - CONTEXT_LIMIT_MS);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      phase: 'running checks, still waiting for: microshift, workloads',
      elapsedMs: limitMs,
    });
    expect(describeExpiry(fired[0]!)).toBe(
      'deadline passed after 665 s (limit 665 s: wait budget 600 s + 60 s margin after the boot context) while running checks, still waiting for: microshift, workloads: giving up with a failing verdict (exit 1) so greenboot is not left waiting forever',
    );
  });

  it('a limit already behind us fires at once', () => {
    const { deadline, advance, fired } = setup();
    advance(3000);
    deadline.limit(1000, 'tiny');
    advance(0);
    expect(fired).toMatchObject([{ elapsedMs: 3000, limitMs: 1000 }]);
  });

  it('never fires after stop(), and a limit set after stop() is ignored', () => {
    const { deadline, advance, fired, pendingCount } = setup();
    deadline.limit(1000, 'short');
    deadline.stop();
    deadline.limit(2000, 'later');
    expect(pendingCount()).toBe(0);
    advance(10_000);
    expect(fired).toEqual([]);
  });
});

describe('describeChecksPhase', () => {
  it.each([
    [[], 'finishing the checks'],
    [['microshift'], 'running checks, still waiting for: microshift'],
  ])('%j -> %s', (pending, phase) => {
    expect(describeChecksPhase(pending)).toBe(phase);
  });
});
