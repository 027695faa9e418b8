// A red boot that ended before edge-agent kept greenboot's scripts in its record (a power cut
// after the checks, before red.d; edge-agent's own check had passed): the next boot reads that boot's journal by its id and fills
// the record in, so history names the failing script. With a volatile journal the lines are gone:
// the record says why, once. Runs on a virtual edge host with the bash greenboot stand-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootEdgeDevice, recordOnDisk } from '../harness/edge-device.js';
import { nextBoot, settleBoot, writeGreenbootScript } from '../harness/greenboot/boot-cycle.js';
import { scenario } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';

const config = 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 15\n';
const RED_STEP = '/etc/greenboot/red.d/35_edge_agent_red.sh';
let d: VirtualDevice;

beforeAll(async () => {
  d = await bootEdgeDevice({
    name: 'prev-scripts',
    deployments: [{ version: '9.4.0' }],
    microshift: scenario('healthy'),
    config,
    boot: false,
  });
}, 120_000);

afterAll(async () => {
  await d?.dispose();
});

/** Boot once with a failing vendor script and without edge-agent's red step: the cut-off red boot. */
async function cutOffRedBoot(): Promise<string> {
  await writeGreenbootScript(
    d,
    'check/required.d',
    '40_vendor_disk.sh',
    'echo "checking /var"\necho "/var is 99% full"\nexit 3',
  );
  await d.sh(`mv ${RED_STEP} /root/red-step.sh`);
  await d.reboot();
  await settleBoot(d, 120_000);
  const redBoot = d.bootId;
  const before = await recordOnDisk(d, redBoot);
  // edge-agent's check (35_) ran and passed; the vendor's 40_ failed. As after a power cut before
  // red.d: no verdict and no copy of the scripts.
  expect([before.verdict, before.greenbootScripts]).toEqual([undefined, undefined]);
  await d.sh(`mv /root/red-step.sh ${RED_STEP} && rm /etc/greenboot/check/required.d/40_vendor_disk.sh`);
  return redBoot;
}

describe("the previous boot's greenboot scripts", () => {
  it('are read from its journal by the next boot when its record has none', async () => {
    const redBoot = await cutOffRedBoot();
    await nextBoot(d);
    await settleBoot(d, 120_000);
    const record = await recordOnDisk(d, redBoot);
    const copy = record.greenbootScripts as (typeof record.greenbootScripts & { fromLaterBoot?: string }) | undefined;
    expect(copy?.error).toBeUndefined();
    expect(copy?.firstRequiredFailure).toBe('40_vendor_disk.sh');
    expect(copy?.fromLaterBoot).toBe(d.bootId.replaceAll('-', ''));
    expect(copy?.scripts).toContainEqual(
      expect.objectContaining({
        name: '40_vendor_disk.sh',
        kind: 'required',
        outcome: 'failure',
        exitCode: 3,
        lastLines: ['checking /var', '/var is 99% full'],
      }),
    );
    const history = (await d.exec(['edge-agent', 'history'])).stdout;
    expect(history).toContain('script failed: 40_vendor_disk.sh (required, exit 3)');
    // The boot that copied it kept its own copy as usual.
    expect((await recordOnDisk(d, d.bootId)).greenbootScripts?.firstRequiredFailure).toBeUndefined();
  }, 300_000);

  it('are reported missing, once, when the journal was volatile', async () => {
    await d.sh('rm -rf /var/log/journal');
    const redBoot = await cutOffRedBoot();
    await nextBoot(d);
    await settleBoot(d, 120_000);
    const copy = (await recordOnDisk(d, redBoot)).greenbootScripts;
    expect(copy?.scripts).toEqual([]);
    expect(copy?.error).toMatch(/^journalctl .* exited 1/);
  }, 300_000);
});
