// Boot outcomes end to end on a virtual edge host: a failing update goes through its three
// attempts with growing budgets, red.d runs each time, the pre-rollback cleanup only on the last
// attempt (scoped: a podman conmon survives), GRUB falls back, and the rollback is explained in
// the record and in `edge-agent history` — with a volatile journal and with a persistent one.
// A good update goes green and is marked known-good.
import { afterEach, describe, expect, it } from 'vitest';
import type { BootRecord } from '../../agent/core/boot-record.js';
import { installCrio, startPodmanContainer } from '../harness/crio/install.js';
import { listProcesses } from '../harness/crio/processes.js';
import { bootEdgeDevice, recordOnDisk } from '../harness/edge-device.js';
import { nextBoot, settleBoot, type BootSummary } from '../harness/greenboot/boot-cycle.js';
import { setDeploymentScenario } from '../harness/microshift/install.js';
import { scenario } from '../harness/microshift/scenario.js';
import { makeUpdateAvailable, readDeployments, stageUpdate } from '../harness/rpm-ostree/device-rpm-ostree.js';
import type { VirtualDevice } from '../harness/vdev.js';

const config = 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 15\n';
let device: VirtualDevice | undefined;
afterEach(async () => {
  await device?.dispose();
  device = undefined;
});

interface FallbackStatus {
  boot?: { fallback?: boolean; attempt?: number; grubenv?: { bootCounter?: number } };
  problems?: { code: string }[];
}

async function failingUpdate(
  persistentJournal: boolean,
  agent: 'bundle' | 'rpm',
): Promise<{ summaries: BootSummary[]; records: BootRecord[]; d: VirtualDevice; fallbackStatus?: FallbackStatus }> {
  const d = await bootEdgeDevice({
    deployments: [{ version: '9.4.0' }],
    microshift: scenario('healthy'),
    config,
    boot: false,
    agent,
  });
  device = d;
  await installCrio(d);
  if (!persistentJournal) await d.sh('rm -rf /var/log/journal');
  // MicroShift keeps a backup of the deployment it last ran: the rollback target.
  const [good] = await readDeployments(d);
  await d.sh(`mkdir -p /var/lib/microshift-backups/${good?.id}_0123456789abcdef0123456789abcdef`);
  await setDeploymentScenario(d, '9.4.2', scenario('crash-loop'));
  await makeUpdateAvailable(d, { version: '9.4.2' });
  await stageUpdate(d);
  await nextBoot(d);
  // The podman container runs on every boot of the update: it must survive the cleanup.
  const summaries: BootSummary[] = [];
  let fallbackStatus: FallbackStatus | undefined;
  for (let boot = 0; boot < 5; boot++) {
    const summary = await nextBoot(d);
    summaries.push(summary);
    // The device now runs the fallback boot: ask status there, once greenboot is done with it.
    if (summary.next.fallback) {
      await settleBoot(d, 120_000);
      fallbackStatus = JSON.parse((await d.exec(['edge-agent', 'status', '--json'])).stdout) as FallbackStatus;
    }
    if (summary.verdict !== 'red' || !summary.rebootRequested) break;
  }
  const records = await Promise.all(summaries.map((s) => recordOnDisk(d, s.bootId)));
  return { summaries, records, d, fallbackStatus };
}

describe('a failing update', () => {
  it.each([
    ['volatile journal, agent from the test bundle', false, 'bundle'],
    ['persistent journal, agent installed from the RPMs', true, 'rpm'],
  ] as const)(
    'is tried three times, cleaned up before the rollback and explained afterwards (%s)',
    async (_name, persistent, agent) => {
      const { summaries, records, d, fallbackStatus } = await failingUpdate(persistent, agent);
      expect(summaries.map((s) => [s.booted?.version, s.grubenv.atBoot?.boot_counter, s.verdict])).toEqual([
        ['9.4.2', '2', 'red'],
        ['9.4.2', '1', 'red'],
        ['9.4.2', '0', 'red'],
        ['9.4.0', '-1', 'green'],
      ]);
      // Budgets grow with each attempt: base x (max - boot_counter).
      expect(records.slice(0, 3).map((r) => r.budget?.budgetSec)).toEqual([60, 120, 180]);
      // red.d ran on every red boot; the cleanup only on the last attempt.
      expect(
        summaries.slice(0, 3).map((s) => s.scripts.some((x) => x.kind === 'red' && x.name === '35_edge_agent_red.sh')),
      ).toEqual([true, true, true]);
      expect(records.slice(0, 3).map((r) => r.rollbackImminent)).toEqual([false, false, true]);
      expect(records.slice(0, 2).every((r) => (r.actions ?? []).length === 0)).toBe(true);
      const actions = records[2]?.actions ?? [];
      expect(actions.map((a) => a.id)).toEqual([
        'snapshot-pod-processes',
        'restore-marker',
        'stop-microshift',
        'remove-pods',
        'stop-ovsdb',
        'end-pod-processes',
        'remove-ovn-state',
      ]);
      expect(actions.filter((a) => a.outcome === 'failed')).toEqual([]);
      expect(actions.find((a) => a.id === 'restore-marker')?.message).toContain('MicroShift will restore backup');
      // The fallback boot explains the rollback from the records alone.
      const rollback = records[3]?.rollback;
      expect(rollback?.message).toMatch(
        /^rolled back from 9\.4\.2 \([0-9a-f]{7}\) to 9\.4\.0 \([0-9a-f]{7}\) after 3 failed boots; first failing check: microshift: microshift\.service is crash-looping/,
      );
      const history = await d.exec(['edge-agent', 'history']);
      expect(history.stdout).toContain('ROLLBACK  rolled back from 9.4.2');
      expect(history.stdout.match(/RED/g)).toHaveLength(3);
      const json = JSON.parse((await d.exec(['edge-agent', 'history', '--json', '-n', '2'])).stdout) as {
        entries: { kind: string }[];
      };
      // Newest first: the boot after the fallback, then the rollback noticed at the fallback boot.
      expect(json.entries.map((e) => e.kind)).toEqual(['boot', 'rollback']);
      // The green fallback boot removed the restore marker edge-agent had created (MicroShift had
      // its chance to restore at that boot's start; a marker left behind would restore again later).
      expect(d.exists('/var/lib/microshift-backups/restore')).toBe(false);
      expect(d.exists('/var/lib/edge-agent/restore-marker.json')).toBe(false);
      // `edge-agent status` on the fallback boot calls it one, although greenboot's check-fallback
      // unit had already unset boot_counter=-1 when it ran; the rollback problem says why.
      expect(rollback?.fallback).toBe(true);
      expect([fallbackStatus?.boot?.fallback, fallbackStatus?.boot?.grubenv?.bootCounter]).toEqual([true, undefined]);
      expect(fallbackStatus?.problems?.map((p) => p.code)).toContain('rolled-back');
      // `edge-agent status` on the fallback's successor tells the same story, and that boot is no fallback.
      const status = JSON.parse((await d.exec(['edge-agent', 'status', '--json'])).stdout) as {
        lastRollback?: { from?: { version?: string } };
        boot?: { fallback?: boolean };
      };
      expect(JSON.stringify(status)).toContain('9.4.2');
      expect(status.boot?.fallback).toBe(false);
      // The journal of the failed boots is there only when it was persistent.
      const boots = await d.exec(['journalctl', '--list-boots', '--no-pager']);
      expect(boots.stdout.trim().split('\n').length > 3).toBe(persistent);
    },
    240_000,
  );
});

describe('the cleanup before a rollback', () => {
  it('ends only MicroShift pod processes, is harmless twice, and cuts off a hung step', async () => {
    // Only the hung hook has a short limit: with a 2 s limit for every step, a busy machine cut
    // the first run's pod removal short and the second run found a pod left.
    const d = await bootEdgeDevice({
      deployments: [{ version: '9.4.0' }, { version: '9.3.9' }],
      microshift: scenario('healthy'),
      config: `${config}preRollback:\n  stepTimeoutSec: 60\n  totalTimeoutSec: 180\n  hooks:\n    - name: hang\n      command: ["/bin/sleep", "60"]\n      timeoutSec: 2\n`,
      boot: false,
    });
    device = d;
    await installCrio(d);
    await d.reboot();
    const { settleBoot } = await import('../harness/greenboot/boot-cycle.js');
    await settleBoot(d, 120_000);
    const podman = await startPodmanContainer(d, 'app');
    const before = await listProcesses(d, ['conmon', 'pause', 'ovn-controller', 'ovn-northd']);
    expect(before.length).toBeGreaterThan(3);
    // The last attempt of an update: boot_counter=0.
    await d.sh('grub2-editenv - set boot_counter=0 boot_success=0');
    const first = await d.exec(['edge-agent', 'boot', 'red']);
    const second = await d.exec(['edge-agent', 'boot', 'red']);
    const record = JSON.parse(
      await d.readFile(`/var/lib/edge-agent/boots/${d.bootId.replaceAll('-', '')}.json`),
    ) as BootRecord;
    const actions = record.actions ?? [];
    const left = await listProcesses(d, ['conmon', 'pause', 'ovn-controller', 'ovn-northd']);
    expect(left.map((p) => p.pid).sort()).toEqual([podman.conmonPid].sort());
    expect(actions.filter((a) => a.id === 'hook:hang').map((a) => [a.outcome, a.message])).toEqual([
      ['failed', 'timed out after 2s'],
      ['failed', 'timed out after 2s'],
    ]);
    // The second run finds nothing left to do.
    const secondRun = actions.slice(actions.length / 2);
    expect(secondRun.find((a) => a.id === 'remove-pods')?.message).toBe('no pods left');
    expect(secondRun.find((a) => a.id === 'remove-ovn-state')?.message).toBe('nothing left to remove');
    expect(first.exitCode).toBe(1);
    expect(second.exitCode).toBe(1);
  }, 180_000);
});

describe('a good update', () => {
  it('goes green with the RPM-installed agent, whose service reports READY, and the record marks the deployment known-good', async () => {
    const d = await bootEdgeDevice({
      deployments: [{ version: '9.4.0' }],
      microshift: scenario('healthy'),
      config,
      boot: false,
      agent: 'rpm',
    });
    device = d;
    // The device boots edge-device.target, not multi-user.target: enable the service there.
    await d.sh(
      'ln -sf /usr/lib/systemd/system/edge-agent.service /etc/systemd/system/edge-device.target.wants/edge-agent.service && systemctl daemon-reload',
    );
    await makeUpdateAvailable(d, { version: '9.4.1' });
    await stageUpdate(d);
    await nextBoot(d);
    const summary = await nextBoot(d);
    expect(summary.verdict).toBe('green');
    const record = await recordOnDisk(d, summary.bootId);
    expect(record).toMatchObject({ verdict: 'green', knownGood: true, deployment: { version: '9.4.1' } });
    expect(record.rollback).toBeUndefined();
    // Type=notify: active means READY reached systemd; STATUS= is kept current.
    const { settleBoot } = await import('../harness/greenboot/boot-cycle.js');
    await settleBoot(d, 120_000);
    // The daemon notices the verdict when green.d writes the record (a file watch): give it a moment.
    let show = '';
    // A deadline, not a count of tries: each systemctl call can itself take seconds on a busy machine.
    const deadline = Date.now() + 60_000;
    while (!show.includes('StatusText=boot green') && Date.now() < deadline) {
      show = (await d.exec(['systemctl', 'show', 'edge-agent.service', '-p', 'ActiveState,StatusText'])).stdout;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(show).toContain('ActiveState=active');
    expect(show).toMatch(/StatusText=boot green, no hub configured/);
    const status = JSON.parse((await d.exec(['edge-agent', 'status', '--json'])).stdout) as { exitCode: number };
    expect(status.exitCode).toBe(0);
  }, 120_000);
});
