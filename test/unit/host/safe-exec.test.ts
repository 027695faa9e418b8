// The safe executor: in --dry-run and in tests, the adapters themselves refuse whatever would
// reboot, roll back, change the boot counter or stop a service, and say which command it was.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeExec } from '../../../agent/host/exec.js';
import { createHost, safeSystemd } from '../../../agent/host/host.js';
import { FakeExec } from '../../fakes/exec.js';
import { aUnit, FakeSystemd } from '../../fakes/systemd.js';

describe('createSafeExec', () => {
  const refusedLines = [
    ['reboot'],
    ['/usr/sbin/shutdown', '-r', 'now'],
    ['systemctl', 'reboot'],
    ['systemctl', 'stop', 'microshift.service'],
    ['systemctl', 'restart', 'crio.service'],
    ['rpm-ostree', 'rollback'],
    ['rpm-ostree', 'upgrade', '--check'],
    ['grub2-editenv', '-', 'set', 'boot_counter=2'],
    ['grub2-editenv', '/boot/grub2/grubenv', 'unset', 'boot_counter'],
    ['crictl', '-r', 'unix:///var/run/crio/crio.sock', 'rmp', '-f', 'abc'],
  ];
  it.each(refusedLines)('refuses %s before running anything, naming the command', async (file, ...args) => {
    const inner = new FakeExec().on(file as string, { stdout: 'ran' });
    const error = await createSafeExec(inner)
      .run(file as string, args)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'exec-refused' });
    expect((error as Error).message).toContain(`'${[(file as string).split('/').pop(), ...args].join(' ')}'`);
    expect(inner.ran).toEqual([]);
  });

  it('lets reads through: rpm-ostree status, grub2-editenv list, systemctl status, journalctl', async () => {
    const inner = new FakeExec()
      .on('rpm-ostree', { stdout: '{}' })
      .on('grub2-editenv', { stdout: 'boot_success=1\n' })
      .on('systemctl', { stdout: 'active\n' })
      .on('journalctl', { stdout: '' });
    const safe = createSafeExec(inner);
    await safe.run('rpm-ostree', ['status', '--json']);
    expect((await safe.run('grub2-editenv', ['-', 'list'])).stdout).toBe('boot_success=1\n');
    await safe.run('systemctl', ['status', 'stop.service']);
    await safe.run('journalctl', ['-b', '0']);
    expect(inner.ran).toEqual([
      'rpm-ostree status --json',
      'grub2-editenv - list',
      'systemctl status stop.service',
      'journalctl -b 0',
    ]);
  });
});

describe('safeSystemd', () => {
  it('refuses to stop or restart a unit; reads and starts pass through', async () => {
    const fake = new FakeSystemd([aUnit('microshift.service', { activeState: 'active' })]);
    const systemd = safeSystemd(fake);
    await expect(systemd.stopUnit('microshift.service')).rejects.toMatchObject({
      code: 'exec-refused',
      message: expect.stringContaining('stop microshift.service'),
    });
    await expect(systemd.restartUnit('microshift.service')).rejects.toMatchObject({ code: 'exec-refused' });
    expect(fake.jobs).toEqual([]);
    expect((await systemd.unit('microshift.service')).activeState).toBe('active');
  });
});

describe('createHost in safe mode (what main.ts builds for --dry-run)', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'safe-host-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a reboot through its exec; without safe mode the exec is the plain one', async () => {
    const safe = createHost({ env: { EDGE_AGENT_ROOT: root }, safe: true });
    await expect(safe.exec.run('reboot', [])).rejects.toMatchObject({ code: 'exec-refused' });
    // Not safe: the same command reaches the real executor (a missing tool fails to start there).
    const real = createHost({ env: { EDGE_AGENT_ROOT: root, PATH: root } });
    await expect(real.exec.run('edge-agent-no-such-tool', [])).rejects.toMatchObject({ code: 'exec-failed' });
  });
});
