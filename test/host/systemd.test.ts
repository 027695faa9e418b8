// The systemd adapter against real systemd (PID 1 of a virtual edge device) over its real bus.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostError } from '../../agent/errors.js';
import { createSystemd, type Systemd, type UnitState } from '../../agent/host/systemd.js';
import { VirtualDevice } from '../harness/vdev.js';

const units: Record<string, string> = {
  'probe-ok.service': '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sleep 0.3\n',
  'probe-bad.service': '[Service]\nType=oneshot\nExecStart=/bin/sh -c "sleep 0.2; exit 7"\n',
  'probe-slow.service': '[Service]\nType=oneshot\nExecStart=/bin/sleep 30\n',
  // No start limit: the crash loop must go on for as long as the test watches it.
  'probe-crash.service':
    '[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sh -c "sleep 0.05; exit 3"\nRestart=always\nRestartSec=100ms\n',
  'probe-enabled.service': '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
  'probe-disabled.service': '[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n',
  'probe-static.service': '[Service]\nExecStart=/bin/sleep infinity\n',
};

/** Collect watched states until `until` holds for one of them. */
function collect(systemd: Systemd, name: string, until: (s: UnitState) => boolean) {
  const seen: UnitState[] = [];
  let stop: (() => Promise<void>) | undefined;
  const reached = new Promise<UnitState[]>((resolve) => {
    void systemd
      .watchUnit(name, (state) => {
        seen.push(state);
        if (until(state)) resolve(seen);
      })
      .then((unsubscribe) => (stop = unsubscribe));
  });
  return { seen, reached, stop: () => stop?.() };
}

describe('systemd over D-Bus', () => {
  let device: VirtualDevice;
  let systemd: Systemd;
  beforeAll(async () => {
    device = await VirtualDevice.boot({ name: 'host-systemd' });
    for (const [name, content] of Object.entries(units)) await device.writeFile(`/etc/systemd/system/${name}`, content);
    await device.sh(
      'systemctl daemon-reload && systemctl enable probe-enabled.service && systemctl mask probe-masked.service',
    );
    systemd = createSystemd({ busAddress: device.busAddress });
  });
  afterAll(async () => {
    await systemd?.close();
    await device?.dispose();
  });

  it('reports the version systemctl reports', async () => {
    const version = await systemd.version();
    const text = (await device.exec(['systemctl', '--version'])).stdout;
    expect(text).toContain(`(${version.text})`);
    expect(version.major).toBeGreaterThan(200);
  });

  it('reads an existing, a missing and a masked unit', async () => {
    const journald = await systemd.unit('systemd-journald.service');
    expect(journald).toMatchObject({
      name: 'systemd-journald.service',
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      unitFileState: 'static',
    });
    expect(journald.mainPid).toBeGreaterThan(0);
    expect(journald.activeEnterTimestampUs).toBeGreaterThan(Date.parse('2020-01-01') * 1000);

    expect(await systemd.unit('no-such-thing.service')).toMatchObject({
      loadState: 'not-found',
      activeState: 'inactive',
      nRestarts: 0,
      mainPid: 0,
    });
    expect(await systemd.unit('probe-masked')).toMatchObject({
      name: 'probe-masked.service',
      loadState: 'masked',
      unitFileState: 'masked',
    });
  });

  it('reads several units in one round, with the unit file state and restarts only where asked', async () => {
    const states = await systemd.unitStates(
      ['systemd-journald.service', 'no-such-thing.service', 'probe-masked', 'dbus'],
      {
        fileState: ['systemd-journald.service', 'probe-masked.service'],
        restarts: ['systemd-journald.service'],
      },
    );
    expect(states).toEqual([
      {
        name: 'systemd-journald.service',
        loadState: 'loaded',
        activeState: 'active',
        subState: 'running',
        unitFileState: 'static',
        nRestarts: 0,
      },
      {
        name: 'no-such-thing.service',
        loadState: 'not-found',
        activeState: 'inactive',
        subState: 'dead',
        unitFileState: '',
      },
      {
        name: 'probe-masked.service',
        loadState: 'masked',
        activeState: 'inactive',
        subState: 'dead',
        unitFileState: 'masked',
      },
      // Not asked for its file state or restarts: neither is read.
      expect.objectContaining({ name: 'dbus.service', activeState: 'active', unitFileState: '' }),
    ]);
    expect(states[3]).not.toHaveProperty('nRestarts');
  });

  it('starts and stops units and returns the job result', async () => {
    expect(await systemd.startUnit('probe-ok.service')).toBe('done');
    expect((await systemd.unit('probe-ok.service')).activeState).toBe('active');
    expect(await systemd.stopUnit('probe-ok.service')).toBe('done');
    expect((await systemd.unit('probe-ok.service')).activeState).toBe('inactive');
    expect(await systemd.startUnit('probe-bad.service')).toBe('failed');
    expect(await systemd.unit('probe-bad.service')).toMatchObject({
      activeState: 'failed',
      result: 'exit-code',
      execMainStatus: 7,
    });
    expect(await systemd.restartUnit('probe-ok.service')).toBe('done');
  });

  it('refuses a job for a unit that does not exist, with a host error', async () => {
    await expect(systemd.startUnit('no-such-thing.service')).rejects.toMatchObject({ code: 'unit-not-found' });
    await expect(systemd.startUnit('probe-masked.service')).rejects.toMatchObject({ code: 'unit-masked' });
  });

  it('stops waiting for a job when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 200);
    const started = Date.now();
    await expect(systemd.startUnit('probe-slow.service', { signal: controller.signal })).rejects.toThrow(
      'caller gave up',
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await systemd.unit('probe-slow.service')).activeState).toBe('activating');
    expect(await systemd.stopUnit('probe-slow.service')).toBe('done');
  });

  it('watches a unit go activating -> active, each state once', async () => {
    await systemd.stopUnit('probe-ok.service');
    const watch = collect(systemd, 'probe-ok.service', (s) => s.activeState === 'active');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await device.sh('systemctl start --no-block probe-ok.service');
    const states = (await watch.reached).map((s) => s.activeState);
    await watch.stop();
    expect(states[0]).toBe('inactive');
    expect(states).toContain('activating');
    expect(states.at(-1)).toBe('active');
    for (let i = 1; i < watch.seen.length; i++) expect(watch.seen[i]).not.toEqual(watch.seen[i - 1]);
  });

  it("watches a failing unit end in 'failed'", async () => {
    await device.sh('systemctl reset-failed probe-bad.service');
    const watch = collect(systemd, 'probe-bad.service', (s) => s.activeState === 'failed');
    await device.sh('systemctl start --no-block probe-bad.service');
    const last = (await watch.reached).at(-1);
    await watch.stop();
    expect(last).toMatchObject({ activeState: 'failed', result: 'exit-code' });
  });

  it('counts the restarts of a crash-looping Restart=always unit', async () => {
    const watch = collect(systemd, 'probe-crash.service', (s) => s.nRestarts >= 3);
    await systemd.startUnit('probe-crash.service');
    const states = await watch.reached;
    await watch.stop();
    await systemd.stopUnit('probe-crash.service');
    const counts = states.map((s) => s.nRestarts);
    expect(counts.at(-1)).toBeGreaterThanOrEqual(3);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    // A crash loop is never 'failed': it shows as activating/auto-restart or a short active.
    expect(states.some((s) => s.activeState === 'failed')).toBe(false);
  });

  it('tells enabled, disabled, static and missing unit files apart', async () => {
    expect(await systemd.isEnabled('probe-enabled.service')).toBe(true);
    expect(await systemd.isEnabled('probe-disabled.service')).toBe(false);
    expect(await systemd.unitFileState('probe-disabled.service')).toBe('disabled');
    expect(await systemd.isEnabled('probe-static.service')).toBe(true);
    expect(await systemd.isEnabled('no-such-thing.service')).toBe(false);
    expect(await systemd.unitFileExists('probe-disabled.service')).toBe(true);
    expect(await systemd.unitFileExists('probe-masked.service')).toBe(true);
    expect(await systemd.unitFileExists('no-such-thing.service')).toBe(false);
    expect((await systemd.unit('probe-enabled.service')).unitFileState).toBe('enabled');
  });

  it('reloads systemd and then sees a new unit file', async () => {
    await device.writeFile('/etc/systemd/system/probe-new.service', '[Service]\nExecStart=/bin/true\n');
    await systemd.reload();
    expect((await systemd.unit('probe-new.service')).loadState).toBe('loaded');
  });

  it('fails fast with dbus-unavailable when the bus cannot be reached', async () => {
    const started = Date.now();
    const unreachable = createSystemd({ busAddress: 'unix:path=/nonexistent/system_bus_socket', callTimeoutMs: 3000 });
    const error = await unreachable.unit('dbus.service').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ code: 'dbus-unavailable', retryable: true });
    expect(Date.now() - started).toBeLessThan(1000);
    await unreachable.close();
  });

  it('times out on a bus that accepts the connection but never answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edge-hung-bus-'));
    const socket = join(dir, 'bus');
    const server: Server = createServer(() => undefined).listen(socket);
    try {
      const started = Date.now();
      const hung = createSystemd({ busAddress: `unix:path=${socket}`, callTimeoutMs: 300 });
      await expect(hung.version()).rejects.toMatchObject({ code: 'dbus-timeout', retryable: true });
      expect(Date.now() - started).toBeLessThan(1500);
      await hung.close();
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tells a watcher when the bus goes away and reconnects on the next call', async () => {
    const errors: unknown[] = [];
    const stop = await systemd.watchUnit('systemd-journald.service', () => undefined, {
      onError: (e) => errors.push(e),
    });
    await device.sh('systemctl restart dbus.service');
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: 'dbus-unavailable' });
    await stop();
    // systemd needs a moment to take its name on the new bus.
    await expect
      .poll(
        () =>
          systemd.unit('systemd-journald.service').then(
            (u) => u.activeState,
            () => 'error',
          ),
        { timeout: 10_000, interval: 100 },
      )
      .toBe('active');
  });
});
