// A broken /etc/edge-agent/config.yaml on a virtual edge host with greenboot and a healthy
// MicroShift. A typo outside the declared checks must not turn the boot red (greenboot would roll
// back a healthy update); declared checks that cannot be read must not pass by not running.
import { afterEach, describe, expect, it } from 'vitest';
import { bootEdgeDevice, recordOnDisk } from '../harness/edge-device.js';
import { nextBoot, runUpdateCycle } from '../harness/greenboot/boot-cycle.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

const base = 'microshift:\n  waitTimeoutSec: 60\n';
let device: VirtualDevice | undefined;
afterEach(async () => {
  await device?.dispose();
  device = undefined;
});

describe('a broken main config.yaml and the boot verdict', () => {
  it('a typo outside the checks: the update goes green, the declared check ran, the broken file is a failed wanted check', async () => {
    const config = `${base}log:\n  levle: debug\nchecks:\n  - id: declared\n    kind: command\n    command: [/bin/true]\n`;
    const d = await bootEdgeDevice({
      deployments: [{ version: '9.4.0' }],
      microshift: scenario('healthy'),
      config,
      boot: false,
    });
    device = d;
    const summaries = await runUpdateCycle(d, { version: '9.4.1' });
    const last = summaries.at(-1);
    expect(last?.verdict).toBe('green');
    expect(last?.booted?.version).toBe('9.4.1');
    const record = await recordOnDisk(d, last?.bootId ?? '');
    expect(record.verdict).toBe('green');
    expect(record.checks.required?.results.map((r) => [r.id, r.outcome])).toEqual(
      expect.arrayContaining([
        ['microshift', 'pass'],
        ['declared', 'pass'],
      ]),
    );
    expect(record.checks.wanted?.results.find((r) => r.id === 'config')).toMatchObject({
      outcome: 'fail',
      reason: 'config-invalid',
      message: expect.stringContaining('log.levle'),
    });
    // Loud in the journal of that boot, at error priority (3), from greenboot's check run.
    const errors = (last?.journal ?? []).filter((e) => e.PRIORITY === '3').map((e) => e.MESSAGE);
    expect(errors.join('\n')).toContain(
      '/etc/edge-agent/config.yaml is invalid: the boot checks run on defaults for log (your declared checks run as written)',
    );
  }, 240_000);

  it('declared checks that cannot be read: the boot is red with check config, naming the key', async () => {
    const config = `${base}checks:\n  - id: app\n    kind: unit\n    unit: app.service\n    timeoutSec: soon\n`;
    const d = await bootEdgeDevice({
      deployments: [{ version: '9.4.0' }],
      microshift: scenario('healthy'),
      config,
      boot: false,
    });
    device = d;
    await d.reboot();
    const summary = await nextBoot(d);
    expect(summary.verdict).toBe('red');
    const record = await recordOnDisk(d, summary.bootId);
    expect(record.verdict).toBe('red');
    expect(record.firstFailure).toMatchObject({
      id: 'config',
      reason: 'config-invalid',
      message: expect.stringContaining('checks[0].timeoutSec'),
    });
  }, 180_000);
});
