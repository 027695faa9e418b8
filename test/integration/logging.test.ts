// edge-agent's logger against a virtual device's real journald: under systemd-cat the sd-daemon
// prefixes become priorities; as a service too; records with fields become journal entries with
// EDGE_AGENT_* fields through util-linux `logger --journald`, in the order they were logged;
// without `logger` the same records arrive as plain lines. The order also holds inside the
// daemon unit's sandbox (its journalctl --sync there).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHarnessProgram, repoRoot } from '../harness/bundle.js';
import { VirtualDevice } from '../harness/vdev.js';

describe('logging into the real journal', () => {
  let device: VirtualDevice;
  let probe: string;
  beforeAll(async () => {
    [device, probe] = await Promise.all([
      VirtualDevice.boot({ name: 'vdev-log' }),
      bundleHarnessProgram('test/harness/log-probe.ts', 'log-probe'),
    ]);
  });
  afterAll(async () => {
    await device?.dispose();
  });

  const levels = (entries: { MESSAGE: string; PRIORITY: string }[]) => entries.map((e) => [e.MESSAGE, e.PRIORITY]);
  const expected = [
    ['probe info line', '6'],
    ['probe warning line', '4'],
    ['probe error line', '3'],
    ['probe plain line', '6'],
  ];

  /** The probe's four records in the unit's journal, in the order logged, the structured ones with their outcome field. */
  async function expectProbeRecordsInOrder(unit: string): Promise<void> {
    const all = (await device.journal({ unit })).filter((e) => String(e.MESSAGE).startsWith('probe '));
    expect(levels(all)).toEqual(expected);
    expect(all.map((e) => (e as Record<string, unknown>).EDGE_AGENT_OUTCOME)).toEqual([
      'pass',
      'warn',
      'fail',
      undefined,
    ]);
  }

  it('writes sd-daemon priorities under systemd-cat (as greenboot runs scripts)', async () => {
    // greenboot-healthcheck.service runs each script through systemd-cat: do the same in a unit.
    await device.sh(
      `systemd-run --wait --quiet -u cat-probe -p Environment=EDGE_AGENT_JOURNAL_FIELDS=0 systemd-cat -t 50_edge_agent.sh node ${probe}; journalctl --sync`,
    );
    const entries = await device.journal({ identifier: '50_edge_agent.sh' });
    expect(levels(entries)).toEqual(expected);
    expect(entries.every((e) => !String(e.MESSAGE).startsWith('<'))).toBe(true);
  });

  it('writes priorities as a systemd service (JOURNAL_STREAM)', async () => {
    await device.sh(
      `systemd-run --wait --quiet -u log-probe -p Environment=EDGE_AGENT_JOURNAL_FIELDS=0 node ${probe}; journalctl --sync`,
    );
    expect(levels(await device.journal({ unit: 'log-probe.service', identifier: 'node' }))).toEqual(expected);
  });

  it('adds EDGE_AGENT_* fields through logger --journald, keeping the order of the records', async () => {
    await device.sh(
      `systemd-run --wait --quiet -u log-probe-fields -p Environment=PROBE_IDENTIFIER=edge-agent node ${probe}; journalctl --sync`,
    );
    const failed = await device.journal({ matches: ['EDGE_AGENT_OUTCOME=fail'] });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      MESSAGE: 'probe error line',
      PRIORITY: '3',
      SYSLOG_IDENTIFIER: 'edge-agent',
      EDGE_AGENT_CHECK: 'microshift',
      EDGE_AGENT_ATTEMPT: '2',
      EDGE_AGENT_DEPLOYMENT: 'abc123',
      // Not _SYSTEMD_UNIT: journald often cannot attribute a `logger` that already exited.
      OBJECT_SYSTEMD_UNIT: 'log-probe-fields.service',
    });
    // SYSLOG_PID names the program that logged, not the `logger` process that carried the entry.
    const first = failed[0] as Record<string, unknown>;
    expect(first.SYSLOG_PID).toMatch(/^\d+$/);
    expect(first.SYSLOG_PID).not.toBe(first._PID);
    // Structured entries (logger) and the plain line (stdout stream) together, in journal order.
    // journalctl -u finds both: the plain line by _SYSTEMD_UNIT, the structured ones by OBJECT_SYSTEMD_UNIT.
    await expectProbeRecordsInOrder('log-probe-fields.service');
  });

  it("keeps fields and order inside the daemon's own sandbox, where journalctl --sync still works", async () => {
    // The [Service] settings from '# Sandbox.' on, as edge-agent.service has them. The probe is
    // copied out of the checkout: PrivateTmp would hide a clone under /tmp.
    const unit = await readFile(join(repoRoot, 'units', 'edge-agent.service'), 'utf8');
    const sandbox = unit
      .slice(unit.indexOf('# Sandbox.'), unit.indexOf('[Install]'))
      .split('\n')
      .filter((line) => /^[A-Z]\w+=/.test(line));
    expect(sandbox).toEqual(expect.arrayContaining(['ProtectSystem=strict', 'PrivateDevices=yes']));
    const properties = sandbox.map((line) => `-p '${line}'`).join(' ');
    await device.writeFile('/usr/local/libexec/log-probe.mjs', await readFile(probe, 'utf8'), 0o755);
    await device.sh('mkdir -p /var/lib/edge-agent /run/edge-agent');
    // The sync itself: refused there, the logger would give up on it and lines could overtake entries.
    const sync = await device.sh(
      `systemd-run --wait --quiet --pipe -u sync-probe-sandbox ${properties} sh -c 'journalctl --sync; echo sync=$?'`,
    );
    expect(sync.trim()).toBe('sync=0');
    await device.sh(
      `systemd-run --wait --quiet -u log-probe-sandbox -p Environment=PROBE_IDENTIFIER=edge-agent ${properties} node /usr/local/libexec/log-probe.mjs; journalctl --sync`,
    );
    await expectProbeRecordsInOrder('log-probe-sandbox.service');
  });

  it('falls back to plain lines when logger cannot be run', async () => {
    await device.sh(
      `systemd-run --wait --quiet -u log-probe-nologger -p Environment=PROBE_JOURNAL_COMMAND=/nonexistent/logger node ${probe}; journalctl --sync`,
    );
    const entries = await device.journal({ unit: 'log-probe-nologger.service', identifier: 'node' });
    expect(levels(entries)).toEqual(expected);
    expect(entries.every((e) => (e as Record<string, unknown>).EDGE_AGENT_OUTCOME === undefined)).toBe(true);
  });

  it('writes plain text without prefixes on a terminal or pipe', async () => {
    const result = await device.exec(['node', probe]);
    expect(result.stderr).toBe(
      'probe info line\nwarning: probe warning line\nerror: probe error line\nprobe plain line\n',
    );
  });
});
