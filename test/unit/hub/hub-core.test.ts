// Pure hub decisions: when to publish the status, reconnect delays, event ids.
import { describe, expect, it } from 'vitest';
import { planStatusPublish, statusFingerprint, type StatusPublishFacts } from '../../../agent/core/hub/status.js';
import { backoffDelayMs } from '../../../agent/core/hub/backoff.js';
import { createIdGenerator, idTime } from '../../../agent/hub/event-id.js';
import { EventIdSchema, toWireStatus } from '../../../agent/core/hub/payloads.js';
import { FakeClock } from '../../fakes/clock.js';

describe('planStatusPublish', () => {
  const base = { nowMs: 100_000, minIntervalMs: 30_000, heartbeatMs: 3_600_000 };
  it.each<[string, Partial<StatusPublishFacts>, ReturnType<typeof planStatusPublish>]>([
    ['nothing to publish yet', { fingerprint: undefined }, { kind: 'idle' }],
    ['first status', { fingerprint: 'a' }, { kind: 'now' }],
    [
      'changed after the minimum interval',
      { fingerprint: 'b', sent: { fingerprint: 'a', atMs: 60_000 } },
      { kind: 'now' },
    ],
    [
      'changed too soon: wait out the interval',
      { fingerprint: 'b', sent: { fingerprint: 'a', atMs: 90_000 } },
      { kind: 'at', atMs: 120_000 },
    ],
    [
      'unchanged: next heartbeat',
      { fingerprint: 'a', sent: { fingerprint: 'a', atMs: 90_000 } },
      { kind: 'at', atMs: 3_690_000 },
    ],
    [
      'unchanged and heartbeat due',
      { fingerprint: 'a', sent: { fingerprint: 'a', atMs: 100_000 - 3_600_000 } },
      { kind: 'now' },
    ],
  ])('%s', (_name, facts, plan) => {
    expect(planStatusPublish({ ...base, ...facts })).toEqual(plan);
  });

  it('the fingerprint ignores updatedAt only', () => {
    const status = (updatedAt: string, queued: number) =>
      toWireStatus({ verdict: 'green' }, { device: 'd', agent: '1', outbox: { queued, dropped: 0 }, updatedAt });
    expect(statusFingerprint(status('2024-01-01T00:00:00.000Z', 0))).toBe(
      statusFingerprint(status('2024-01-02T00:00:00.000Z', 0)),
    );
    expect(statusFingerprint(status('2024-01-01T00:00:00.000Z', 0))).not.toBe(
      statusFingerprint(status('2024-01-01T00:00:00.000Z', 1)),
    );
  });
});

describe('backoffDelayMs', () => {
  const policy = { initialMs: 1000, maxMs: 300_000 };
  it.each([
    [0, 0, 500],
    [0, 0.999999, 1000],
    [3, 0, 4000],
    [3, 0.5, 6000],
    [20, 0, 150_000],
    [20, 0.999999, 300_000],
    [1000, 0.5, 225_000],
  ])('attempt %i with random %f -> %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, policy, () => random)).toBe(expected);
  });
});

describe('event ids', () => {
  it('are ULIDs, unique and strictly increasing even when the clock stands still or steps back', () => {
    const clock = new FakeClock({ now: '2024-06-12T06:00:00.000Z' });
    const next = createIdGenerator(clock);
    const ids = Array.from({ length: 1000 }, () => next());
    clock.setNow(Date.parse('2024-06-12T05:00:00.000Z'));
    ids.push(next(), next());
    for (const id of ids) expect(EventIdSchema.safeParse(id).success).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(idTime(ids[0]!)).toBe(Date.parse('2024-06-12T06:00:00.000Z'));
  });

  it('carry the time when the clock moves on', async () => {
    const clock = new FakeClock({ now: '2024-06-12T06:00:00.000Z' });
    const next = createIdGenerator(clock);
    const first = next();
    await clock.advance(1500);
    const second = next();
    expect(idTime(second) - idTime(first)).toBe(1500);
    expect(second > first).toBe(true);
  });
});
