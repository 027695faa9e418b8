// /var full on a virtual edge host: a record that cannot be written never changes the verdict
// of the checks. `check --class required` with every check passing exits 0 (greenboot would read
// anything else as RED and roll a healthy update back), says loudly that the record was not
// written, and leaves no lock; `boot green` then fails at once with the I/O exit code (74), not
// after waiting on a lock and not as an internal error (70); so does the daemon.
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../agent/exit-codes.js';
import { bootEdgeDevice } from '../harness/edge-device.js';
import type { VirtualDevice } from '../harness/vdev.js';

const BOOTS = '/var/lib/edge-agent/boots';

describe('records on a full /var', () => {
  let device: VirtualDevice;

  beforeAll(async () => {
    device = await bootEdgeDevice({ name: 'disk-full', boot: false });
    await device.writeFile(
      '/etc/edge-agent/config.yaml',
      stringify({
        microshift: { check: 'off' },
        checks: [{ id: 'ok', kind: 'command', command: ['/bin/true'], timeoutSec: 5 }],
      }),
    );
    // A 256 KiB file system where the records live, filled to the last block.
    await device.sh(
      `mkdir -p /var/lib/edge-agent && mount -t tmpfs -o size=256k,nr_inodes=64 edge-full /var/lib/edge-agent && mkdir -p ${BOOTS} && (dd if=/dev/zero of=/var/lib/edge-agent/filler bs=4k 2>/dev/null || true) && for i in $(seq 80); do touch /var/lib/edge-agent/f$i 2>/dev/null || break; done`,
    );
  }, 90_000);

  afterAll(async () => {
    await device?.dispose();
  });

  it('check --class required passes by its checks, logs the failed write, and leaves no lock', async () => {
    const run = await device.exec(['edge-agent', 'check', '--class', 'required']);
    expect(run.stderr).toMatch(
      /Could not (open this boot's record|record this run) \(the checks decide the verdict anyway\): .*(no space left on device)/,
    );
    expect(run.exitCode).toBe(ExitCode.Ok);
    const left = (await device.sh(`ls -A ${BOOTS}`)).split('\n').filter(Boolean);
    expect(left.filter((n) => n.includes('lock') || n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('status says the record write failed, naming the file and the errno', async () => {
    const json = await device.exec(['edge-agent', 'status', '--json']);
    const problems = (JSON.parse(json.stdout) as { problems: Array<{ code: string; message: string }> }).problems;
    const failed = problems.find((p) => p.code === 'record-write-failed');
    expect(failed?.message).toMatch(
      new RegExp(`^Could not (open this boot's record|record this run): ${BOOTS}/\\S+: ENOSPC \\(at `),
    );
    const text = await device.exec(['edge-agent', 'status']);
    // The text view wraps long lines: the file and errno come first, on the problem line itself.
    expect(text.stdout).toContain(failed?.message.split(' (at ')[0]);
  }, 60_000);

  it('boot green fails at once with exit 74, naming the full disk', async () => {
    const started = performance.now();
    const run = await device.exec(['edge-agent', 'boot', 'green']);
    expect(run.exitCode).toBe(ExitCode.IoError);
    expect(run.stderr).toMatch(/no space left on device/);
    expect(performance.now() - started).toBeLessThan(8_000);
  }, 60_000);

  it('the daemon started on it ends with exit 74 naming the full disk, not 70', async () => {
    await device.sh(
      'systemctl reset-failed edge-agent.service 2>/dev/null; systemctl start --no-block edge-agent.service',
    );
    // Its first exit is enough (systemd then restarts it): the exit status of the main process.
    const show = async (p: string) => (await device.sh(`systemctl show -p ${p} --value edge-agent.service`)).trim();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await show('ExecMainStatus')) === '0' && (await show('ActiveState')) !== 'active')
      await new Promise((resolve) => setTimeout(resolve, 200));
    const journal = await device.sh('journalctl -u edge-agent.service -o cat --no-pager');
    expect(Number(await show('ExecMainStatus')), journal).toBe(ExitCode.IoError);
    expect(journal).toMatch(/no space left on device/i);
    expect(journal).not.toMatch(/internal error/);
    await device.sh('systemctl stop edge-agent.service');
  }, 90_000);
});
