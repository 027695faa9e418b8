// Reading greenboot's scripts of a boot through journalctl (a scripted one): which units and
// boot are asked, what a failed or hung journalctl becomes, and the explanation of a red boot
// caused by greenboot's own checks.
import { describe, expect, it } from 'vitest';
import { describeRequiredFailure } from '../../agent/core/greenboot-journal.js';
import { readGreenbootScripts } from '../../agent/host/greenboot-journal.js';
import { FakeExec } from '../fakes/exec.js';

const line = (identifier: string, message: string, us: number) =>
  JSON.stringify({ __REALTIME_TIMESTAMP: String(us), SYSLOG_IDENTIFIER: identifier, MESSAGE: message });

describe('readGreenbootScripts', () => {
  it("asks for the boot and greenboot units, then adds the failed scripts' own identifiers, and parses the answer", async () => {
    const stdout = [
      line('greenboot', 'Running Required Health Check Scripts...', 1_000_000),
      line('40_microshift_running_check.sh', 'Timed out waiting for MicroShift', 5_000_000),
      line('greenboot', "<0>Script '40_microshift_running_check.sh' FAILURE (exit code '1'). Exiting...", 6_000_000),
    ].join('\n');
    const exec = new FakeExec().on('journalctl', { stdout });
    const read = await readGreenbootScripts(exec, { boot: '-1' });
    const units =
      '_SYSTEMD_UNIT=greenboot-healthcheck.service _SYSTEMD_UNIT=greenboot-task-runner.service _SYSTEMD_UNIT=redboot-task-runner.service';
    expect(exec.ran).toEqual([
      `journalctl -o json --no-pager -q -b -1 -n 4000 ${units}`,
      `journalctl -o json --no-pager -q -b -1 -n 4000 ${units} + SYSLOG_IDENTIFIER=40_microshift_running_check.sh`,
    ]);
    expect(read.run?.scripts).toEqual([
      {
        name: '40_microshift_running_check.sh',
        kind: 'required',
        outcome: 'failure',
        exitCode: 1,
        durationMs: 5000,
        lastLines: ['Timed out waiting for MicroShift'],
      },
    ]);
    expect(describeRequiredFailure(read.run!)).toBe(
      'greenboot\'s required script 40_microshift_running_check.sh failed with exit code 1; its last line: "Timed out waiting for MicroShift"',
    );
  });

  it('this boot, a failed script whose own lines are not stored yet: journald is synced before they are asked for', async () => {
    const stdout = [
      line('greenboot', 'Running Wanted Health Check Scripts...', 1_000_000),
      line('greenboot', "<4>Script '50_vendor_updates.sh' FAILURE (exit code '1'). Continuing...", 2_000_000),
    ].join('\n');
    const exec = new FakeExec().on('journalctl', { stdout });
    await readGreenbootScripts(exec, { boot: '0' });
    expect(exec.ran.map((c) => c.replace(/ _SYSTEMD_UNIT=\S+/g, ''))).toEqual([
      'journalctl -o json --no-pager -q -b 0 -n 4000',
      'journalctl --sync',
      'journalctl -o json --no-pager -q -b 0 -n 4000 + SYSLOG_IDENTIFIER=50_vendor_updates.sh',
    ]);
    // The boot before has long been stored: no sync.
    const before = new FakeExec().on('journalctl', { stdout });
    await readGreenbootScripts(before, { boot: '-1' });
    expect(before.ran.some((c) => c.includes('--sync'))).toBe(false);
  });

  it.each([
    [
      'boot not in the journal',
      { exitCode: 1, stderr: "Specifier '-1' does not match any boot in the journal." },
      /exited 1: Specifier '-1' does not match/,
    ],
    ['journalctl hangs', { hang: true as const }, /did not answer within 0.2 s/],
    ['no journalctl', { notFound: true as const }, /journalctl: cannot run journalctl/],
  ])('%s: an error saying so, no scripts', async (_, answer, error) => {
    const read = await readGreenbootScripts(new FakeExec().on('journalctl', answer), { boot: '0', timeoutMs: 200 });
    expect(read.run).toBeUndefined();
    expect(read.error).toMatch(error);
  });
});

describe('describeRequiredFailure', () => {
  it.each([
    ['01_repository_dns_check.sh', "greenboot's DNS check"],
    ['02_watchdog.sh', "greenboot's watchdog check"],
  ])("greenboot's own %s: edge-agent's check did not run, and DISABLED_HEALTHCHECKS is named", (name, what) => {
    const text = describeRequiredFailure({
      firstRequiredFailure: name,
      scripts: [{ name, kind: 'required', outcome: 'failure', exitCode: 1 }],
    });
    expect(text).toContain(`${name} (${what}`);
    expect(text).toContain("edge-agent's check did not run");
    expect(text).toContain(`DISABLED_HEALTHCHECKS=( "${name}" )`);
  });

  it('nothing failed: nothing to say', () => {
    expect(describeRequiredFailure({ scripts: [] })).toBeUndefined();
  });
});
