// The fakes behave like the adapters they stand in for: a wrong fake would make other tests lie.
import { describe, expect, it } from 'vitest';
import { roleOf } from '../../agent/core/deployment.js';
import { FakeClock } from './clock.js';
import { aDeployment, FakeRpmOstree } from './rpm-ostree.js';
import { aUnit, FakeSystemd } from './systemd.js';

describe('FakeClock', () => {
  it('fires timers in order when advanced by hand', async () => {
    const clock = new FakeClock({ now: 1_000_000 });
    const fired: string[] = [];
    void clock.sleep(300).then(() => fired.push('b'));
    void clock.sleep(100).then(() => fired.push('a'));
    void clock.sleep(1000).then(() => fired.push('c'));
    await clock.advance(500);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.monotonic()).toBe(500);
    expect(clock.now()).toBe(1_000_500);
    expect(clock.pendingTimers).toBe(1);
  });

  it('also fires the sleeps that woken code starts within the window', async () => {
    const clock = new FakeClock();
    let ticks = 0;
    void (async () => {
      for (;;) {
        await clock.sleep(100);
        ticks += 1;
      }
    })();
    await clock.advance(1000);
    expect(ticks).toBe(10);
  });

  it('runs a five-minute polling wait instantly in auto-advance mode', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const started = performance.now();
    let polls = 0;
    while (clock.monotonic() < 300_000) {
      polls += 1;
      await clock.sleep(1000);
    }
    expect(polls).toBe(300);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects a sleep with the reason when its signal aborts, and drops the timer', async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(5000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('FakeSystemd', () => {
  it('tells watchers the current state, then each real change', async () => {
    const clock = new FakeClock({ autoAdvance: true });
    const systemd = new FakeSystemd([aUnit('microshift.service')]);
    const seen: string[] = [];
    const stop = await systemd.watchUnit('microshift.service', (s) =>
      seen.push(`${s.activeState}/${s.subState}/${s.nRestarts}`),
    );
    await systemd.play(
      'microshift.service',
      [
        { afterMs: 1000, patch: { activeState: 'activating', subState: 'start' } },
        { afterMs: 0, patch: { activeState: 'activating', subState: 'start' } },
        { afterMs: 5000, patch: { activeState: 'activating', subState: 'auto-restart', nRestarts: 1 } },
      ],
      clock,
    );
    await stop();
    systemd.setUnit('microshift.service', { activeState: 'active' });
    expect(seen).toEqual(['inactive/dead/0', 'activating/start/0', 'activating/auto-restart/1']);
  });

  it('runs jobs with scripted results and refuses unknown units', async () => {
    const systemd = new FakeSystemd([aUnit('a.service'), aUnit('b.service', { unitFileState: 'disabled' })]);
    systemd.jobResults.set('b.service', 'failed');
    expect(await systemd.startUnit('a.service')).toBe('done');
    expect((await systemd.unit('a.service')).activeState).toBe('active');
    expect(await systemd.startUnit('b.service')).toBe('failed');
    expect((await systemd.unit('b.service')).activeState).toBe('failed');
    await expect(systemd.startUnit('c.service')).rejects.toMatchObject({ code: 'unit-not-found' });
    expect(await systemd.isEnabled('b.service')).toBe(false);
    expect((await systemd.unit('c.service')).loadState).toBe('not-found');
    expect(systemd.jobs).toEqual(['start a.service', 'start b.service']);
  });
});

describe('FakeRpmOstree', () => {
  it('goes through an update that fails and is rolled back', async () => {
    const old = aDeployment({ booted: true, version: '9.3' });
    const rpmOstree = new FakeRpmOstree([old]);
    const update = rpmOstree.stage(aDeployment({ version: '9.4' }));
    const roles = async () => {
      const set = (await rpmOstree.status())!;
      return set.deployments.map((d) => `${roleOf(d, set)} ${d.version}`);
    };
    expect(await roles()).toEqual(['staged 9.4', 'booted 9.3']);
    rpmOstree.reboot();
    expect(await roles()).toEqual(['booted 9.4', 'rollback 9.3']);
    rpmOstree.bootFallback();
    expect(await roles()).toEqual(['pending 9.4', 'booted 9.3']);
    rpmOstree.rollback();
    expect(await roles()).toEqual(['booted 9.3', 'rollback 9.4']);
    expect((await rpmOstree.status())?.rollback?.checksum).toBe(update.checksum);
    expect(await new FakeRpmOstree(null).status()).toBeUndefined();
  });
});
