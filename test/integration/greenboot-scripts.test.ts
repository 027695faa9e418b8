// Every greenboot script of a boot, named, on a virtual edge host running the bash greenboot
// stand-in: a required script of another vendor fails before edge-agent's (red; named with its
// last lines in the record and in status), a wanted script fails (shown, the boot stays green),
// and greenboot's DNS check fails on an offline device (status says edge-agent's check did not
// run and what to do; the DISABLED_HEALTHCHECKS configuration the docs give then boots green).
// The device has no greenboot-default-health-checks package: its DNS check is played by a script
// of the same name and place that fails the way the real one does offline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResult } from '../../agent/core/status/schema.js';
import { bootEdgeDevice, recordOnDisk } from '../harness/edge-device.js';
import { nextBoot, runUpdateCycle, settleBoot, writeGreenbootScript } from '../harness/greenboot/boot-cycle.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

const config = 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 15\n';
const DNS = '01_repository_dns_check.sh';
let d: VirtualDevice;

/** status of the boot running now, after greenboot (and green.d / red.d) finished. */
async function statusNow(device: VirtualDevice): Promise<{ json: StatusResult; text: string }> {
  await settleBoot(device, 120_000);
  const json = JSON.parse((await device.exec(['edge-agent', 'status', '--json'])).stdout) as StatusResult;
  const text = (await device.exec(['edge-agent', 'status'])).stdout;
  return { json, text };
}

const deviceHistory = (device: VirtualDevice) => device.exec(['edge-agent', 'history']);

beforeAll(async () => {
  d = await bootEdgeDevice({
    name: 'gb-scripts',
    deployments: [{ version: '9.4.0' }],
    microshift: scenario('healthy'),
    config,
    boot: false,
  });
}, 120_000);

afterAll(async () => {
  await d?.dispose();
});

describe('greenboot scripts of a boot', () => {
  it("another vendor's required script fails first: red, named with its last lines (escaped) in status and the record", async () => {
    await writeGreenbootScript(
      d,
      'check/required.d',
      '30_vendor_disk.sh',
      'echo "checking /var"\nprintf "/var is 99%% full \\033[31m\\n"\nexit 3',
    );
    await d.reboot();
    const { json, text } = await statusNow(d);
    expect(json.boot.verdict).toBe('red');
    expect(json.scripts?.firstRequiredFailure).toBe('30_vendor_disk.sh');
    expect(json.scripts?.list).toContainEqual(
      expect.objectContaining({
        name: '30_vendor_disk.sh',
        kind: 'required',
        outcome: 'failure',
        exitCode: 3,
        lastLines: ['checking /var', '/var is 99% full \\x1b[31m'],
      }),
    );
    // greenboot stopped its required scripts there: edge-agent's own (35_) never ran.
    expect(json.scripts?.list.filter((s) => s.kind === 'required').map((s) => s.name)).toEqual(['30_vendor_disk.sh']);
    expect(json.summary).toContain("failed check '30_vendor_disk.sh'");
    expect(text).toContain('Scripts of this boot');
    expect(text).toMatch(/✗ 30_vendor_disk\.sh +required +exit 3/);
    expect(text).not.toContain('\u001b[31m');
    const history = (await deviceHistory(d)).stdout;
    expect(history).toContain('failed: 30_vendor_disk.sh: /var is 99% full \\x1b[31m');
    expect(history).toContain('script failed: 30_vendor_disk.sh (required, exit 3)');
    const bootId = d.bootId;
    await nextBoot(d);
    const record = await recordOnDisk(d, bootId);
    expect(record.greenbootScripts?.firstRequiredFailure).toBe('30_vendor_disk.sh');
    expect(
      record.greenbootScripts?.scripts.find((s) => s.name === '30_vendor_disk.sh')?.durationMs,
    ).toBeGreaterThanOrEqual(0);
  }, 240_000);

  it('a wanted script fails: shown, the boot stays green', async () => {
    await d.sh('rm /etc/greenboot/check/required.d/30_vendor_disk.sh');
    await writeGreenbootScript(
      d,
      'check/wanted.d',
      '50_vendor_updates.sh',
      'echo "update server unreachable" >&2\nexit 1',
    );
    await nextBoot(d);
    const { json, text } = await statusNow(d);
    expect(json.boot.verdict).toBe('green');
    expect(json.scripts?.firstRequiredFailure).toBeUndefined();
    expect(json.scripts?.list).toContainEqual(
      expect.objectContaining({
        name: '50_vendor_updates.sh',
        kind: 'wanted',
        outcome: 'failure',
        exitCode: 1,
        lastLines: ['update server unreachable'],
      }),
    );
    expect(json.scripts?.list).toContainEqual(
      expect.objectContaining({ name: '35_edge_agent_required.sh', kind: 'required', outcome: 'success' }),
    );
    expect(text).toMatch(/✗ 50_vendor_updates\.sh +wanted +exit 1/);
  }, 240_000);

  it("greenboot's DNS check fails on an offline device: status says edge-agent's check did not run and what to do; disabling it boots green", async () => {
    await d.sh('rm /etc/greenboot/check/wanted.d/50_vendor_updates.sh');
    await writeGreenbootScript(
      d,
      'check/required.d',
      DNS,
      'echo "Checking DNS resolution of the ostree remotes"\necho "ERROR: DNS resolution for \'cdn.example.com\' failed" >&2\nexit 1',
      '/usr/lib/greenboot',
    );
    await nextBoot(d);
    const red = await statusNow(d);
    expect(red.json.boot.verdict).toBe('red');
    expect(red.json.scripts?.firstRequiredFailure).toBe(DNS);
    expect(red.json.scripts?.explanation).toContain("edge-agent's check did not run");
    expect(red.text).toContain(`DISABLED_HEALTHCHECKS=( "${DNS}" )`);
    // The offline configuration of packaging/docs/operator-guide.md.
    const conf = await d.readFile('/etc/greenboot/greenboot.conf');
    await d.writeFile('/etc/greenboot/greenboot.conf', `${conf}\nDISABLED_HEALTHCHECKS=( "${DNS}" )\n`);
    await nextBoot(d);
    const green = await statusNow(d);
    expect(green.json.boot.verdict).toBe('green');
    expect(green.json.scripts?.list).toContainEqual(expect.objectContaining({ name: DNS, outcome: 'disabled' }));
    expect(green.json.scripts?.list).toContainEqual(
      expect.objectContaining({ name: '35_edge_agent_required.sh', outcome: 'success' }),
    );
  }, 300_000);
});

describe("a rollback caused by MicroShift's own check", () => {
  it('names 40_microshift_running_check.sh and its last line in the rollback, the history and status', async () => {
    const device = await bootEdgeDevice({
      name: 'gb-ms-check',
      deployments: [{ version: '9.4.0' }],
      microshift: scenario('healthy'),
      config,
      boot: false,
    });
    try {
      // Plays MicroShift's check failing on the update only (edge-agent's own check passes first:
      // MicroShift is healthy to it); the real script's message for a pod that never got ready.
      const body =
        'if rpm-ostree status --booted | grep -q 9.4.1; then\n  echo "Waiting 300s for pod image(s) from the openshift-ovn-kubernetes namespace to be downloaded"\n  echo "Timed out waiting for pods in the openshift-ovn-kubernetes namespace"\n  exit 1\nfi\nexit 0';
      await writeGreenbootScript(device, 'check/required.d', '40_microshift_running_check.sh', body);
      await device.reboot();
      await settleBoot(device, 120_000);
      const boots = await runUpdateCycle(device, { version: '9.4.1' });
      expect(boots.map((b) => [b.booted?.version, b.verdict])).toEqual([
        ['9.4.0', 'green'],
        ['9.4.1', 'red'],
        ['9.4.1', 'red'],
        ['9.4.1', 'red'],
        ['9.4.0', 'green'],
      ]);
      const history = (await deviceHistory(device)).stdout;
      expect(history).toMatch(
        /ROLLBACK {2}rolled back from 9\.4\.1 \([0-9a-f]{7}\) to 9\.4\.0 \([0-9a-f]{7}\) after 3 failed boots; first failing greenboot script: 40_microshift_running_check\.sh: Timed out waiting for pods in the openshift-ovn-kubernetes namespace/,
      );
      const status = JSON.parse((await device.exec(['edge-agent', 'status', '--json'])).stdout) as StatusResult;
      expect(status.lastRollback.reason).toContain('40_microshift_running_check.sh');
    } finally {
      await device.dispose();
    }
  }, 420_000);
});
