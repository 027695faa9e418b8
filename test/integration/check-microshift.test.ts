// The MicroShift check end to end: a virtual edge host boots, greenboot (the stand-in) runs the
// installed shim under systemd, edge-agent watches the simulated MicroShift, and the verdict, the
// record in /var and the journal lines are what an operator would see.
import { afterEach, describe, expect, it } from 'vitest';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { scenario, type ScenarioName } from '../harness/microshift/scenario.js';
import type { VirtualDevice } from '../harness/vdev.js';
import type { BootRecord } from '../../agent/core/boot-record.js';

// The smallest budget MicroShift allows (60 s) and a short restart window (settle = window / 3).
const config = 'microshift:\n  waitTimeoutSec: 60\n  restartWindowSec: 15\n';
let device: VirtualDevice | undefined;
afterEach(async () => {
  await device?.dispose();
  device = undefined;
});

async function record(d: VirtualDevice): Promise<BootRecord> {
  return JSON.parse(await d.readFile(`/var/lib/edge-agent/boots/${d.bootId.replaceAll('-', '')}.json`)) as BootRecord;
}

async function bootStatus(d: VirtualDevice): Promise<string[]> {
  // greenboot's own lines, from the check and from the green/red task runner after it.
  const messages = await d.journalMessages({ identifier: 'greenboot' });
  return messages.filter((m) => m.startsWith('Boot Status is') || m.startsWith("Script '35_edge_agent_required"));
}

/** When systemd last changed microshift.service's state (the moment a terminal state began). */
async function unitChangedAtMs(d: VirtualDevice): Promise<number> {
  const show = await d.exec([
    'systemctl',
    'show',
    'microshift.service',
    '-p',
    'StateChangeTimestamp',
    '--timestamp=unix',
  ]);
  return Number(/@(\d+)/.exec(show.stdout)?.[1]) * 1000;
}

describe('MicroShift check through greenboot', () => {
  it.each<[string, ScenarioName, Parameters<typeof scenario>[1]]>([
    ['healthy', 'healthy', {}],
    ['slow but within budget', 'healthy', { apiReadyAfterMs: 6000, workloadsReadyAfterMs: 8000 }],
    ['image pull stuck, then progressing', 'image-pull-stuck-then-progressing', { timeScale: 4 }],
    ['extra pods in kube-system', 'extra-pods-kube-system', {}],
  ])('%s: green', async (_name, name, options) => {
    device = await bootEdgeDevice({ microshift: scenario(name, options), config });
    const r = await record(device);
    const check = r.checks.required?.results.find((c) => c.id === 'microshift');
    expect(check).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(await bootStatus(device)).toEqual([
      "Script '35_edge_agent_required.sh' SUCCESS",
      'Boot Status is GREEN - Health Check SUCCESS',
    ]);
    if (options?.apiReadyAfterMs) expect(check?.durationMs).toBeGreaterThanOrEqual(5000);
    const fields = await device.journal({ matches: ['EDGE_AGENT_CHECK=microshift', 'EDGE_AGENT_OUTCOME=pass'] });
    expect(fields.map((e) => e.MESSAGE)).toEqual([
      expect.stringMatching(/^Check 'microshift' \(required\) SUCCESS in/),
    ]);
  });

  it('unit failed: red within 2 s of the unit failing', async () => {
    device = await bootEdgeDevice({ microshift: scenario('unit-fails'), config });
    const check = (await record(device)).checks.required?.results[0];
    expect(check?.outcome).toBe('fail');
    // The unit restarts fast until systemd gives up: either rule may see it first.
    expect(['unit-failed', 'crash-loop']).toContain(check?.reason);
    expect(Date.parse(check?.endedAt ?? '') - (await unitChangedAtMs(device))).toBeLessThanOrEqual(2000);
    expect(await bootStatus(device)).toEqual([
      "Script '35_edge_agent_required.sh' FAILURE (exit code '1'). Continuing...",
      'Boot Status is RED - Health Check FAILURE!',
    ]);
  });

  it('crash loop: red long before the 60 s budget', async () => {
    device = await bootEdgeDevice({ microshift: scenario('crash-loop'), config });
    const check = (await record(device)).checks.required?.results[0];
    expect(check).toMatchObject({ outcome: 'fail', reason: 'crash-loop' });
    expect(check?.durationMs).toBeLessThan(20_000);
    expect(check?.message).toMatch(/crash-looping: restarted \d+ times/);
  });

  it('pre-run failure: red at once, quoting the log', async () => {
    device = await bootEdgeDevice({ microshift: scenario('prerun-failure'), config });
    const check = (await record(device)).checks.required?.results[0];
    expect(check).toMatchObject({ outcome: 'fail', reason: 'prerun-failed' });
    expect(check?.message).toContain('Pre-run procedure failed');
    const written = (
      await device.exec(['stat', '-c', '%Y', '/var/lib/microshift-backups/prerun_failed.log'])
    ).stdout.trim();
    expect(Date.parse(check?.endedAt ?? '') - Number(written) * 1000).toBeLessThanOrEqual(2500);
  });

  it('permanent image pull error: red, naming the image and the reason', async () => {
    device = await bootEdgeDevice({ microshift: scenario('image-pull-fails'), config });
    const check = (await record(device)).checks.required?.results[0];
    expect(check).toMatchObject({ outcome: 'fail', reason: 'image-pull-failed' });
    expect(check?.message).toMatch(
      /image quay\.io\/openshift-release-dev\/ocp-v4\.0-art-dev@sha256:[0-9a-f]+ cannot be pulled: .*manifest unknown/,
    );
    expect(check?.durationMs).toBeLessThan(15_000);
  });

  it('pods restarting: red, naming the pod and container', async () => {
    device = await bootEdgeDevice({ microshift: scenario('pods-restarting'), config });
    const check = (await record(device)).checks.required?.results[0];
    expect(check).toMatchObject({ outcome: 'fail', reason: 'container-restarting' });
    expect(check?.message).toMatch(
      /container router of pod openshift-ingress\/router-default-[a-z0-9-]+ restarted \d+ times/,
    );
  });

  it.each(['absent', 'disabled'] as const)('MicroShift %s: green with a note, without waiting', async (state) => {
    device = await bootEdgeDevice({ microshift: { state }, config });
    const check = (await record(device)).checks.required?.results[0];
    expect(check).toMatchObject({ outcome: 'pass', reason: `microshift-${state}` });
    // Not the 60 s API wait: the bound only leaves room for a busy machine.
    expect(check?.durationMs).toBeLessThan(5000);
    expect(await device.journalMessages({ identifier: 'edge-agent' })).toContainEqual(
      expect.stringContaining(`microshift.service is not ${state === 'absent' ? 'installed' : 'enabled'}`),
    );
  });

  it('API never ready: red when its stage budget (60 s + grace) is spent, naming the failing check', async () => {
    device = await bootEdgeDevice({ microshift: scenario('api-never-ready'), config, boot: 'start' });
    const { settleBoot } = await import('../harness/greenboot/boot-cycle.js');
    await settleBoot(device, 120_000);
    const check = (await record(device)).checks.required?.results[0];
    expect(check).toMatchObject({ outcome: 'timeout', reason: 'api-timeout' });
    expect(check?.durationMs).toBeGreaterThanOrEqual(60_000);
    expect(check?.message).toMatch(/MicroShift API not ready: .*failing after 6\ds/);
    const progress = await device.journalMessages({ identifier: 'edge-agent' });
    expect(progress.filter((m) => m.startsWith('Still waiting')).length).toBeGreaterThanOrEqual(1);
  }, 150_000);
});
