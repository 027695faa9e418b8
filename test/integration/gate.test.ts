// Gates and `wait --green` on a virtual edge host with greenboot: a gated workload starts only
// once greenboot has declared the boot good, never on a red boot; `wait --green` answers 0, 1 or
// 2 from the same truth.
import { afterEach, describe, expect, it } from 'vitest';
import { bootEdgeDevice } from '../harness/edge-device.js';
import { settleBoot, writeGreenbootScript } from '../harness/greenboot/boot-cycle.js';
import type { VirtualDevice } from '../harness/vdev.js';

const GATED = 'workload.service';
const DROP_IN = `/etc/systemd/system/${GATED}.d/50-edge-agent-gate.conf`;
let device: VirtualDevice | undefined;
afterEach(async () => {
  await device?.dispose();
  device = undefined;
});

/** A oneshot workload wanted by the device's default target, like a real workload unit. */
const workload = (name: string) => `[Unit]
Description=${name}

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'echo started > /var/lib/${name}.started'

[Install]
WantedBy=edge-device.target
`;

/** A host with greenboot and edge-agent, MicroShift absent, a gated and an ungated workload, not yet rebooted. */
async function gatedDevice(requiredScript?: [string, string]): Promise<VirtualDevice> {
  device = await bootEdgeDevice({ microshift: { state: 'absent' }, boot: false });
  if (requiredScript) await writeGreenbootScript(device, 'check/required.d', ...requiredScript);
  await device.installUnit(GATED, workload('workload'), { enable: true });
  await device.installUnit('ungated.service', workload('ungated'), { enable: true });
  const add = await device.exec(['edge-agent', 'gate', 'add', 'workload']);
  expect(add).toMatchObject({
    exitCode: 0,
    stdout: expect.stringContaining(`Gated ${GATED}: it starts only after boot-complete.target`),
  });
  return device;
}

async function monotonic(d: VirtualDevice, unit: string, property: string): Promise<number> {
  return Number((await d.sh(`systemctl show ${unit} -p ${property} --value`)).trim());
}

async function agent(d: VirtualDevice, ...args: string[]) {
  const started = Date.now();
  const result = await d.exec(['edge-agent', ...args]);
  return { ...result, ms: Date.now() - started };
}

describe('gate', () => {
  it('starts a gated unit only after the boot is declared good; list and remove', async () => {
    // A check that takes 2 s, so "after the verdict" is visibly later than the start of the boot.
    const d = await gatedDevice(['05_slow.sh', 'sleep 2']);
    expect(await d.readFile(DROP_IN)).toMatch(
      /^# Written by edge-agent \(edge-agent gate add workload\.service\); edge-agent owns this file\.\n[^]*\[Unit\]\nRequires=boot-complete\.target\nAfter=boot-complete\.target\n$/,
    );
    expect((await d.sh(`systemctl show ${GATED} -p DropInPaths --value`)).trim()).toBe(DROP_IN);

    await d.reboot();
    expect(await settleBoot(d, 60_000)).toBe('idle');
    const complete = await monotonic(d, 'boot-complete.target', 'ActiveEnterTimestampMonotonic');
    const checksDone = await monotonic(d, 'greenboot-healthcheck.service', 'ActiveEnterTimestampMonotonic');
    expect(complete).toBeGreaterThan(0);
    expect(await monotonic(d, GATED, 'ExecMainStartTimestampMonotonic')).toBeGreaterThanOrEqual(complete);
    expect(await monotonic(d, GATED, 'ExecMainStartTimestampMonotonic')).toBeGreaterThanOrEqual(checksDone);
    // The ungated one ran while the checks were still going.
    expect(await monotonic(d, 'ungated.service', 'ExecMainStartTimestampMonotonic')).toBeLessThan(
      checksDone - 1_000_000,
    );
    expect(d.exists('/var/lib/workload.started')).toBe(true);

    const waited = await agent(d, 'wait', '--green');
    expect(waited).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^Boot is GREEN \(/) });
    // Already decided: an answer well before any wait would end (bound generous for a busy machine).
    expect(waited.ms).toBeLessThan(10_000);

    const listed = JSON.parse((await agent(d, 'gate', 'list', '--json')).stdout) as { gates: unknown[] };
    expect(listed.gates).toEqual([{ unit: GATED, dropIn: DROP_IN, activeState: 'active', unitFileState: 'enabled' }]);
    expect((await agent(d, 'gate', 'list')).stdout).toMatch(
      /^workload\.service +active \(enabled\) +\/etc\/systemd\/system\/workload\.service\.d\/50-edge-agent-gate\.conf$/m,
    );

    expect(await agent(d, 'gate', 'add', GATED)).toMatchObject({
      exitCode: 0,
      stdout: `${GATED} is already gated (${DROP_IN}).\nnote: ${GATED} is already running in this boot; the gate holds it from its next start.\n`,
    });
    expect(await agent(d, 'gate', 'remove', GATED)).toMatchObject({
      exitCode: 0,
      stdout: `Removed the gate of ${GATED} (${DROP_IN}); systemd reloaded.\n`,
    });
    expect(d.exists(DROP_IN)).toBe(false);
    expect(d.exists(`/etc/systemd/system/${GATED}.d`)).toBe(false);
    expect((await d.sh(`systemctl show ${GATED} -p DropInPaths --value`)).trim()).toBe('');
    expect(JSON.parse((await agent(d, 'gate', 'list', '--json')).stdout)).toMatchObject({ gates: [] });
    expect(await agent(d, 'gate', 'remove', GATED)).toMatchObject({ exitCode: 0, stdout: `${GATED} was not gated.\n` });
  }, 90_000);

  it('never starts a gated unit on a red boot', async () => {
    const d = await gatedDevice(['10_fail.sh', 'echo "required check failed"; exit 1']);
    await d.reboot();
    expect(await settleBoot(d, 60_000)).toBe('idle');
    expect((await d.systemctl('is-failed', 'greenboot-healthcheck.service')).stdout.trim()).toBe('failed');
    expect(await monotonic(d, GATED, 'ExecMainStartTimestampMonotonic')).toBe(0);
    expect(d.exists('/var/lib/workload.started')).toBe(false);
    expect(d.exists('/var/lib/ungated.started')).toBe(true);
    expect(await d.journalMessages({ unit: GATED })).toContainEqual(
      expect.stringMatching(/Dependency failed for workload/),
    );

    expect(JSON.parse((await agent(d, 'gate', 'list', '--json')).stdout)).toMatchObject({
      gates: [{ unit: GATED, activeState: 'inactive' }],
    });
    const waited = await agent(d, 'wait', '--green', '--json');
    expect(waited.exitCode).toBe(1);
    // The same verdict `status` shows, with the rule that decided it.
    expect(JSON.parse(waited.stdout)).toMatchObject({
      verdict: 'red',
      state: 'red',
      code: expect.stringMatching(/^(record-red|healthcheck-failed|redboot-started)$/),
      bootId: d.bootId.replaceAll('-', ''),
    });
    const status = JSON.parse((await agent(d, 'status', '--json')).stdout) as { boot: { verdict: string } };
    expect(status.boot.verdict).toBe('red');
    expect(waited.ms).toBeLessThan(10_000);
  }, 90_000);

  it('refuses to gate greenboot, MicroShift, edge-agent and invalid names, saying why', async () => {
    device = await bootEdgeDevice({ microshift: { state: 'absent' }, boot: false });
    const cases: Array<[string, RegExp]> = [
      [
        'microshift',
        /^edge-agent gate add: cannot gate microshift: microshift\.service is MicroShift or something it needs: the health check waits for MicroShift/,
      ],
      [
        'greenboot-healthcheck.service',
        /cannot gate greenboot-healthcheck\.service: .*part of greenboot.*dependency cycle/,
      ],
      ['edge-agent', /cannot gate edge-agent: edge-agent\.service belongs to edge-agent/],
      ['bad name.service', /not a valid systemd unit name/],
    ];
    for (const [unit, reason] of cases) {
      const r = await agent(device, 'gate', 'add', unit);
      expect(r.exitCode).toBe(64);
      expect(r.stderr).toMatch(reason);
    }
    expect((await device.sh('ls /etc/systemd/system/*.d/50-edge-agent-gate.conf 2>/dev/null || true')).trim()).toBe('');
  });
});

describe('wait --green', () => {
  it('times out with exit 2 while the checks run, then returns 0 as soon as the boot goes green', async () => {
    device = await bootEdgeDevice({ microshift: { state: 'absent' }, boot: false });
    const d = device;
    await writeGreenbootScript(d, 'check/required.d', '05_slow.sh', 'sleep 10');
    // This boot had no greenboot run yet: start the checks the way the boot would.
    await d.sh('systemctl start --no-block boot-complete.target');
    for (
      let i = 0;
      i < 100 && (await d.systemctl('is-active', 'greenboot-healthcheck.service')).stdout.trim() !== 'activating';
      i++
    )
      await new Promise((r) => setTimeout(r, 50));

    const once = await agent(d, 'wait', '--green', '--timeout', '0', '--json');
    expect(once.exitCode).toBe(2);
    expect(JSON.parse(once.stdout)).toMatchObject({
      verdict: 'pending',
      state: 'checking',
      code: 'healthcheck-running',
      reason: 'greenboot-healthcheck.service is running the checks',
      timeoutSec: 0,
    });
    const timedOut = await agent(d, 'wait', '--green', '--timeout', '1');
    expect(timedOut.exitCode).toBe(2);
    expect(timedOut.stdout).toMatch(
      /^No verdict yet after 1\.\d s \(--timeout 1\): greenboot-healthcheck\.service is running the checks\n$/,
    );
    expect(timedOut.ms).toBeLessThan(10_000);

    const green = await agent(d, 'wait', '--green', '--json');
    expect(green.exitCode).toBe(0);
    const result = JSON.parse(green.stdout) as { verdict: string; waitedMs: number };
    expect(result.verdict).toBe('green');
    expect(result.waitedMs).toBeGreaterThan(3000);
    // Event-driven: the answer comes right after boot-complete.target (or the record) says so.
    const returnedAt = Date.now();
    const complete = (
      await d.sh('systemctl show boot-complete.target -p ActiveEnterTimestamp --value --timestamp=us+utc')
    ).trim();
    const completeAt = Date.parse(complete.replace(/^\w+ /, '').replace(' ', 'T').replace(' UTC', 'Z'));
    // Seconds, not the 10 s the slow check sleeps: room for a busy machine, still far from polling late.
    expect(returnedAt - completeAt).toBeLessThan(4000);
    expect(returnedAt - completeAt).toBeGreaterThanOrEqual(-50);
  }, 60_000);

  it('rejects a missing --green and a bad --timeout as usage errors', async () => {
    device = await bootEdgeDevice({ microshift: { state: 'absent' }, boot: false });
    expect(await agent(device, 'wait')).toMatchObject({
      exitCode: 64,
      stderr: expect.stringContaining('wait needs --green'),
    });
    expect(await agent(device, 'wait', '--green', '--timeout', 'soon')).toMatchObject({
      exitCode: 64,
      stderr: expect.stringContaining("--timeout must be a number of seconds, 0 to check once (got 'soon')"),
    });
  });
});
