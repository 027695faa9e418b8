// The daemon's status snapshot keeps its readiness look for a while instead of running rpm and
// firewall-cmd every few seconds; a look that did not complete is tried again at once.
import { describe, expect, it } from 'vitest';
import { keepReadiness } from '../../../agent/commands/status/readiness.js';
import type { ReadinessFacts } from '../../../agent/core/readiness/facts.js';
import type { Probe } from '../../../agent/core/status/facts.js';
import { FakeClock } from '../../fakes/clock.js';

const okLook = { state: 'ok', value: {} as ReadinessFacts } as Probe<ReadinessFacts>;
const timedOut = { state: 'timed-out', note: 'readiness facts did not answer within 1.0 s' } as Probe<ReadinessFacts>;

describe('keepReadiness', () => {
  it('looks once per period and again when it ends', async () => {
    const clock = new FakeClock();
    const kept = keepReadiness(clock, 600_000);
    let looks = 0;
    const look = async () => ((looks += 1), okLook);
    expect(await kept(look)).toBe(okLook);
    await clock.advance(599_000);
    expect(await kept(look)).toBe(okLook);
    expect(looks).toBe(1);
    await clock.advance(1_000);
    await kept(look);
    expect(looks).toBe(2);
  });

  it('keeps no look that timed out', async () => {
    const kept = keepReadiness(new FakeClock(), 600_000);
    let looks = 0;
    expect(await kept(async () => ((looks += 1), timedOut))).toBe(timedOut);
    expect(await kept(async () => ((looks += 1), okLook))).toBe(okLook);
    expect(looks).toBe(2);
  });

  it('keeps no look whose compatibility and images part was skipped', async () => {
    const skipped = {
      state: 'ok',
      value: { update: { state: 'skipped', note: 'not read within 0.9 s' } } as ReadinessFacts,
    } as Probe<ReadinessFacts>;
    const kept = keepReadiness(new FakeClock(), 600_000);
    let looks = 0;
    expect(await kept(async () => ((looks += 1), skipped))).toBe(skipped);
    expect(await kept(async () => ((looks += 1), okLook))).toBe(okLook);
    expect(await kept(async () => ((looks += 1), okLook))).toBe(okLook);
    expect(looks).toBe(2);
  });

  it('keeps no look that could not look for a staged deployment', async () => {
    const unknown = {
      state: 'ok',
      value: {
        update: {
          state: 'ok',
          value: { stagedUnknown: 'a staged deployment was not looked for: rpm-ostree status timed out' },
        },
      } as unknown as ReadinessFacts,
    } as Probe<ReadinessFacts>;
    const kept = keepReadiness(new FakeClock(), 600_000);
    let looks = 0;
    expect(await kept(async () => ((looks += 1), unknown))).toBe(unknown);
    expect(await kept(async () => ((looks += 1), okLook))).toBe(okLook);
    expect(await kept(async () => ((looks += 1), okLook))).toBe(okLook);
    expect(looks).toBe(2);
  });
});
