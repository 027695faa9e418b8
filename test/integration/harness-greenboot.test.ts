// The greenboot, GRUB and rpm-ostree stand-ins on a virtual edge device: greenboot really runs
// inside the device under systemd as part of its boot; the harness does GRUB and
// ostree-finalize-staged between boots.
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualDevice } from '../harness/vdev.js';
import { deviceGrubenv } from '../harness/grub/device-grub.js';
import { readGrubenv } from '../harness/grub/grubenv.js';
import {
  checksumFor,
  installRpmOstree,
  makeUpdateAvailable,
  readDeployments,
  stageUpdate,
} from '../harness/rpm-ostree/device-rpm-ostree.js';
import {
  detectImplementation,
  installGreenboot,
  nextBoot,
  runUpdateCycle,
  settleBoot,
  writeGreenbootScript,
  type BootSummary,
} from '../harness/greenboot/boot-cycle.js';
import type { GreenbootOptions } from '../harness/greenboot/install-greenboot.js';

const devices: VirtualDevice[] = [];

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.dispose()));
});

/** A device with deployment 1.0 booted and greenboot installed (it runs from the next boot on). */
async function greenbootDevice(options: GreenbootOptions = {}): Promise<VirtualDevice> {
  const device = await VirtualDevice.boot();
  devices.push(device);
  await installRpmOstree(device, { deployments: [{ version: '1.0' }] });
  await installGreenboot(device, options);
  return device;
}

const failOnVersion2 = `if rpm-ostree status --booted --json | grep -q '"version" : "2.0"'; then echo "2.0 is broken"; exit 1; fi`;

function outcomes(summary: BootSummary): string[] {
  return summary.scripts.map(
    (s) => `${s.kind} ${s.dir}/${s.name} ${s.outcome}${s.exitCode === undefined ? '' : ` ${s.exitCode}`}`,
  );
}

describe('rpm-ostree stand-in', () => {
  it('prints status as JSON and as text', async () => {
    const device = await VirtualDevice.boot();
    devices.push(device);
    await installRpmOstree(device, {
      deployments: [
        { version: '9.4.1', packages: ['htop'] },
        { version: '9.4.0', containerImage: 'ostree-unverified-registry:quay.io/example/edge:9.4.0', pinned: true },
      ],
    });
    const json = await device.exec(['rpm-ostree', 'status', '--json']);
    expect(json.exitCode).toBe(0);
    const status = JSON.parse(json.stdout) as { deployments: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect(Object.keys(status)).toEqual(
      expect.arrayContaining(['deployments', 'transaction', 'cached-update', 'update-driver']),
    );
    const [first, second] = status.deployments;
    for (const key of [
      'id',
      'osname',
      'serial',
      'checksum',
      'version',
      'timestamp',
      'booted',
      'staged',
      'pinned',
      'requested-packages',
      'packages',
    ]) {
      expect(first).toHaveProperty(key);
      expect(second).toHaveProperty(key);
    }
    expect(first).toMatchObject({
      version: '9.4.1',
      booted: true,
      staged: false,
      origin: 'edge:rhel/9/x86_64/edge',
      packages: ['htop'],
      'base-checksum': checksumFor('9.4.1'),
    });
    expect(first?.id).toBe(`rhel-${String(first?.checksum)}.0`);
    expect(second).toMatchObject({
      version: '9.4.0',
      booted: false,
      pinned: true,
      'container-image-reference': 'ostree-unverified-registry:quay.io/example/edge:9.4.0',
    });
    expect(second).not.toHaveProperty('origin');
    // Each deployment's checkout, with the origin file that records what was asked of it.
    const origin = (d: Record<string, unknown> | undefined) =>
      device.readFile(`/ostree/deploy/rhel/deploy/${String(d?.checksum)}.${String(d?.serial)}.origin`);
    expect(await origin(first)).toBe('[origin]\nrefspec=edge:rhel/9/x86_64/edge\n\n[packages]\nrequested=htop;\n');
    expect(await origin(second)).toBe(
      '[origin]\ncontainer-image-reference=ostree-unverified-registry:quay.io/example/edge:9.4.0\n\n[libostree-transient]\npinned=true\n',
    );

    const text = (await device.exec(['rpm-ostree', 'status'])).stdout;
    expect(text).toMatch(
      /^State: idle\nDeployments:\n\* edge:rhel\/9\/x86_64\/edge\n +Version: 9\.4\.1 \(\d{4}-\d\d-\d\dT[\d:]+Z\)\n/,
    );
    expect(text).toContain(`Commit: ${String(first?.checksum)}`);
    expect(text).toContain('  ostree-unverified-registry:quay.io/example/edge:9.4.0');
    expect(text).toMatch(/Pinned: yes/);
  });

  it('stages an update that the next boot finalizes (booted = new, rollback = old)', async () => {
    const device = await greenbootDevice();
    await makeUpdateAvailable(device, { version: '2.0' });
    const staged = await stageUpdate(device);
    expect(staged).toMatchObject({ version: '2.0', staged: true, booted: false });
    expect((await device.exec(['rpm-ostree', 'status'])).stdout).toMatch(/Staged: yes/);
    expect((await device.exec(['rpm-ostree', 'upgrade'])).stdout).toContain('No upgrade available.');

    // Staging started ostree-finalize-staged, and with it greenboot's set-counter: the trial is
    // set up now, before any reboot. RHEL's `grub2-editenv list` reads /boot/grub2/grubenv.
    expect((await device.exec(['systemctl', 'is-active', 'greenboot-grub2-set-counter.service'])).stdout.trim()).toBe(
      'active',
    );
    const listed = await device.exec(['grub2-editenv', 'list']);
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining(['boot_counter=3', 'boot_success=0']));
    expect((await device.exec(['grub2-editenv', '-', 'list'])).stdout).toBe(listed.stdout);
    // Its checkout and origin file are made at staging, as ostree does.
    const deployDir = '/ostree/deploy/rhel/deploy';
    expect((await device.exec(['ls', deployDir])).stdout.trim().split('\n')).toEqual(
      expect.arrayContaining([`${staged.checksum}.0`, `${staged.checksum}.0.origin`]),
    );
    expect(await device.readFile(`${deployDir}/${staged.checksum}.0.origin`)).toBe(
      '[origin]\nrefspec=edge:rhel/9/x86_64/edge\n',
    );
    // The staged deployment has no boot entry until it is finalized.
    expect((await device.exec(['ls', '/boot/loader/entries'])).stdout.trim().split('\n')).toEqual([
      'ostree-1-rhel.conf',
    ]);
    expect((await device.exec(['ostree', 'admin', 'status'])).stdout).toMatch(
      new RegExp(
        `^  rhel ${staged.checksum}\\.0 \\(staged\\)\n    Version: 2\\.0\n    origin refspec: edge:rhel/9/x86_64/edge\n\\* rhel [0-9a-f]{64}\\.0\n    Version: 1\\.0\n`,
      ),
    );

    const summary = await nextBoot(device);
    expect(summary.booted?.version).toBe('1.0');
    expect(summary.next.finalized?.version).toBe('2.0');
    // Set at staging (3), then GRUB's decrement before booting.
    expect(summary.grubenv.atEnd).toMatchObject({ boot_counter: '3', boot_success: '0' });
    expect(summary.grubenv.next).toMatchObject({ boot_counter: '2', boot_success: '0' });
    const deployments = await readDeployments(device);
    expect(deployments.map((d) => [d.version, d.booted, d.staged])).toEqual([
      ['2.0', true, false],
      ['1.0', false, false],
    ]);
    // One BLS entry per deployment, the default first (highest number).
    const entries = (await device.exec(['sh', '-c', 'cd /boot/loader/entries && grep -H "^title" *'])).stdout
      .trim()
      .split('\n');
    expect(entries).toEqual([
      'ostree-1-rhel.conf:title Red Hat Enterprise Linux 1.0 (ostree:1)',
      'ostree-2-rhel.conf:title Red Hat Enterprise Linux 2.0 (ostree:0)',
    ]);
    expect((await device.exec(['ostree', 'admin', 'status'])).stdout).toMatch(
      /^\* rhel [0-9a-f]{64}\.0\n {4}Version: 2\.0\n.*\n {2}rhel [0-9a-f]{64}\.0 \(rollback\)\n {4}Version: 1\.0\n/,
    );
  });
});

describe('greenboot stand-in', () => {
  it('a passing required script makes the boot green: boot_success=1, counter unset, green.d ran', async () => {
    const device = await greenbootDevice();
    await writeGreenbootScript(device, 'check/required.d', '10-ok.sh', 'echo all good');
    await writeGreenbootScript(device, 'green.d', '10-green.sh', 'echo green.d ran');
    await makeUpdateAvailable(device, { version: '2.0' });
    await stageUpdate(device);
    await nextBoot(device);

    const summary = await nextBoot(device);
    expect(summary.verdict).toBe('green');
    expect(summary.booted?.version).toBe('2.0');
    expect(summary.grubenv.atBoot).toMatchObject({ boot_counter: '2', boot_success: '0' });
    expect(summary.grubenv.atEnd).toEqual({ boot_success: '1' });
    expect(outcomes(summary)).toEqual([
      'required /etc/greenboot/check/required.d/10-ok.sh success 0',
      'green /etc/greenboot/green.d/10-green.sh success 0',
    ]);
    expect(summary.scripts[0]?.output).toEqual(['all good']);
    expect(summary.log).toContain("greenboot: Script '10-ok.sh' SUCCESS");
    expect(summary.log).toContain('greenboot: Boot Status is GREEN - Health Check SUCCESS');
    expect(summary.rebootRequested).toBe(false);
    expect(detectImplementation(device.root)).toBe('bash');
  });

  it('takes a failing update through counters 2, 1, 0 to the fallback boot', async () => {
    const device = await greenbootDevice();
    await writeGreenbootScript(device, 'check/required.d', '50-needs-old.sh', failOnVersion2);
    await writeGreenbootScript(device, 'red.d', '10-red.sh', 'echo red.d ran');

    const [install, ...boots] = await runUpdateCycle(device, { version: '2.0' });
    expect(install?.next.booted.version).toBe('2.0');
    const reds = boots.slice(0, 3);
    expect(reds.map((b) => [b.verdict, b.booted?.version, b.grubenv.atBoot?.boot_counter, b.rebootRequested])).toEqual([
      ['red', '2.0', '2', true],
      ['red', '2.0', '1', true],
      ['red', '2.0', '0', true],
    ]);
    for (const red of reds) {
      expect(outcomes(red)).toEqual([
        'required /etc/greenboot/check/required.d/50-needs-old.sh failure 1',
        'red /etc/greenboot/red.d/10-red.sh success 0',
      ]);
      expect(red.log).toContain("greenboot: Script '50-needs-old.sh' FAILURE (exit code '1'). Continuing...");
      expect(red.log).toContain('greenboot: Boot Status is RED - Health Check FAILURE!');
    }
    expect(reds[2]?.next).toMatchObject({ entry: 1, fallback: true, booted: { version: '1.0' } });
    expect(reds[2]?.grubenv.next.boot_counter).toBe('-1');

    const fallback = boots[3];
    expect(boots).toHaveLength(4);
    expect(fallback?.booted?.version).toBe('1.0');
    expect(fallback?.rolledBack).toBe(true);
    expect(fallback?.log).toContain(
      'rpm-ostree-grub2-check-fallback: FALLBACK BOOT DETECTED! Default rpm-ostree deployment has been rolled back.',
    );
    expect(fallback?.verdict).toBe('green');
    expect(fallback?.grubenv.atEnd).toEqual({ boot_success: '1' });
    const deployments = await readDeployments(device);
    expect(deployments.map((d) => [d.version, d.booted])).toEqual([
      ['1.0', true],
      ['2.0', false],
    ]);
  });

  it("a failing /usr/lib required script (greenboot's own DNS check) ends the check: no /etc script runs", async () => {
    const device = await greenbootDevice();
    await writeGreenbootScript(
      device,
      'check/required.d',
      '01_repository_dns_check.sh',
      'echo "<3>DNS resolution of edge.example.com failed"; exit 1',
      '/usr/lib/greenboot',
    );
    await writeGreenbootScript(
      device,
      'check/wanted.d',
      '01_update_platforms_check.sh',
      'exit 0',
      '/usr/lib/greenboot',
    );
    await writeGreenbootScript(device, 'check/required.d', '40-edge-agent.sh', 'touch /var/edge-agent-ran');
    await nextBoot(device);

    const summary = await nextBoot(device);
    expect(summary.verdict).toBe('red');
    expect(outcomes(summary)).toEqual([
      'required /usr/lib/greenboot/check/required.d/01_repository_dns_check.sh failure 1',
    ]);
    expect(summary.scripts[0]?.output).toEqual(['DNS resolution of edge.example.com failed']);
    expect(device.exists('/var/edge-agent-ran')).toBe(false);
    // greenboot's own lines as 0.15.9 writes them, with their priorities.
    const failure = summary.journal.find(
      (e) => e.MESSAGE === "Script '01_repository_dns_check.sh' FAILURE (exit code '1'). Continuing...",
    );
    expect(failure?.PRIORITY).toBe('0');
    expect(summary.log.filter((l) => l.startsWith('greenboot: Running '))).toEqual([
      'greenboot: Running Required Health Check Scripts...',
      'greenboot: Running Red Scripts...',
      'greenboot: Running Red Scripts...',
    ]);
  });

  it('stops at the first failing required script and honours DISABLED_HEALTHCHECKS; no pending update: no reboot', async () => {
    const device = await greenbootDevice();
    await writeGreenbootScript(device, 'check/required.d', '10-ok.sh', 'exit 0', '/usr/lib/greenboot');
    await writeGreenbootScript(device, 'check/required.d', '15-disabled.sh', 'exit 1');
    await writeGreenbootScript(device, 'check/required.d', '20-fail.sh', 'echo "<3>broken"; exit 3');
    await writeGreenbootScript(device, 'check/required.d', '30-later.sh', 'touch /var/later-ran');
    await writeGreenbootScript(device, 'check/wanted.d', '10-wanted.sh', 'exit 0');
    await device.writeFile(
      '/etc/greenboot/greenboot.conf',
      'GREENBOOT_MAX_BOOT_ATTEMPTS=3\nDISABLED_HEALTHCHECKS=(\n  "other.sh" # not ours\n  "15-disabled.sh"\n)\n',
    );
    await nextBoot(device);

    expect(await settleBoot(device)).toBe('idle');
    const live = await device.journalMessages({ unit: 'redboot-auto-reboot.service' });
    expect(live.some((m) => m.includes('Manual intervention necessary'))).toBe(true);
    const summary = await nextBoot(device);
    expect(summary.verdict).toBe('red');
    expect(outcomes(summary)).toEqual([
      'required /usr/lib/greenboot/check/required.d/10-ok.sh success 0',
      'required /etc/greenboot/check/required.d/15-disabled.sh disabled',
      'required /etc/greenboot/check/required.d/20-fail.sh failure 3',
      'required /etc/greenboot/check/required.d/30-later.sh skipped',
    ]);
    // The check ended at the failure: wanted.d after it did not run.
    expect(summary.log).toContain("greenboot: '30-later.sh' was skipped due to a previous failure");
    expect(summary.log).toContain("greenboot: '15-disabled.sh' was skipped, as specified in config");
    expect(summary.scripts[2]?.output).toEqual(['broken']);
    expect(summary.journal.find((e) => e.MESSAGE === 'broken')?.PRIORITY).toBe('3');
    expect(device.exists('/var/later-ran')).toBe(false);
    expect(summary.manualIntervention).toBe(true);
    expect(summary.rebootRequested).toBe(false);
  });

  it('only logs a failing wanted script; runs scripts recursively in C order', async () => {
    const device = await greenbootDevice();
    await writeGreenbootScript(device, 'check/required.d', '10-ok.sh', 'exit 0');
    await writeGreenbootScript(device, 'check/wanted.d', 'a.sh', 'exit 5');
    await writeGreenbootScript(device, 'check/wanted.d', 'B.sh', 'exit 0');
    await writeGreenbootScript(device, 'check/wanted.d', 'sub/0.sh', 'exit 0');
    await writeGreenbootScript(device, 'check/wanted.d', 'notes.txt', 'exit 1');
    await nextBoot(device);

    const summary = await nextBoot(device);
    expect(summary.verdict).toBe('green');
    expect(outcomes(summary)).toEqual([
      'required /etc/greenboot/check/required.d/10-ok.sh success 0',
      'wanted /etc/greenboot/check/wanted.d/B.sh success 0',
      'wanted /etc/greenboot/check/wanted.d/a.sh failure 5',
      // greenboot logs basenames: sub/0.sh shows as 0.sh of wanted.d
      'wanted /etc/greenboot/check/wanted.d/0.sh success 0',
    ]);
    expect(summary.log).toContain("greenboot: Script 'a.sh' FAILURE (exit code '5'). Continuing...");
  });

  it('a red check that takes about as long as the boot wait, then reboots the device itself, is a red boot', async () => {
    const device = await greenbootDevice();
    // Fails on 2.0 after ~14 s: the reboot it causes starts as vdev's 15 s boot wait ends.
    await writeGreenbootScript(device, 'check/required.d', '50-slow-fail.sh', `sleep 14\n${failOnVersion2}`);
    await makeUpdateAvailable(device, { version: '2.0' });
    await stageUpdate(device);
    const install = await nextBoot(device);
    expect(install.next.booted.version).toBe('2.0');
    const red = await nextBoot(device, { timeoutMs: 120_000 });
    expect(red).toMatchObject({ verdict: 'red', rebootRequested: true, booted: { version: '2.0' } });
    expect(outcomes(red)[0]).toBe('required /etc/greenboot/check/required.d/50-slow-fail.sh failure 1');
  }, 180_000);

  it('greenboot-rs variant: detectable units and grubenv, counter set only after the first failure', async () => {
    const device = await greenbootDevice({ implementation: 'rs' });
    expect(detectImplementation(device.root)).toBe('rs');
    expect(device.exists('/etc/systemd/system/greenboot-grub2-set-counter.service')).toBe(false);
    await writeGreenbootScript(device, 'check/required.d', '50-needs-old.sh', failOnVersion2);
    await makeUpdateAvailable(device, { version: '2.0' });
    const staged = await stageUpdate(device);

    const install = await nextBoot(device);
    expect(install.grubenv.next).toEqual({ greenboot_next_deployment_id: staged.id, fallback: '0', boot_success: '0' });
    const first = await nextBoot(device);
    expect(first).toMatchObject({ verdict: 'red', rebootRequested: true });
    expect(first.grubenv.atEnd.boot_counter).toBe('3');
    expect((await readGrubenv(deviceGrubenv(device))).boot_counter).toBe('2');
  });
});
