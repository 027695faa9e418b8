// edge-agent's logger against a virtual device's real journald: under systemd-cat the sd-daemon
// prefixes become priorities; as a service too; with the native binding the entries carry
// EDGE_AGENT_* fields; without it the program still logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHarnessProgram } from '../harness/bundle.js';
import { VirtualDevice } from '../harness/vdev.js';

describe('logging into the real journal', () => {
  let device: VirtualDevice;
  let probe: string;
  beforeAll(async () => {
    [device, probe] = await Promise.all([VirtualDevice.boot({ name: 'vdev-log' }), bundleHarnessProgram('test/harness/log-probe.ts', 'log-probe')]);
  });
  afterAll(async () => {
    await device?.dispose();
  });

  const levels = (entries: { MESSAGE: string; PRIORITY: string }[]) => entries.map((e) => [e.MESSAGE, e.PRIORITY]);
  const expected = [
    ['probe info line', '6'],
    ['probe warning line', '4'],
    ['probe error line', '3'],
  ];

  it('writes sd-daemon priorities under systemd-cat (as greenboot runs scripts)', async () => {
    // greenboot-healthcheck.service runs each script through systemd-cat: do the same in a unit.
    await device.sh(`systemd-run --wait --quiet -u cat-probe -p Environment=EDGE_AGENT_NATIVE_JOURNAL=0 systemd-cat -t 50_edge_agent.sh node ${probe}; journalctl --sync`);
    const entries = await device.journal({ identifier: '50_edge_agent.sh' });
    expect(levels(entries)).toEqual(expected);
    expect(entries.every((e) => !String(e.MESSAGE).startsWith('<'))).toBe(true);
  });

  it('writes priorities as a systemd service (JOURNAL_STREAM)', async () => {
    await device.sh(`systemd-run --wait --quiet -u log-probe -p Environment=EDGE_AGENT_NATIVE_JOURNAL=0 node ${probe}; journalctl --sync`);
    expect(levels(await device.journal({ unit: 'log-probe.service', identifier: 'node' }))).toEqual(expected);
  });

  it('adds EDGE_AGENT_* fields through the native binding', async () => {
    await device.sh(`systemd-run --wait --quiet -u log-probe-native -p Environment=PROBE_IDENTIFIER=edge-agent node ${probe}; journalctl --sync`);
    const failed = await device.journal({ matches: ['EDGE_AGENT_OUTCOME=fail'] });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      MESSAGE: 'probe error line',
      PRIORITY: '3',
      SYSLOG_IDENTIFIER: 'edge-agent',
      EDGE_AGENT_CHECK: 'microshift',
      EDGE_AGENT_ATTEMPT: '2',
      EDGE_AGENT_DEPLOYMENT: 'abc123',
      _SYSTEMD_UNIT: 'log-probe-native.service',
    });
  });

  it('writes plain text without prefixes on a terminal or pipe', async () => {
    const result = await device.exec(['node', probe]);
    expect(result.stderr).toBe('probe info line\nwarning: probe warning line\nerror: probe error line\n');
  });
});
