// Proves the virtual edge device itself: real systemd over its own D-Bus, unit state changes,
// journald with priorities, reboots with new boot ids and clocks of their own, time limits that
// end the command inside, several devices at once, clean teardown.
import dbus, { type ClientInterface } from 'dbus-next';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualDevice } from '../harness/vdev.js';
import { cgroupRoot } from '../harness/vdev-cgroup.js';

// dbus-next interfaces are untyped bags of methods: call one by name.
const call = (iface: ClientInterface, method: string, ...args: unknown[]): Promise<unknown> => {
  const fn = iface[method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
  if (!fn) throw new Error(`no method ${method}`);
  return fn.apply(iface, args);
};

describe('virtual edge device', () => {
  let device: VirtualDevice;
  beforeAll(async () => {
    device = await VirtualDevice.boot({ name: 'vdev-proof' });
  });
  afterAll(async () => {
    await device?.dispose();
  });

  it('runs real systemd as PID 1, reachable over its own system D-Bus', async () => {
    const bus = dbus.sessionBus({ busAddress: device.busAddress });
    try {
      const proxy = await bus.getProxyObject('org.freedesktop.systemd1', '/org/freedesktop/systemd1');
      const props = proxy.getInterface('org.freedesktop.DBus.Properties');
      const version = (await call(props, 'Get', 'org.freedesktop.systemd1.Manager', 'Version')) as { value: string };
      const virtualization = (await call(props, 'Get', 'org.freedesktop.systemd1.Manager', 'Virtualization')) as {
        value: string;
      };
      const host = await device.exec(['systemctl', '--version']);
      expect(host.stdout).toContain(`(${version.value})`);
      // systemd names container managers it does not know 'container-other'.
      expect(virtualization.value).toBe('container-other');
      expect((await device.exec(['cat', '/proc/1/comm'])).stdout.trim()).toBe('systemd');
    } finally {
      bus.disconnect();
    }
  });

  it('lets a test start a unit and observe its state change over D-Bus', async () => {
    await device.installUnit(
      'probe.service',
      '[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/sleep 0.3\n',
    );
    const bus = dbus.sessionBus({ busAddress: device.busAddress });
    try {
      const systemd = await bus.getProxyObject('org.freedesktop.systemd1', '/org/freedesktop/systemd1');
      const manager = systemd.getInterface('org.freedesktop.systemd1.Manager');
      await call(manager, 'Subscribe');
      const path = (await call(manager, 'LoadUnit', 'probe.service')) as string;
      const unit = await bus.getProxyObject('org.freedesktop.systemd1', path);
      const props = unit.getInterface('org.freedesktop.DBus.Properties');
      const seen: string[] = [];
      props.on('PropertiesChanged', (iface: string, changed: Record<string, { value: unknown }>) => {
        if (iface === 'org.freedesktop.systemd1.Unit' && changed.ActiveState)
          seen.push(String(changed.ActiveState.value));
      });
      // Subscribe before starting: JobRemoved can arrive before StartUnit's reply.
      const done = new Promise<string>((resolve) => {
        manager.on('JobRemoved', (_id: number, _job: string, name: string, result: string) => {
          if (name === 'probe.service') resolve(result);
        });
      });
      await call(manager, 'StartUnit', 'probe.service', 'replace');
      expect(await done).toBe('done');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen).toContain('activating');
      expect(seen.at(-1)).toBe('active');
    } finally {
      bus.disconnect();
    }
  });

  it('keeps journal lines with their priority and identifier', async () => {
    await device.sh(
      'echo "<3>disk is on fire" | systemd-cat -t probe-writer; echo "<6>all calm" | systemd-cat -t probe-writer',
    );
    await device.sh('journalctl --sync');
    const entries = await device.journal({ identifier: 'probe-writer' });
    expect(entries.map((e) => [e.MESSAGE, e.PRIORITY])).toEqual([
      ['disk is on fire', '3'],
      ['all calm', '6'],
    ]);
    expect(entries[0]?._BOOT_ID).toBe(device.bootId.replaceAll('-', ''));
  });

  it('reboots from the same disk with a new boot id and fresh /run', async () => {
    await device.writeFile('/var/lib/probe/kept', 'on disk');
    await device.writeFile('/run/probe-gone', 'in memory');
    const before = device.bootId;
    await device.reboot();
    expect(device.bootId).not.toBe(before);
    expect((await device.exec(['cat', '/proc/sys/kernel/random/boot_id'])).stdout.trim()).toBe(device.bootId);
    expect(await device.readFile('/var/lib/probe/kept')).toBe('on disk');
    expect(device.exists('/run/probe-gone')).toBe(false);
    expect(device.exists('/run/ostree-booted')).toBe(true);
  });

  it('has a clock of its own: uptime and boot time count from this boot, a new one each boot', async () => {
    // Read inside: /proc shows clocks in the time namespace of the reader, not of the mount.
    const inside = async (file: string) => (await device.exec(['cat', file])).stdout;
    const uptime = async () => Number((await inside('/proc/uptime')).split(' ')[0]);
    const btime = async () => Number(/^btime (\d+)$/m.exec(await inside('/proc/stat'))?.[1]);
    const hostUptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    const first = { uptime: await uptime(), btime: await btime() };
    // Taken after the first uptime read and before the second, so the time between is never overstated.
    const firstReadAt = Date.now();
    expect(first.uptime).toBeLessThan(hostUptime);
    // btime + uptime is now, for the device as for any Linux host.
    expect(Math.abs(first.btime + first.uptime - Date.now() / 1000)).toBeLessThan(10);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await device.reboot();
    const between = (Date.now() - firstReadAt) / 1000;
    const second = { uptime: await uptime(), btime: await btime() };
    expect(second.btime).toBeGreaterThan(first.btime);
    // A clock that kept running would show at least the old uptime plus the time between the reads;
    // measuring that time (not assuming 1.1 s) keeps a slow reboot on a busy machine from failing it.
    expect(second.uptime).toBeLessThan(first.uptime + between);
  });

  it('a command that outlives its time limit is killed inside the device, not just its nsenter', async () => {
    const started = Date.now();
    const result = await device.exec(['sh', '-c', 'sleep 30; touch /tmp/after-timeout'], { timeoutMs: 500 });
    expect(result.exitCode).toBe(124);
    expect(Date.now() - started).toBeLessThan(10_000);
    const left = await device.exec(['sh', '-c', 'ps -eo args | grep -c "^sleep 30$" || true']);
    expect(left.stdout.trim()).toBe('0');
  });

  it('runs several devices at once, each with its own hostname and machine id', async () => {
    const others = await Promise.all([
      VirtualDevice.boot({ name: 'vdev-a' }),
      VirtualDevice.boot({ name: 'vdev-b', network: true }),
    ]);
    try {
      const names = await Promise.all(others.map((d) => d.exec(['hostname'])));
      expect(names.map((r) => r.stdout.trim())).toEqual(['vdev-a', 'vdev-b']);
      const ids = await Promise.all([device, ...others].map((d) => d.readFile('/etc/machine-id')));
      expect(new Set(ids).size).toBe(3);
      // The networked device has only loopback.
      const links = await others[1]!.exec(['ip', '-o', 'link']);
      expect(links.stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      const groups = others.map((d) => `${d.name}`);
      await Promise.all(others.map((d) => d.dispose()));
      for (const d of others) expect(existsSync(d.stateDir)).toBe(false);
      const { readdirSync } = await import('node:fs');
      const left = readdirSync(`${cgroupRoot()}/edge-vdev`).filter((g) =>
        groups.some((name) => g.startsWith(`${name}-`)),
      );
      expect(left).toEqual([]);
    }
  });
});
