// `edge-agent status` only reads, and any user gets the daemon's view: on a virtual edge device
// (real systemd, bash greenboot, the simulated MicroShift) with the real daemon. While the daemon
// runs it keeps /run/edge-agent/status.json for everyone; stopped, it leaves none, and status
// gathers for itself, as root writing nothing: not this boot's record, not the caches in /run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResult } from '../../agent/core/status/schema.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

const SNAPSHOT = '/run/edge-agent/status.json';
let device: VirtualDevice;

beforeAll(async () => {
  device = await bootEdgeDevice({ microshift: scenario('healthy'), config: 'microshift:\n  waitTimeoutSec: 60\n' });
}, 180_000);
afterAll(async () => {
  await device?.dispose();
});

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function status(argv: string[], user?: string): Promise<{ exitCode: number; stdout: string }> {
  const as = user ? ['runuser', '-u', user, '--'] : [];
  const run = await device.exec([...as, 'edge-agent', 'status', ...argv]);
  expect(run.exitCode, run.stderr).toBeLessThan(4);
  return run;
}

const asJson = (stdout: string) => JSON.parse(stdout) as StatusResult;

/** Every entry's type, mode, owner, size, mtime and ctime, and every state file's contents. */
const listing = () =>
  device.sh(
    "find /etc /var/lib/edge-agent /run/edge-agent -xdev -printf '%p %y %m %U %s %T@ %C@\\n' 2>/dev/null | sort; " +
      'find /var/lib/edge-agent /run/edge-agent -type f -exec sha256sum {} + 2>/dev/null | sort; true',
  );

describe('edge-agent status reads only', () => {
  it('with the daemon up, any user gets its snapshot; stopped, none is left and status writes nothing', async () => {
    // As the RPM and RHEL lay them out: the agent's state and the grubenv are root's.
    await device.sh('chmod 0700 /var/lib/edge-agent && chmod 0600 /boot/grub2/grubenv');
    const start = await device.exec(['systemctl', 'start', 'edge-agent.service']);
    expect(start.exitCode, start.stderr).toBe(0);
    await until('the daemon to write its status snapshot', () => device.exists(SNAPSHOT));
    expect(await device.sh(`stat -c '%a %U' ${SNAPSHOT}`)).toBe('644 root\n');
    const kept = JSON.parse(await device.readFile(SNAPSHOT)) as { bootId: string; gatheredAt: string };
    expect(kept.bootId).toBe((await device.sh('cat /proc/sys/kernel/random/boot_id')).trim().replaceAll('-', ''));

    // What root sees, although the records and the grubenv are closed to this user.
    const shared = asJson((await status(['--json'], 'nobody')).stdout);
    expect(shared.agent.daemon.answered).toBe(true);
    expect(shared).toMatchObject({ state: 'green', checks: { state: 'ok' }, boot: { grubenv: { state: 'ok' } } });
    expect((await status([], 'nobody')).stdout).toMatch(/^● GREEN/);

    const stop = await device.exec(['systemctl', 'stop', 'edge-agent.service']);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(device.exists(SNAPSHOT)).toBe(false);
    const own = asJson((await status(['--json'], 'nobody')).stdout);
    expect(own.agent.daemon.answered).toBeUndefined();
    expect(own.checks.state).toBe('needs-root');

    // A snapshot left from earlier (a daemon killed before it could remove it) is not shown as now.
    const old = { ...kept, gatheredAt: new Date(Date.now() - 3_600_000).toISOString() };
    await device.exec(['mkdir', '-p', '/run/edge-agent']);
    await device.writeFile(SNAPSHOT, JSON.stringify(old), 0o644);
    expect(asJson((await status(['--json'], 'nobody')).stdout).agent.daemon.answered).toBeUndefined();
    await device.exec(['rm', '-f', SNAPSHOT]);

    const before = await listing();
    expect(before).toContain('/var/lib/edge-agent/boots');
    const asRoot = await status(['--json']);
    expect(asJson(asRoot.stdout)).toMatchObject({ state: 'green', checks: { state: 'ok' } });
    await status([]);
    await status(['--json'], 'nobody');
    expect(await listing()).toBe(before);
  }, 240_000);
});
