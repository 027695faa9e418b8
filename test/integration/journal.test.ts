// `edge-agent journal persist|status` against a virtual device's real journald. The device shares
// the host's /var/log/journal directory, so its journald starts persistent (Storage=auto and the
// directory exists); each test that needs the volatile journal of a stock RHEL for Edge host
// removes the directory and restarts journald first.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { installAgent } from '../harness/install-agent.js';
import { VirtualDevice } from '../harness/vdev.js';
import type { JournalStatus, PersistResult } from '../../agent/host/journald.js';

const DROP_IN = '/etc/systemd/journald.conf.d/50-edge-agent.conf';
let device: VirtualDevice | undefined;
afterEach(async () => {
  await device?.dispose();
  device = undefined;
});

async function volatileDevice(files: Record<string, string> = {}): Promise<VirtualDevice> {
  device = await VirtualDevice.boot({ files });
  await installAgent(device, { shims: false });
  await device.sh('rm -rf /var/log/journal && systemctl restart systemd-journald');
  return device;
}

async function agentJson<T>(
  d: VirtualDevice,
  ...args: string[]
): Promise<{ exitCode: number; result: T; stderr: string }> {
  const r = await d.exec(['edge-agent', ...args, '--json']);
  return { exitCode: r.exitCode, result: (r.stdout.trim() ? JSON.parse(r.stdout) : undefined) as T, stderr: r.stderr };
}

async function journaldProcess(d: VirtualDevice): Promise<string> {
  return (
    await d.sh('systemctl show systemd-journald.service -p MainPID -p ExecMainStartTimestampMonotonic --value')
  ).trim();
}

async function logLine(d: VirtualDevice, text: string): Promise<void> {
  await d.sh(`echo '${text}' | systemd-cat -t edge-journal-test && journalctl --sync`);
}

async function messages(d: VirtualDevice, ...args: string[]): Promise<string[]> {
  return (await d.sh(`journalctl -o cat --no-pager -t edge-journal-test ${args.join(' ')} || true`))
    .split('\n')
    .filter(Boolean);
}

describe('journal status', () => {
  it('says volatile, with no earlier boots, on a journal kept in /run', async () => {
    const d = await volatileDevice();
    const machineId = (await d.readFile('/etc/machine-id')).trim();
    const { exitCode, result } = await agentJson<JournalStatus>(d, 'journal', 'status');
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({
      storage: 'auto',
      configuredTarget: 'memory',
      location: 'memory',
      machineId,
      runtime: { path: `/run/log/journal/${machineId}`, active: true },
      persistent: { active: false, files: 0 },
      boots: 1,
      earlierBoots: false,
      dropIn: { path: DROP_IN, present: false },
    });
    expect(result.diskUsageBytes).toBeGreaterThan(0);
    const human = await d.exec(['edge-agent', 'journal', 'status']);
    expect(human.stdout).toMatch(/^Journal: +in memory only \(\/run\/log\/journal\/[0-9a-f]{32}\): lost at reboot/m);
    expect(human.stdout).toMatch(/^Boots: +1 in the journal \(no earlier boots/m);
  });
});

describe('journal persist', () => {
  it('writes the drop-in, restarts journald and keeps the journal on disk, also across a reboot', async () => {
    const d = await volatileDevice();
    const machineId = (await d.readFile('/etc/machine-id')).trim();
    const before = await journaldProcess(d);
    const marker = `logged while volatile ${randomUUID()}`;
    await logLine(d, marker);

    const { exitCode, result } = await agentJson<PersistResult>(d, 'journal', 'persist');
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({
      outcome: 'persistent',
      changed: true,
      restarted: true,
      createdDir: true,
      dropIn: DROP_IN,
      journalDir: `/var/log/journal/${machineId}`,
    });
    expect(await d.readFile(DROP_IN)).toMatch(
      /^# Written by edge-agent[^]*\n\[Journal\]\nStorage=persistent\nSystemMaxUse=1G\nRuntimeMaxUse=1G\n$/,
    );
    expect(await journaldProcess(d)).not.toBe(before);
    expect(d.exists(`/var/log/journal/${machineId}/system.journal`)).toBe(true);
    expect(d.exists(`/run/log/journal/${machineId}/system.journal`)).toBe(false);
    const status = await agentJson<JournalStatus>(d, 'journal', 'status');
    expect(status.result).toMatchObject({
      storage: 'persistent',
      storageSource: { path: DROP_IN },
      location: 'disk',
      dropIn: { present: true, ours: true, upToDate: true },
    });

    const beforeReboot = `logged before the reboot ${randomUUID()}`;
    await logLine(d, beforeReboot);
    await d.reboot();
    // The line from the volatile phase was flushed to disk too.
    expect(await messages(d, '-b', '-1')).toEqual(expect.arrayContaining([marker, beforeReboot]));
    expect(await messages(d, '-b', '0')).not.toContain(beforeReboot);
    const after = await agentJson<JournalStatus>(d, 'journal', 'status');
    expect(after.result).toMatchObject({ location: 'disk', earlierBoots: true, boots: 2 });
  });

  it('is a no-op the second time: no rewrite, no journald restart', async () => {
    const d = await volatileDevice();
    expect((await agentJson<PersistResult>(d, 'journal', 'persist')).exitCode).toBe(0);
    const process = await journaldProcess(d);
    const written = await d.sh(`stat -c %Y.%i ${DROP_IN}`);
    const second = await agentJson<PersistResult>(d, 'journal', 'persist');
    expect(second).toMatchObject({
      exitCode: 0,
      result: { outcome: 'persistent', changed: false, restarted: false, createdDir: false },
    });
    expect(await journaldProcess(d)).toBe(process);
    expect(await d.sh(`stat -c %Y.%i ${DROP_IN}`)).toBe(written);
    expect((await d.exec(['edge-agent', 'journal', 'persist'])).stdout).toMatch(
      /^Journal is persistent: nothing to change\./,
    );
  });

  it('keeps journal lines across a restart of systemd-journald', async () => {
    const d = await volatileDevice();
    expect((await agentJson<PersistResult>(d, 'journal', 'persist')).exitCode).toBe(0);
    const line = `before the journald restart ${randomUUID()}`;
    await logLine(d, line);
    await d.sh('systemctl restart systemd-journald');
    expect(await messages(d, '-b')).toContain(line);
  });

  it('reports a foreign Storage=volatile, names the file and leaves it and journald alone', async () => {
    const foreign = '/etc/systemd/journald.conf.d/10-site.conf';
    const content = '# site policy\n[Journal]\nStorage=volatile\n';
    const d = await volatileDevice({ [foreign]: content });
    const process = await journaldProcess(d);
    const r = await d.exec(['edge-agent', 'journal', 'persist']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      `Journal NOT persistent: journald is not made persistent: ${foreign}:3 sets Storage=volatile and is the administrator's choice, which edge-agent does not override`,
    );
    expect(await d.readFile(foreign)).toBe(content);
    expect(d.exists(DROP_IN)).toBe(false);
    expect(await journaldProcess(d)).toBe(process);
    const json = await agentJson<PersistResult>(d, 'journal', 'persist');
    expect(json.result).toMatchObject({
      outcome: 'conflict',
      conflicts: [{ path: foreign, line: 3, value: 'volatile', why: 'admin-setting' }],
    });
    const status = await agentJson<JournalStatus>(d, 'journal', 'status');
    expect(status.result).toMatchObject({
      storage: 'volatile',
      storageSource: { path: foreign, line: 3 },
      location: 'memory',
    });
  });

  it('refuses a size journald would not take, before touching anything', async () => {
    const d = await volatileDevice();
    const r = await d.exec(['edge-agent', 'journal', 'persist', '--system-max-use', '1.5GB']);
    expect(r.exitCode).toBe(64);
    expect(r.stderr).toContain(
      "--system-max-use must be a journald size: a whole number of bytes, optionally with K, M, G or T (base 1024), greater than 0, such as 512M or 1G (got '1.5GB')",
    );
    expect(d.exists(DROP_IN)).toBe(false);
    const custom = await agentJson<PersistResult>(
      d,
      'journal',
      'persist',
      '--system-max-use',
      '512M',
      '--runtime-max-use',
      '64M',
    );
    expect(custom.exitCode).toBe(0);
    expect(await d.readFile(DROP_IN)).toContain('SystemMaxUse=512M\nRuntimeMaxUse=64M\n');
  });
});
